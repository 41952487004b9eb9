"""sync_transcripts: whatever a dead worker or a lost webhook left behind is finished, once."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from caller.models import Call, Recording
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import (
    AAI,
    CALL_SID,
    JOB_ID,
    MEDIA_URL,
    RECORDING_SID,
    RECORDINGS_URL,
    SUBMIT_URL,
    WorkerKilled,
    mock_media,
    request_recording_transcript,
    submitted_bodies,
    transcript_json,
    twilio_recordings,
)
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.create import transcript_create
from transcription.pipeline.submit import SUBMIT_LEASE
from transcription.pipeline.sync import transcripts_sync

pytestmark = pytest.mark.django_db

GET_URL = f"{AAI}/v2/transcript/{JOB_ID}"


def kill_during_upload(request):
    next(iter(request.body))  # the download has started...
    raise WorkerKilled  # ...and the process is gone


def run(**options):
    out = StringIO()
    call_command("sync_transcripts", stdout=out, stderr=out, **options)
    return out.getvalue()


def test_a_worker_killed_mid_submission_is_finished_by_sync_once_its_lease_ends(task_queue, mocked_http):
    mock_media(mocked_http)
    mocked_http.add_callback("POST", f"{AAI}/v2/upload", callback=kill_during_upload)
    transcript = request_recording_transcript(task_queue)
    with pytest.raises(WorkerKilled):
        task_queue.run_all()
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id, transcript.attempts) == ("pending", None, 1)

    # While the dead attempt's lease runs, sync leaves the row alone (it might still be uploading).
    assert transcripts_sync().submitted == []

    mocked_http.replace(
        "POST", f"{AAI}/v2/upload", json={"upload_url": "https://cdn.assemblyai.com/upload/2"}
    )
    mock_media(mocked_http)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    later = timezone.now() + SUBMIT_LEASE + timedelta(seconds=1)
    with task_queue.capture(execute=True):
        report = transcripts_sync(now=later)
    assert report.submitted == [f"#{transcript.pk}: submitted"]
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id, transcript.attempts) == ("queued", JOB_ID, 2)

    # The killed task, if anything ever runs it again, and a second sync change nothing.
    task_queue.run_all()
    assert task_queue.outcomes == ["archived", "skipped"]
    assert transcripts_sync(now=later).submitted == []
    assert len(submitted_bodies(mocked_http)) == 1
    assert Transcript.objects.count() == 1


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_it_submits_a_pending_row_whose_task_was_lost(mocked_http):
    transcript = transcript_create(audio_url=MEDIA_URL, recording_sid=RECORDING_SID, audio_source="url")
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    output = run()
    assert "1 submitted, 0 polled" in output
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id) == ("queued", JOB_ID)


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_it_leaves_a_row_alone_until_its_next_try_is_due(mocked_http):
    transcript = transcript_create(audio_url=MEDIA_URL, audio_source="url")
    transcript.next_attempt_at = timezone.now() + timedelta(minutes=3)
    transcript.save()
    assert "0 submitted" in run()
    assert len(mocked_http.calls) == 0


def test_it_polls_a_job_whose_webhook_is_overdue(mocked_http):
    transcript = make_transcript(
        job_id=JOB_ID, status=TranscriptStatus.PROCESSING, submitted_at=timezone.now() - timedelta(minutes=30)
    )
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    output = run(verbosity=2)
    assert f"#{transcript.pk} {JOB_ID}: completed" in output
    assert "0 submitted, 1 polled" in output
    transcript.refresh_from_db()
    assert (transcript.status, transcript.text) == ("completed", "Ahoy, this is a test call.")


def test_it_does_not_poll_a_job_whose_webhook_can_still_come(mocked_http):
    make_transcript(job_id=JOB_ID, status=TranscriptStatus.QUEUED, submitted_at=timezone.now())
    assert "0 polled" in run()
    assert len(mocked_http.calls) == 0


def test_a_failing_poll_is_reported_and_the_rest_goes_on(mocked_http):
    old = timezone.now() - timedelta(hours=1)
    make_transcript(job_id="job-a", status=TranscriptStatus.QUEUED, submitted_at=old)
    make_transcript(job_id=JOB_ID, status=TranscriptStatus.QUEUED, submitted_at=old)
    mocked_http.get(f"{AAI}/v2/transcript/job-a", json={"error": "Service unavailable"}, status=503)
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    output = run()
    assert "AssemblyAI answered 503" in output
    assert Transcript.objects.get(job_id=JOB_ID).status == "completed"


def test_a_job_assemblyai_no_longer_knows_ends_in_error_instead_of_being_polled_forever(mocked_http):
    old = timezone.now() - timedelta(hours=1)
    transcript = make_transcript(job_id=JOB_ID, status=TranscriptStatus.PROCESSING, submitted_at=old)
    mocked_http.get(GET_URL, json={"error": "Transcript lookup error"}, status=400)
    assert "Transcript lookup error" in run()
    transcript.refresh_from_db()
    assert transcript.status == "error"
    assert "Transcript lookup error" in transcript.error
    calls_before = len(mocked_http.calls)
    assert "0 polled, 0 missed recordings found, 0 problems" in run()
    assert len(mocked_http.calls) == calls_before


def completed_call(minutes_ago=30):
    call = make_call(sid=CALL_SID, status="completed")
    Call.objects.filter(pk=call.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return call


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_it_finds_the_recording_of_a_call_whose_callback_never_came(task_queue, mocked_http):
    completed_call()
    mocked_http.get(
        re.compile(re.escape(RECORDINGS_URL) + r"\?CallSid=" + CALL_SID), json=twilio_recordings()
    )
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with task_queue.capture(execute=True):
        output = run()
    assert "1 missed recordings found" in output
    assert Recording.objects.get().sid == RECORDING_SID
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert (transcript.status, transcript.call_sid) == ("queued", CALL_SID)
    # The next run finds the recording stored and asks Twilio nothing more.
    calls_before = len(mocked_http.calls)
    assert "0 missed recordings found" in run()
    assert len(mocked_http.calls) == calls_before


def test_it_does_not_ask_twilio_about_a_call_that_just_ended(mocked_http):
    completed_call(minutes_ago=1)
    assert "0 missed recordings found" in run()
    assert len(mocked_http.calls) == 0


def test_a_recording_listing_that_fails_is_reported_not_fatal(mocked_http):
    completed_call()
    mocked_http.get(re.compile(re.escape(RECORDINGS_URL) + ".*"), status=500, json={"message": "boom"})
    output = run()
    assert "recordings_reconcile" in output
    assert "1 problems" in output


def test_watch_runs_rounds_until_stopped(mocked_http):
    output = run(watch=True, interval=0, rounds=3)
    assert output.count("sync_transcripts: 0 submitted") == 3


def test_a_sync_with_nothing_to_do_makes_no_requests(mocked_http):
    make_transcript(job_id=JOB_ID, status=TranscriptStatus.COMPLETED)
    assert run().strip() == "sync_transcripts: 0 submitted, 0 polled, 0 missed recordings found, 0 problems"
    assert len(mocked_http.calls) == 0


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_it_requests_the_transcript_of_a_stored_recording_that_has_none(task_queue, mocked_http):
    make_recording(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    Recording.objects.update(updated_at=timezone.now() - timedelta(minutes=30))
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with task_queue.capture(execute=True):
        output = run()
    assert "1 missed recordings found, 0 problems" in output
    assert Transcript.objects.get(recording_sid=RECORDING_SID).job_id == JOB_ID
    assert [c.request.url for c in mocked_http.calls] == [SUBMIT_URL]  # Twilio was not asked


def test_a_recording_whose_transcript_was_deleted_is_not_transcribed_again(mocked_http):
    make_recording(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    transcript = make_transcript(recording_sid=RECORDING_SID, status=TranscriptStatus.COMPLETED)
    transcript.delete()  # as the admin, purge_transcripts and transcript_delete do
    Recording.objects.update(updated_at=timezone.now() - timedelta(minutes=30))
    assert "0 missed recordings found, 0 problems" in run()
    assert not Transcript.objects.exists()
    assert len(mocked_http.calls) == 0


def test_a_call_without_recordings_is_asked_about_until_an_hour_after_it_ended_then_never(mocked_http):
    call = completed_call(minutes_ago=10)
    listing = mocked_http.get(
        re.compile(re.escape(RECORDINGS_URL) + r"\?CallSid=" + CALL_SID),
        json={"recordings": [], "next_page_uri": None, "page": 0, "page_size": 50},
    )
    run()
    run()  # still early: Twilio may not have posted the recording yet
    assert listing.call_count == 2
    ended = Call.objects.get(pk=call.pk).updated_at
    Call.objects.filter(pk=call.pk).update(recordings_checked_at=ended + timedelta(minutes=61))
    assert "0 missed recordings found, 0 problems" in run()
    assert listing.call_count == 2  # a listing an hour after the end found none: there are none
    assert Call.objects.get(pk=call.pk).updated_at == ended  # the call's end stays what it was
