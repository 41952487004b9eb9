"""PII redaction: what is asked of AssemblyAI, and its redacted audio archived in place of the original."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from audio.models import AudioAsset, OriginKind, Redaction
from audio.services import asset_archive, asset_open
from djtranscribe.lib.env import env_multichoice
from djtranscribe.lib.pii import ASSEMBLYAI_PII_POLICIES, DEFAULT_PII_POLICIES
from tests.factories import make_transcript
from tests.fakes import (
    AAI,
    JOB_ID,
    REDACTED_AUDIO,
    REDACTED_AUDIO_API,
    REDACTED_AUDIO_URL,
    REDACTED_TEXT,
    SUBMIT_URL,
    deliver_webhook,
    mock_media,
    mock_redacted_audio,
    mock_upload,
    redacted_transcript_json,
    request_recording_transcript,
    submitted_bodies,
    tone_wav,
    transcript_json,
    url_for,
    webhook_headers,
)
from transcription.models import RedactedAudio, Transcript, WebhookDelivery
from transcription.pipeline.create import transcript_request
from transcription.pipeline.redaction import redacted_audio_attempt
from transcription.pipeline.sync import transcripts_sync

pytestmark = pytest.mark.django_db

ORIGINAL = tone_wav(1.0)
REDACT = {"TRANSCRIPTION_REDACT_PII": True}


def archived_original(kind=OriginKind.UPLOAD):
    asset = AudioAsset.objects.create(origin_kind=kind, redaction=Redaction.WAITING)
    return asset_archive(
        asset=asset, chunks=[ORIGINAL], name="uploads/original.wav", content_type="audio/wav"
    )


def waiting_transcript(*, completed_ago=timedelta(minutes=1), **fields):
    """A completed redacted transcript whose redacted audio is not archived yet."""
    transcript = make_transcript(
        completed=True,
        job_id=JOB_ID,
        text=REDACTED_TEXT,
        redact_pii=True,
        redact_pii_policies=["person_name", "credit_card_number"],
        redact_pii_sub="entity_name",
        redacted_audio=RedactedAudio.WAITING,
        audio=archived_original(),
        **fields,
    )
    Transcript.objects.filter(pk=transcript.pk).update(completed_at=timezone.now() - completed_ago)
    transcript.refresh_from_db()
    return transcript


def stored_names():
    from audio.models import recordings_storage

    storage = recordings_storage()
    _, files = storage.listdir("uploads") if storage.exists("uploads") else ([], [])
    return files


def post_webhook(client, task_queue, transcript, body):
    return deliver_webhook(client, task_queue, transcript, body)


# -- settings ---------------------------------------------------------------------------------------


def test_the_default_policies_are_all_names_assemblyai_documents():
    assert set(DEFAULT_PII_POLICIES) <= set(ASSEMBLYAI_PII_POLICIES)
    for kind in ("person_name", "phone_number", "email_address", "credit_card_number", "date_of_birth"):
        assert kind in DEFAULT_PII_POLICIES


def test_a_misspelt_policy_stops_the_app_naming_the_setting_and_the_word(monkeypatch):
    monkeypatch.setenv("TRANSCRIPTION_REDACT_PII_POLICIES", "person_name,phone_numbr")
    with pytest.raises(ImproperlyConfigured, match="TRANSCRIPTION_REDACT_PII_POLICIES has 'phone_numbr'"):
        env_multichoice("TRANSCRIPTION_REDACT_PII_POLICIES", DEFAULT_PII_POLICIES, ASSEMBLYAI_PII_POLICIES)


def test_policies_are_read_in_any_case_without_repeats(monkeypatch):
    monkeypatch.setenv("TRANSCRIPTION_REDACT_PII_POLICIES", "Person_Name, phone_number,person_name")
    assert env_multichoice("X_UNUSED", (), ASSEMBLYAI_PII_POLICIES) == []
    read = env_multichoice("TRANSCRIPTION_REDACT_PII_POLICIES", (), ASSEMBLYAI_PII_POLICIES)
    assert read == ["person_name", "phone_number"]


# -- submission -------------------------------------------------------------------------------------


@override_settings(**REDACT, TRANSCRIPTION_REDACT_PII_POLICIES=["person_name", "phone_number"])
def test_with_redaction_on_the_submission_asks_for_redacted_text_and_audio(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with task_queue.capture(execute=True):
        transcript, _ = transcript_request(audio_url="https://cdn.example/call.wav")
    task_queue.run_all()
    body = submitted_bodies(mocked_http)[0]
    assert body["redact_pii"] is True
    assert body["redact_pii_audio"] is True
    assert body["redact_pii_policies"] == ["person_name", "phone_number"]
    assert body["redact_pii_sub"] == "entity_name"
    transcript.refresh_from_db()
    assert transcript.redact_pii and transcript.redacted_audio == RedactedAudio.WAITING


def test_the_submission_uses_only_keys_of_assemblyais_schema(task_queue, mocked_http):
    # The schema is additionalProperties: false: a made-up key would be out of contract.
    allowed = {
        "audio_url", "speech_models", "webhook_url", "webhook_auth_header_name", "webhook_auth_header_value",
        "keyterms_prompt", "speaker_labels", "multichannel", "redact_pii", "redact_pii_audio",
        "redact_pii_policies", "redact_pii_sub",
    }  # fmt: skip
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with override_settings(**REDACT), task_queue.capture(execute=True):
        transcript_request(audio_url="https://cdn.example/call.wav")
    task_queue.run_all()
    body = submitted_bodies(mocked_http)[0]
    assert set(body) <= allowed
    assert set(body["redact_pii_policies"]) <= set(ASSEMBLYAI_PII_POLICIES)
    assert body["redact_pii_sub"] in ("entity_name", "hash")


@override_settings(TRANSCRIPTION_REDACT_PII_SUB="hash")
def test_one_transcript_marked_sensitive_is_redacted_and_the_next_one_is_not(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.post(SUBMIT_URL, json=transcript_json(job_id="other-job-0000"))
    with task_queue.capture(execute=True):
        sensitive, _ = transcript_request(audio_url="https://cdn.example/a.wav", sensitive=True)
        plain, _ = transcript_request(audio_url="https://cdn.example/b.wav")
    task_queue.run_all()
    first, second = submitted_bodies(mocked_http)
    assert first["redact_pii"] is True and first["redact_pii_sub"] == "hash"
    assert "redact_pii" not in second and "redact_pii_audio" not in second
    assert Transcript.objects.get(pk=plain.pk).redacted_audio == RedactedAudio.NOT_ASKED


# -- the redacted audio, by webhook -----------------------------------------------------------------


def test_the_redacted_audio_ready_webhook_archives_the_redacted_copy_as_the_transcripts_audio(
    client, task_queue, mocked_http
):
    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    response = post_webhook(
        client,
        task_queue,
        transcript,
        {"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL},
    )
    assert response.status_code == 200
    assert task_queue.run_all()[0].outcome == "archived"
    transcript.refresh_from_db()
    assert transcript.redacted_audio == RedactedAudio.ARCHIVED
    asset = transcript.audio
    assert asset.redaction == Redaction.REDACTED and asset.is_archived
    assert (asset.size, asset.sha256) == (len(REDACTED_AUDIO), hashlib.sha256(REDACTED_AUDIO).hexdigest())
    with asset_open(asset) as stored:
        assert stored.read() == REDACTED_AUDIO


def test_the_download_sends_no_api_key_to_the_pre_signed_url(client, task_queue, mocked_http):
    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    post_webhook(
        client, task_queue, transcript, {"status": "redacted_audio_ready", "redacted_audio_url": "x"}
    )
    task_queue.run_all()
    api, download = (c.request for c in mocked_http.calls)
    assert api.url == REDACTED_AUDIO_API and api.headers["Authorization"]
    assert download.url == REDACTED_AUDIO_URL and "Authorization" not in download.headers


def test_the_webhook_without_the_secret_header_is_refused_and_queues_nothing(client, task_queue):
    transcript = waiting_transcript()
    with task_queue.capture(execute=True):
        response = client.post(
            url_for(transcript),
            json.dumps({"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL}),
            content_type="application/json",
        )
    assert response.status_code == 401
    assert task_queue.pending == []


def test_the_pre_signed_url_of_a_delivery_is_not_stored(client, task_queue):
    transcript = waiting_transcript()
    post_webhook(
        client,
        task_queue,
        transcript,
        {"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL},
    )
    stored = WebhookDelivery.objects.get()
    assert REDACTED_AUDIO_URL not in json.dumps(stored.body)
    assert stored.processed_at is not None


def test_the_pre_signed_url_never_reaches_the_task_row_that_carries_the_delivery(client):
    from django_tasks_db.models import DBTaskResult

    transcript = waiting_transcript()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}):
        response = client.post(
            url_for(transcript),
            json.dumps({"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL}),
            content_type="application/json",
            **webhook_headers(),
        )
    assert response.status_code == 200
    [row] = DBTaskResult.objects.all()
    assert row.task_path == "transcription.tasks.store_webhook_delivery"
    assert row.args_kwargs["kwargs"]["body"]["status"] == "redacted_audio_ready"
    assert REDACTED_AUDIO_URL not in json.dumps(row.args_kwargs)


def test_the_unredacted_original_leaves_the_archive_once_the_copy_is_verified(
    mocked_http, django_capture_on_commit_callbacks
):
    transcript = waiting_transcript()
    original_name = transcript.audio.file.name
    mock_redacted_audio(mocked_http)
    with django_capture_on_commit_callbacks(execute=True):
        assert redacted_audio_attempt(transcript_id=transcript.pk, client=None) == "archived"
    transcript.refresh_from_db()
    assert transcript.unredacted_audio is None
    assert original_name.rsplit("/", 1)[-1] not in stored_names()
    assert AudioAsset.objects.count() == 1  # the row that held the original went with it


@override_settings(KEEP_UNREDACTED_AUDIO=True)
def test_with_keep_unredacted_audio_the_original_is_kept_apart(mocked_http):
    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    assert redacted_audio_attempt(transcript_id=transcript.pk) == "archived"
    transcript.refresh_from_db()
    kept = transcript.unredacted_audio
    assert kept is not None and kept.redaction == Redaction.NONE
    with asset_open(kept) as stored:
        assert stored.read() == ORIGINAL
    with asset_open(transcript.audio) as stored:
        assert stored.read() == REDACTED_AUDIO


def test_a_copy_that_does_not_verify_is_not_swapped_in_and_is_tried_again(mocked_http, monkeypatch):
    from audio import services

    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    monkeypatch.setattr(services, "_file_digest", lambda asset: (asset.size, "0" * 64))
    assert redacted_audio_attempt(transcript_id=transcript.pk) == "retrying"
    transcript.refresh_from_db()
    assert transcript.redacted_audio == RedactedAudio.WAITING
    assert "does not match" in transcript.redacted_audio_error
    assert transcript.audio.redaction == Redaction.WAITING
    with asset_open(transcript.audio) as stored:
        assert stored.read() == ORIGINAL  # still there, still withheld
    assert AudioAsset.objects.count() == 1


def test_a_second_attempt_after_the_copy_is_archived_does_nothing(mocked_http):
    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    assert redacted_audio_attempt(transcript_id=transcript.pk) == "archived"
    assert redacted_audio_attempt(transcript_id=transcript.pk, force=True) == "skipped"
    assert len(mocked_http.calls) == 2


# -- the redacted audio, by polling -----------------------------------------------------------------


@override_settings(**REDACT, TRANSCRIPTION_WEBHOOKS="off")
def test_when_polling_the_redacted_audio_is_asked_for_until_it_is_ready(task_queue, mocked_http):
    mock_media(mocked_http, ORIGINAL)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=redacted_transcript_json())
    answers = iter([(400, {"error": "Redacted audio is not ready yet."})])
    ready = (200, {"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL})

    def redacted_audio_api(request):
        status, body = next(answers, ready)
        return status, {}, json.dumps(body)

    mocked_http.add_callback("GET", REDACTED_AUDIO_API, callback=redacted_audio_api)
    mocked_http.get(REDACTED_AUDIO_URL, body=REDACTED_AUDIO, content_type="audio/mpeg")
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    assert task_queue.outcomes == ["archived", "submitted", "completed", "retrying", "archived"]
    transcript.refresh_from_db()
    assert transcript.text == REDACTED_TEXT
    assert transcript.redacted_audio == RedactedAudio.ARCHIVED
    with asset_open(transcript.audio) as stored:
        assert stored.read() == REDACTED_AUDIO


def test_sync_transcripts_fetches_redacted_audio_a_lost_task_left_behind(mocked_http):
    transcript = waiting_transcript()
    mock_redacted_audio(mocked_http)
    report = transcripts_sync()
    assert f"#{transcript.pk} redacted audio: archived" in report.polled
    transcript.refresh_from_db()
    assert transcript.redacted_audio == RedactedAudio.ARCHIVED


# -- expiry -----------------------------------------------------------------------------------------


def test_redacted_audio_not_downloaded_within_24_hours_expires_and_says_so(mocked_http):
    transcript = waiting_transcript(completed_ago=timedelta(hours=23, minutes=58))
    mock_redacted_audio(mocked_http, ready=False)
    assert redacted_audio_attempt(transcript_id=transcript.pk) == "expired"
    transcript.refresh_from_db()
    assert transcript.redacted_audio == RedactedAudio.EXPIRED
    assert "expired" in transcript.redacted_audio_error and "24 hours" in transcript.redacted_audio_error
    assert transcript.audio.redaction == Redaction.WAITING  # the original stays withheld


def test_retries_stop_at_the_last_moment_before_the_copy_goes(task_queue, mocked_http):
    transcript = waiting_transcript(completed_ago=timedelta(hours=20))
    mocked_http.get(REDACTED_AUDIO_API, status=503, json={"error": "busy"})
    with task_queue.capture(execute=True):
        redacted_audio_attempt(transcript_id=transcript.pk)
    task_queue.run_all()
    assert task_queue.outcomes[-1] == "expired"
    assert set(task_queue.outcomes[:-1]) == {"retrying"}
    transcript.refresh_from_db()
    assert "503" in transcript.redacted_audio_error
    deadline = transcript.completed_at + timedelta(hours=24)
    assert all(r.ran_at <= deadline for r in task_queue.ran)


# -- never the original while waiting ---------------------------------------------------------------


@override_settings(**REDACT)
def test_while_waiting_the_recordings_proxy_serves_nothing_and_never_asks_twilio(
    staff_client, task_queue, mocked_http
):
    from tests.fakes import RECORDING_SID

    request_recording_transcript(task_queue)  # not archived yet: the proxy would stream from Twilio
    asked_before = len(mocked_http.calls)
    response = staff_client.get(f"/recordings/{RECORDING_SID}/media/")
    assert response.status_code == 404
    assert "withheld" in response.content.decode()
    assert len(mocked_http.calls) == asked_before


def test_while_waiting_the_transcript_page_has_no_player(staff_client, staff_user):
    transcript = waiting_transcript(owner=staff_user)
    page = staff_client.get(transcript.get_absolute_url())
    assert page.status_code == 200
    assert b"<audio" not in page.content
    assert staff_client.get(f"/transcription/{transcript.pk}/audio/").status_code == 404


@override_settings(**REDACT)
def test_a_sample_call_is_never_redacted_and_plays_at_once(staff_user):
    import samples
    from transcription.sample_calls import sample_load

    transcript = sample_load(owner=staff_user, sample=samples.TUTORIAL)
    assert not transcript.redact_pii
    assert transcript.audio.redaction == Redaction.NONE
    assert transcripts_sync().polled == []


def test_the_transcribe_command_redacts_the_one_it_is_told_is_sensitive(mocked_http, capsys):
    from django.core.management import call_command

    mocked_http.post(SUBMIT_URL, json=transcript_json())
    call_command("transcribe", "https://cdn.example.org/interview.mp3", "--sensitive")
    body = submitted_bodies(mocked_http)[0]
    assert body["redact_pii"] is True and body["redact_pii_audio"] is True
    assert Transcript.objects.get().redact_pii
