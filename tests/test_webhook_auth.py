"""AssemblyAI's webhook is always authenticated: a set secret, or one derived per transcript."""

import json

import pytest
from django.test import override_settings

from tests.fakes import JOB_ID, SUBMIT_URL, deliver_webhook, submitted_bodies, transcript_json, url_for
from transcription import webhook_auth
from transcription.models import Transcript, WebhookDelivery
from transcription.pipeline.create import transcript_create
from transcription.pipeline.submit import transcript_submit_now

pytestmark = pytest.mark.django_db
BODY = json.dumps({"transcript_id": JOB_ID, "status": "completed"})


def post(client, transcript, **headers):
    return client.post(url_for(transcript), data=BODY, content_type="application/json", **headers)


def test_it_uses_the_configured_secret_for_every_transcript():
    assert webhook_auth.header_value_for("a") == webhook_auth.header_value_for("b")
    assert webhook_auth.header_value_for("a") == "test-webhook-secret-0123456789"


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_without_a_secret_it_derives_a_different_value_per_token():
    first, second = webhook_auth.header_value_for("token-a"), webhook_auth.header_value_for("token-b")
    assert first != second and len(first) == 64
    assert "token-a" not in first


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_the_derived_value_depends_on_the_secret_key():
    before = webhook_auth.header_value_for("token-a")
    with override_settings(SECRET_KEY="another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"):
        assert webhook_auth.header_value_for("token-a") != before


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_without_a_secret_the_submission_carries_the_derived_header(mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = transcript_create(audio_url="https://x.example/a.wav")
    transcript_submit_now(transcript=transcript, webhook_url="https://djt.example.com/hook/")
    [body] = submitted_bodies(mocked_http)
    assert body["webhook_auth_header_name"] == "X-Webhook-Secret"
    assert body["webhook_auth_header_value"] == webhook_auth.header_value_for(transcript.webhook_token)


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_without_a_secret_an_unauthenticated_post_stores_nothing(client, submitted, task_queue):
    with task_queue.capture(execute=True):
        response = post(client, submitted)
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()
    assert Transcript.objects.get().webhook_received_at is None
    assert task_queue.pending == []


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_without_a_secret_another_transcripts_value_is_refused(client, submitted, task_queue):
    other = webhook_auth.header_value_for("some-other-token")
    with task_queue.capture(execute=True):
        response = post(client, submitted, HTTP_X_WEBHOOK_SECRET=other)
    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_without_a_secret_the_derived_value_is_accepted(client, submitted, task_queue):
    value = webhook_auth.header_value_for(submitted.webhook_token)
    response = deliver_webhook(client, task_queue, submitted, BODY, HTTP_X_WEBHOOK_SECRET=value)
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().transcript == submitted


def test_with_a_secret_an_unauthenticated_post_stores_nothing(client, submitted, task_queue):
    with task_queue.capture(execute=True):
        assert post(client, submitted).status_code == 401
        assert post(client, submitted, HTTP_X_WEBHOOK_SECRET="wrong").status_code == 403
    assert not WebhookDelivery.objects.exists()
