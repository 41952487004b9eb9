"""AssemblyAI's webhook: secret header first, then queue the delivery and answer 200; the worker
stores it and queues a fetch (deliver_webhook posts and runs that inbox task, as the worker would)."""

import json

import pytest

from tests.factories import make_transcript
from tests.fakes import (
    AAI,
    JOB_ID,
    deliver_webhook,
    transcript_json,
    url_for,
    webhook_headers,
)
from transcription.models import Transcript, TranscriptStatus, WebhookDelivery
from transcription.queue import queue_submit

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_a_webhook_is_stored_and_a_fetch_queued_on_commit(client, submitted, task_queue, mocked_http):
    response = deliver_webhook(
        client, task_queue, submitted, {"transcript_id": JOB_ID, "status": "completed"}
    )
    assert response.status_code == 200
    assert len(mocked_http.calls) == 0  # the fetch happens in the background
    delivery = WebhookDelivery.objects.get()
    assert (delivery.transcript, delivery.job_id, delivery.status) == (submitted, JOB_ID, "completed")
    assert delivery.processed_at is not None
    submitted.refresh_from_db()
    assert submitted.webhook_received_at is not None
    assert [(r.task.name, r.args) for r in task_queue.pending] == [("fetch_transcript", [submitted.pk])]


def test_the_fetch_stores_the_result(client, submitted, task_queue, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    deliver_webhook(client, task_queue, submitted, {"transcript_id": JOB_ID, "status": "completed"})
    task_queue.run_all()
    submitted.refresh_from_db()
    assert submitted.status == "completed"
    assert submitted.text == "Ahoy, this is a test call."
    assert (submitted.confidence, submitted.audio_duration) == (0.95, 7.0)
    assert (submitted.language_code, submitted.speech_model_used) == ("en_us", "universal-3-pro")
    assert [w["text"] for w in submitted.words] == ["Ahoy,", "this"]


def test_an_error_job_stores_assemblyais_message(client, submitted, task_queue, mocked_http):
    message = "Download error, unable to download https://x.example/a.wav. Please make sure the file exists."
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("error", error=message))
    deliver_webhook(client, task_queue, submitted, {"transcript_id": JOB_ID, "status": "error"})
    task_queue.run_all()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.error) == ("error", message)


def test_ten_repeated_webhooks_store_one_result_and_fetch_once(client, submitted, task_queue, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    for _ in range(10):
        response = deliver_webhook(
            client, task_queue, submitted, {"transcript_id": JOB_ID, "status": "completed"}
        )
        assert response.status_code == 200
        task_queue.run_all()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.text) == ("completed", "Ahoy, this is a test call.")
    assert Transcript.objects.count() == 1
    assert WebhookDelivery.objects.count() == 10
    assert len(mocked_http.calls) == 1


def test_ten_webhooks_before_the_worker_runs_queue_one_fetch(client, submitted, task_queue, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    for _ in range(10):
        post(
            client, url_for(submitted), {"transcript_id": JOB_ID, "status": "completed"}, **webhook_headers()
        )
    assert [r.task.name for r in task_queue.pending] == ["store_webhook_delivery"] * 10
    task_queue.run_all()
    assert task_queue.outcomes == ["processed"] + ["stored"] * 9 + ["completed"]
    assert WebhookDelivery.objects.filter(processed_at__isnull=False).count() == 1
    assert len(mocked_http.calls) == 1


def test_a_wrong_secret_gets_403_and_stores_nothing(client, submitted, task_queue):
    response = post(
        client,
        url_for(submitted),
        {"transcript_id": JOB_ID, "status": "completed"},
        HTTP_X_WEBHOOK_SECRET="guess",
    )
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 0
    assert task_queue.pending == []


def test_a_missing_secret_gets_401_and_stores_nothing(client, submitted, task_queue):
    response = post(client, url_for(submitted), {"transcript_id": JOB_ID, "status": "completed"})
    assert response.status_code == 401
    assert b"X-Webhook-Secret" in response.content
    assert WebhookDelivery.objects.count() == 0
    submitted.refresh_from_db()
    assert submitted.webhook_received_at is None


def test_the_secret_never_appears_in_the_answer(client, submitted):
    response = post(client, url_for(submitted), {}, HTTP_X_WEBHOOK_SECRET="guess")
    assert b"test-webhook-secret" not in response.content


def test_an_unknown_token_gets_200_and_queues_nothing(client, task_queue):
    response = deliver_webhook(
        client,
        task_queue,
        "/transcription/webhook/not-a-token/",
        {"transcript_id": "other", "status": "completed"},
    )
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().transcript is None
    assert task_queue.pending == []


def test_the_redacted_audio_shape_gets_200_and_queues_nothing(client, submitted, task_queue):
    body = {"status": "redacted_audio_ready", "redacted_audio_url": "https://cdn.example/redacted.mp3"}
    response = deliver_webhook(client, task_queue, submitted, body)
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == "redacted_audio_ready"
    assert task_queue.pending == []


def test_a_body_that_is_not_json_gets_200_for_a_row_that_exists(client, submitted, task_queue):
    response = deliver_webhook(client, task_queue, submitted, b"\xffnot json")
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().transcript == submitted


def test_a_get_is_refused_with_405(client, submitted):
    assert client.get(url_for(submitted), **webhook_headers()).status_code == 405
    assert WebhookDelivery.objects.count() == 0


def test_a_webhook_for_a_final_row_queues_no_fetch(client, submitted, task_queue):
    submitted.status = TranscriptStatus.COMPLETED
    submitted.save()
    response = deliver_webhook(
        client, task_queue, submitted, {"transcript_id": JOB_ID, "status": "completed"}
    )
    assert response.status_code == 200
    assert task_queue.pending == []


def test_a_webhook_that_beats_the_job_id_is_fetched_once_the_id_is_stored(client, task_queue, mocked_http):
    transcript = make_transcript(audio_url="https://x.example/a.wav", audio_source="url")
    deliver_webhook(client, task_queue, transcript, {"transcript_id": JOB_ID, "status": "completed"})
    with task_queue.capture(execute=True):
        queue_submit(transcript.pk)
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    task_queue.run_all()
    assert task_queue.outcomes == ["submitted", "completed"]
    transcript.refresh_from_db()
    assert transcript.status == "completed" and transcript.webhook_received_at is not None
