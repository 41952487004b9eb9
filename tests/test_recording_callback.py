"""Twilio's recording-status callback: store the recording, request exactly one transcript."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from caller.callbacks import recording_callback_fields, recording_callback_store
from caller.models import Recording
from djtranscribe.lib.tasks import INBOX_PRIORITY
from tests.fakes import (
    AAI,
    ACCOUNT,
    AUDIO,
    JOB_ID,
    MEDIA_URL,
    RECORDING_SID,
    mock_media,
    mock_upload,
    recording_callback,
    run_inbox,
    submitted_bodies,
    transcript_json,
)
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

PATH = "/twilio/recording-status/"


def test_a_completed_recording_is_stored_its_archive_queued_and_its_transcript_made(
    twilio_post, task_queue, mocked_http
):
    with task_queue.capture(execute=True):
        response = twilio_post(PATH, recording_callback())
    assert response.status_code == 204
    assert len(mocked_http.calls) == 0  # no outbound HTTP inside the request
    recording = Recording.objects.get(sid=RECORDING_SID)
    assert (recording.status, recording.duration, recording.account_sid) == ("completed", 7, ACCOUNT)
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert (transcript.status, transcript.audio_url, transcript.audio_source) == (
        "pending",
        MEDIA_URL,
        "upload",
    )
    assert (transcript.audio.origin_kind, transcript.audio.origin_id) == ("twilio_recording", RECORDING_SID)
    # The upload reads from the archive: the submission waits for it.
    assert [(r.task.name, r.args) for r in task_queue.pending] == [("archive_recording", [RECORDING_SID])]


def test_the_archived_recording_is_uploaded_with_its_size_and_sha256_kept(
    twilio_post, task_queue, mocked_http
):
    mock_media(mocked_http)
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback())
    task_queue.run_all()
    assert task_queue.outcomes == ["archived", "submitted"]
    asset = Transcript.objects.get().audio
    assert (asset.size, asset.sha256) == (len(AUDIO), hashlib.sha256(AUDIO).hexdigest())
    assert asset.archived_at is not None
    with asset.file.open("rb") as stored:
        assert stored.read() == AUDIO
    assert received == [AUDIO]
    assert [c.request.url for c in mocked_http.calls].count(MEDIA_URL) == 1  # Twilio asked once


def test_the_submission_is_queued_only_on_commit(twilio_post, task_queue):
    with task_queue.capture(execute=False) as callbacks:
        twilio_post(PATH, recording_callback())
        assert task_queue.pending == []
    assert len(callbacks) == 1


def test_five_repeated_callbacks_make_one_recording_one_transcript_one_submission(
    twilio_post, task_queue, mocked_http
):
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    for _ in range(5):
        with task_queue.capture(execute=True):
            assert twilio_post(PATH, recording_callback()).status_code == 204
        task_queue.run_all()  # the worker keeps up between deliveries
    assert Recording.objects.count() == 1
    assert Transcript.objects.get().job_id == JOB_ID
    assert task_queue.outcomes == ["archived", "submitted"]
    assert len(submitted_bodies(mocked_http)) == 1


@pytest.mark.parametrize(
    "code, reason",
    [("16101", "shorter than the minimum length"), ("16102", "it was silent")],
)
def test_an_absent_recording_is_stored_with_the_reason_and_nothing_submitted(
    twilio_post, task_queue, code, reason
):
    with task_queue.capture(execute=True):
        response = twilio_post(PATH, recording_callback(status="absent", error_code=code))
    assert response.status_code == 204
    recording = Recording.objects.get(sid=RECORDING_SID)
    assert (recording.status, recording.error_code) == ("absent", code)
    assert reason in recording.error
    assert Transcript.objects.count() == 0
    assert task_queue.pending == []


def test_a_failed_recording_is_stored_with_the_reason_and_nothing_submitted(twilio_post, task_queue):
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback(status="failed", error_code="16100"))
    recording = Recording.objects.get(sid=RECORDING_SID)
    assert recording.status == "failed"
    assert recording.error == "Twilio failed to make the recording (error 16100)."
    assert Transcript.objects.count() == 0
    assert task_queue.pending == []


def test_a_late_in_progress_callback_does_not_move_the_recording_back(twilio_post, task_queue):
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback())
        twilio_post(PATH, recording_callback(status="in-progress"))
    assert Recording.objects.get(sid=RECORDING_SID).status == "completed"
    assert Transcript.objects.count() == 1


def test_an_in_progress_callback_requests_no_transcript(twilio_post, task_queue):
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback(status="in-progress"))
    assert Recording.objects.get(sid=RECORDING_SID).status == "in-progress"
    assert Transcript.objects.count() == 0


@pytest.mark.parametrize(
    "how",
    ["bad", "missing", "http-behind-https"],
)
def test_a_callback_with_a_wrong_signature_gets_403_and_stores_nothing(twilio_post, task_queue, how):
    params = recording_callback()
    if how == "bad":
        response = twilio_post(PATH, params, signature="dGhpcyBpcyBub3QgaXQ=")
    elif how == "missing":
        response = twilio_post(PATH, params, signature="")
    else:  # signed for the URL Django sees behind a TLS proxy, not the public https one
        response = twilio_post(PATH, params, base_url="http://djt.example.com")
    assert response.status_code == 403
    assert Recording.objects.count() == 0
    assert Transcript.objects.count() == 0
    assert task_queue.pending == []


def test_a_callback_missing_fields_gets_400_and_stores_nothing(twilio_post, task_queue):
    params = recording_callback()
    del params["RecordingSid"]
    response = twilio_post(PATH, params)
    assert response.status_code == 400
    assert b"RecordingSid" in response.content
    assert Recording.objects.count() == 0


def test_a_repeated_callback_after_the_transcript_was_deleted_does_not_transcribe_the_recording_again(
    twilio_post, task_queue
):
    from transcription.retention import transcript_delete

    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback())
        transcript_delete(Transcript.objects.get(recording_sid=RECORDING_SID))
    queued = len(task_queue.pending)
    with task_queue.capture(execute=True):
        response = twilio_post(PATH, recording_callback())
    assert response.status_code == 204
    assert not Transcript.objects.filter(recording_sid=RECORDING_SID).exists()
    assert len(task_queue.pending) == queued  # nor is its audio downloaded again


def test_a_recording_stored_late_keeps_the_time_its_callback_came(twilio_post, task_queue, monkeypatch):
    before = timezone.now()
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback(), worker=False)
    after = timezone.now()
    an_hour_later = after + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_later)  # the worker was behind
    with task_queue.capture(execute=True):
        assert run_inbox() == ["stored (completed)"]
    assert before <= Recording.objects.get().created_at <= after


@pytest.mark.parametrize("received_at", [None, "", "soon", "2026-12-06T10:00:00"], ids=repr)
def test_a_task_without_a_readable_aware_time_stores_the_recording_now(task_queue, received_at):
    fields = recording_callback_fields(recording_callback())
    fields.pop("received_at")
    if received_at is not None:  # None: queued before the time was carried
        fields["received_at"] = received_at
    before = timezone.now()
    with task_queue.capture(execute=True):
        assert recording_callback_store(fields) == "stored (completed)"
    assert Recording.objects.get().created_at >= before


def test_the_request_only_queues_the_callback_and_the_worker_stores_it_before_other_work(
    twilio_post, task_queue
):
    with task_queue.capture(execute=True):
        response = twilio_post(PATH, recording_callback(), worker=False)
    assert response.status_code == 204
    assert not Recording.objects.exists()  # one row in the request: the task (caller.callbacks)
    [queued] = task_queue.pending
    assert (queued.task.name, queued.task.queue_name, queued.task.priority) == (
        "store_recording",
        "inbox",
        INBOX_PRIORITY,
    )
    assert (queued.args[0]["sid"], queued.args[0]["duration"], queued.args[0]["started_at"]) == (
        RECORDING_SID,
        7,
        "2026-11-24T03:00:00+00:00",
    )
    with task_queue.capture(execute=True):
        assert run_inbox() == ["stored (completed)"]
    recording = Recording.objects.get()
    assert recording.started_at == datetime(2026, 11, 24, 3, tzinfo=UTC)
    assert [r.task.name for r in task_queue.pending] == ["archive_recording"]


def test_a_callback_delivered_twice_is_stored_once_with_one_transcript(twilio_post, task_queue):
    with task_queue.capture(execute=True):
        twilio_post(PATH, recording_callback(), worker=False)
        twilio_post(PATH, recording_callback(), worker=False)
        assert len(run_inbox()) == 2
    assert (Recording.objects.count(), Transcript.objects.count()) == (1, 1)
    assert {r.task.name for r in task_queue.pending} == {"archive_recording"}
