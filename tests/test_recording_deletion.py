"""TWILIO_DELETE_RECORDINGS: a recording is deleted at Twilio once its transcript is completed and stored."""

import pytest
from django.test import override_settings

from audio.services import asset_archive
from caller.audio import recording_asset
from caller.models import Recording
from tests.factories import make_recording, make_transcript
from tests.fakes import (
    AAI,
    ACCOUNT,
    AUDIO,
    CALL_SID,
    JOB_ID,
    RECORDING_SID,
    deliver_webhook,
    transcript_json,
)

pytestmark = pytest.mark.django_db

TWILIO_RECORDING = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json"
GET_URL = f"{AAI}/v2/transcript/{JOB_ID}"


def archive(recording):
    """The recording archived as the worker does it (verified size and SHA-256)."""
    return asset_archive(asset=recording_asset(recording), chunks=[AUDIO], name=f"twilio/{recording.sid}.wav")


@pytest.fixture
def submitted():
    """The shared `submitted` transcript, here of a stored Twilio recording."""
    recording = make_recording(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    return make_transcript(
        submitted=True, recording_sid=RECORDING_SID, call_sid=CALL_SID, audio=archive(recording)
    )


def job_ends(client, task_queue, transcript, status="completed"):
    """AssemblyAI's webhook arrives and the worker runs everything it queues."""
    deliver_webhook(client, task_queue, transcript, {"transcript_id": JOB_ID, "status": status})
    task_queue.run_all()
    transcript.refresh_from_db()


def twilio_deletes(mocked_http):
    return [c for c in mocked_http.calls if c.request.method == "DELETE"]


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_completed_transcript_deletes_its_recording_at_twilio(client, submitted, task_queue, mocked_http):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    mocked_http.delete(TWILIO_RECORDING, status=204)
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed", "deleted"]
    assert [c.request.url for c in twilio_deletes(mocked_http)] == [TWILIO_RECORDING]
    assert Recording.objects.get().status == "deleted"
    assert (submitted.status, submitted.text) == ("completed", "Ahoy, this is a test call.")


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_recording_not_archived_yet_is_kept_at_twilio(client, submitted, task_queue, mocked_http):
    from audio.models import AudioAsset

    AudioAsset.objects.update(archived_at=None)
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed", "skipped"]
    assert twilio_deletes(mocked_http) == []
    assert Recording.objects.get().status == "completed"


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_recording_deleted_at_twilio_still_plays_from_the_archive(
    client, staff_client, submitted, task_queue, mocked_http
):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    mocked_http.delete(TWILIO_RECORDING, status=204)
    job_ends(client, task_queue, submitted)
    assert Recording.objects.get().status == "deleted"
    response = staff_client.get(f"/recordings/{RECORDING_SID}/media/", HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == AUDIO[:4]
    page = staff_client.get(submitted.get_absolute_url()).content.decode()
    assert f"/recordings/{RECORDING_SID}/media/" in page


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_the_deletion_is_queued_only_after_the_result_is_committed(submitted, task_queue, mocked_http):
    from transcription.pipeline.fetch import transcript_fetch_attempt

    mocked_http.get(GET_URL, json=transcript_json("completed"))
    with task_queue.capture(execute=False):
        transcript_fetch_attempt(transcript_id=submitted.pk)
    assert task_queue.pending == []


def test_recordings_are_kept_by_default(client, submitted, task_queue, mocked_http, settings):
    assert settings.TWILIO_DELETE_RECORDINGS is False
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed"]
    assert twilio_deletes(mocked_http) == []
    assert Recording.objects.get().status == "completed"


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_transcript_that_ended_in_error_keeps_its_recording(client, submitted, task_queue, mocked_http):
    mocked_http.get(GET_URL, json=transcript_json("error", error="Download error, unable to download"))
    job_ends(client, task_queue, submitted, status="error")
    assert submitted.status == "error"
    assert twilio_deletes(mocked_http) == []
    assert Recording.objects.get().status == "completed"


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_recording_twilio_no_longer_has_counts_as_deleted(client, submitted, task_queue, mocked_http):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    mocked_http.delete(
        TWILIO_RECORDING, status=404, json={"code": 20404, "message": "not found", "status": 404}
    )
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed", "deleted"]
    assert Recording.objects.get().status == "deleted"


@override_settings(TWILIO_DELETE_RECORDINGS=True, TRANSCRIPTION_RETRY_DELAY=10.0)
def test_a_deletion_that_fails_transiently_is_retried_with_backoff(
    client, submitted, task_queue, mocked_http
):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    mocked_http.delete(
        TWILIO_RECORDING, status=503, json={"code": 20503, "message": "unavailable", "status": 503}
    )
    mocked_http.delete(TWILIO_RECORDING, status=500, json={"code": 20500, "message": "oops", "status": 500})
    mocked_http.delete(TWILIO_RECORDING, status=204)
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed", "retrying", "retrying", "deleted"]
    assert task_queue.delays()[-2:] == [10, 20]
    assert Recording.objects.get().status == "deleted"
    assert submitted.status == "completed"


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_refused_deletion_keeps_the_recording_and_the_transcript_saying_why(
    client, submitted, task_queue, mocked_http
):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    mocked_http.delete(
        TWILIO_RECORDING, status=401, json={"code": 20003, "message": "Authenticate", "status": 401}
    )
    job_ends(client, task_queue, submitted)
    assert task_queue.outcomes == ["completed", "failed"]
    recording = Recording.objects.get()
    assert recording.status == "completed"
    assert recording.error.startswith("Not deleted at Twilio: Twilio refused to delete recording")
    assert "TWILIO_AUTH_TOKEN" in recording.error
    assert (submitted.status, submitted.text) == ("completed", "Ahoy, this is a test call.")


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_deletion_queued_before_a_resubmission_deletes_nothing(submitted, task_queue, mocked_http):
    from caller.services import recording_delete_attempt

    assert recording_delete_attempt(recording_sid=RECORDING_SID) == "skipped"  # still queued
    assert twilio_deletes(mocked_http) == []


def test_the_transcription_app_never_imports_caller():
    from pathlib import Path

    source = "\n".join(
        p.read_text() for p in (Path(__file__).resolve().parent.parent / "transcription").rglob("*.py")
    )
    assert "import caller" not in source and "from caller" not in source
