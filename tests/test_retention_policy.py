"""RETENTION_AUDIO_DAYS and RETENTION_TRANSCRIPT_DAYS: the worker deletes every copy daily, each step
audited; a failing step leaves the copy, says so, and is tried again an hour later."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from audio.models import AudioAsset
from audio.services import asset_archive
from audit.models import AuditEvent
from caller.audio import recording_asset
from caller.models import RecordingStatus
from tests.factories import make_recording, make_transcript
from tests.fakes import AAI, ACCOUNT, JOB_ID, RECORDING_SID, tone_wav
from transcription.models import Transcript
from transcription.queue import queue_retention
from transcription.retention_policy import RETRY_AFTER_FAILURE, RUN_EVERY, retention_apply

pytestmark = pytest.mark.django_db

TWILIO_RECORDING = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json"
AAI_JOB = f"{AAI}/v2/transcript/{JOB_ID}"


def old_call_transcript(days=40):
    """A transcript of a call's recording, archived, made `days` days ago."""
    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32, status="completed")
    asset = asset_archive(asset=recording_asset(recording), chunks=[tone_wav(0.2)], name="twilio/old.wav")
    return make_transcript(
        completed=True,
        job_id=JOB_ID,
        recording_sid=RECORDING_SID,
        audio=asset,
        created_ago=timedelta(days=days),
    )


def deletions():
    return list(AuditEvent.objects.filter(action="deleted").values_list("obj_kind", "detail"))


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_old_audio_is_deleted_at_twilio_and_in_the_archive_and_the_text_stays(mocked_http):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=204)
    report = retention_apply()
    assert report.audio_deleted == [transcript.pk] and report.failures == []
    transcript.refresh_from_db()
    assert transcript.audio is None and transcript.audio_deleted_at is not None
    assert transcript.text  # the text stays
    assert AudioAsset.objects.count() == 0
    assert [c.request.method for c in mocked_http.calls] == ["DELETE"]
    assert ("transcript", f"retention: recording {RECORDING_SID} at Twilio") in deletions()
    assert any(kind == "audio" for kind, _ in deletions())


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_the_transcript_page_says_its_audio_expired(mocked_http, admin_client):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=204)
    retention_apply()
    page = admin_client.get(transcript.get_absolute_url()).content.decode()
    assert "by the retention policy" in page
    assert "<audio" not in page


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_young_audio_is_kept(mocked_http):
    old_call_transcript(days=10)
    assert retention_apply().audio_deleted == []
    assert len(mocked_http.calls) == 0


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_when_twilio_fails_the_archive_stays_the_failure_is_shown_and_the_next_run_deletes(mocked_http):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=503, json={"code": 20500, "message": "busy"})
    report = retention_apply()
    assert report.audio_deleted == [] and len(report.failures) == 1
    transcript.refresh_from_db()
    assert transcript.audio is not None and transcript.audio.is_archived  # nothing half-deleted
    assert "Twilio" in transcript.retention_error
    assert deletions() == []
    mocked_http.replace("DELETE", TWILIO_RECORDING, status=204)
    assert retention_apply().audio_deleted == [transcript.pk]
    transcript.refresh_from_db()
    assert transcript.retention_error == "" and transcript.audio is None
    assert transcript.recording_sid
    from caller.models import Recording

    assert Recording.objects.get(sid=RECORDING_SID).status == RecordingStatus.DELETED


@override_settings(RETENTION_TRANSCRIPT_DAYS=30)
def test_old_transcripts_are_deleted_at_assemblyai_here_and_in_the_archive(mocked_http):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=204)
    mocked_http.delete(AAI_JOB, json={"id": JOB_ID, "status": "completed"})
    report = retention_apply()
    assert report.transcripts_deleted == [transcript.pk]
    assert not Transcript.objects.exists() and not AudioAsset.objects.exists()
    assert sorted(c.request.url for c in mocked_http.calls) == sorted([TWILIO_RECORDING, AAI_JOB])
    assert ("transcript", "retention: transcript, its archive and AssemblyAI's copy") in deletions()


@override_settings(RETENTION_TRANSCRIPT_DAYS=30)
def test_a_transcript_assemblyai_did_not_delete_is_kept_and_says_why(mocked_http):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=204)
    mocked_http.delete(AAI_JOB, status=500, json={"error": "internal"})
    report = retention_apply()
    assert report.transcripts_deleted == [] and report.failures
    transcript.refresh_from_db()
    assert "AssemblyAI did not delete it" in transcript.retention_error


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_the_daily_task_runs_again_in_an_hour_after_a_failure_and_in_a_day_otherwise(task_queue, mocked_http):
    transcript = old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=503, json={"code": 20500, "message": "busy"})
    with task_queue.capture(execute=True):
        assert queue_retention()
    first = task_queue.pending[0]
    with task_queue.capture(execute=True):
        outcome = first.task.call()
    assert "1 failures" in outcome
    retry = task_queue.backend.results[-1]
    assert retry.task.name == "apply_retention"
    assert abs((retry.task.run_after - timezone.now()) - RETRY_AFTER_FAILURE) < timedelta(minutes=1)
    mocked_http.replace("DELETE", TWILIO_RECORDING, status=204)
    with task_queue.capture(execute=True):
        assert "audio of 1 transcripts deleted" in retry.task.call()
    following = task_queue.backend.results[-1]
    assert abs((following.task.run_after - timezone.now()) - RUN_EVERY) < timedelta(minutes=1)
    transcript.refresh_from_db()
    assert transcript.audio_deleted_at is not None


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_run_retention_reports_a_failure_and_exits_non_zero(mocked_http):
    old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=503, json={"code": 20500, "message": "busy"})
    with pytest.raises(CommandError, match="1 failures"):
        call_command("run_retention")


def test_run_retention_without_a_policy_does_nothing(capsys, mocked_http):
    old_call_transcript()
    call_command("run_retention")
    assert "nothing done" in capsys.readouterr().out
    assert Transcript.objects.get().audio is not None


@override_settings(RETENTION_AUDIO_DAYS=30)
def test_a_failed_step_shows_in_the_admins_list_of_transcripts(mocked_http, admin_client):
    old_call_transcript()
    mocked_http.delete(TWILIO_RECORDING, status=503, json={"code": 20500, "message": "busy"})
    retention_apply()
    page = admin_client.get("/admin/transcription/transcript/").content.decode()
    assert "Twilio did not delete recording" in page


def test_schedule_retention_never_queues_a_second_run_beside_a_waiting_one(task_queue):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from transcription.tasks import apply_retention

    # What the database backend holds while a run waits for its day (the worker's queue table).
    DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=apply_retention.module_path,
        queue_name="transcription",
        backend_name="default",
        run_after=timezone.now() + timedelta(hours=5),
    )
    with task_queue.capture(execute=True):
        call_command("schedule_retention", verbosity=0)
    assert task_queue.pending == []
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)  # a worker killed mid-run leaves this
    with task_queue.capture(execute=True):
        call_command("schedule_retention", verbosity=0)
    assert [r.task.name for r in task_queue.pending] == ["apply_retention"]
