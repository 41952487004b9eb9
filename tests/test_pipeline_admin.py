"""Admin actions (resubmit, re-fetch) and the pipeline's system checks."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tests.factories import make_transcript
from tests.fakes import AAI, JOB_ID, MEDIA_URL, RECORDING_SID
from transcription import admin_actions
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.create import transcript_request
from transcription.pipeline.fetch import transcript_fetch_attempt

pytestmark = pytest.mark.django_db


class FakeModelAdmin:
    def __init__(self):
        self.messages = []

    def message_user(self, request, message, level=None):
        self.messages.append(message)


def failed_transcript(**fields):
    values = {
        "audio_url": MEDIA_URL,
        "recording_sid": RECORDING_SID,
        "job_id": JOB_ID,
        "status": TranscriptStatus.ERROR,
        "error": "Download error",
        "attempts": 3,
    }
    values.update(fields)
    return make_transcript(**values)


def test_resubmit_starts_a_failed_transcript_over_as_a_new_job(task_queue):
    transcript = failed_transcript()
    old_token = transcript.webhook_token
    modeladmin = FakeModelAdmin()
    with task_queue.capture(execute=True):
        admin_actions.resubmit(modeladmin, None, Transcript.objects.all())
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id, transcript.error, transcript.attempts) == (
        "pending",
        None,
        "",
        0,
    )
    assert transcript.webhook_token != old_token  # late webhooks of the old job land nowhere
    assert [(r.task.name, r.args) for r in task_queue.pending] == [
        ("delete_orphan_job", [JOB_ID]),
        ("submit_transcript", [transcript.pk]),
    ]
    assert modeladmin.messages == ["Queued 1 transcript(s) for submission."]


def test_resubmit_deletes_the_old_job_at_assemblyai(task_queue, mocked_http):
    failed_transcript()
    mocked_http.delete(f"{AAI}/v2/transcript/{JOB_ID}", json={"id": JOB_ID, "status": "error"})
    with task_queue.capture(execute=True):
        admin_actions.resubmit(FakeModelAdmin(), None, Transcript.objects.all())
    task_queue.backend.results[:] = [r for r in task_queue.pending if r.task.name == "delete_orphan_job"]
    task_queue.run_all()
    assert task_queue.outcomes == ["deleted at AssemblyAI"]
    assert [c.request.method for c in mocked_http.calls] == ["DELETE"]


def test_resubmit_leaves_a_completed_transcript_alone(task_queue):
    failed_transcript(status=TranscriptStatus.COMPLETED, text="kept")
    modeladmin = FakeModelAdmin()
    with task_queue.capture(execute=True):
        admin_actions.resubmit(modeladmin, None, Transcript.objects.all())
    assert Transcript.objects.get().text == "kept"
    assert task_queue.pending == []
    assert "Skipped 1 completed" in modeladmin.messages[1]


def test_refetch_queues_a_fetch_for_open_jobs_only(task_queue):
    open_job = failed_transcript(status=TranscriptStatus.PROCESSING, error="")
    failed_transcript(recording_sid="RE" + "4" * 32, job_id="other-job")
    modeladmin = FakeModelAdmin()
    with task_queue.capture(execute=True):
        admin_actions.refetch(modeladmin, None, Transcript.objects.all())
    assert [(r.task.name, r.args) for r in task_queue.pending] == [("fetch_transcript", [open_job.pk])]
    assert modeladmin.messages[0] == "Queued a fetch for 1 transcript(s)."


def test_a_fetch_refused_for_a_bad_key_keeps_the_job_open(task_queue, mocked_http):
    transcript = failed_transcript(status=TranscriptStatus.QUEUED, error="")
    mocked_http.get(
        f"https://api.assemblyai.com/v2/transcript/{JOB_ID}", json={"error": "bad key"}, status=401
    )
    assert transcript_fetch_attempt(transcript_id=transcript.pk) == "failed"
    transcript.refresh_from_db()
    assert transcript.status == "queued"
    assert "Check ASSEMBLYAI_KEY" in transcript.last_error


def test_a_public_url_in_upload_mode_is_handed_over_without_a_download(task_queue, mocked_http):
    mocked_http.post("https://api.assemblyai.com/v2/transcript", json={"id": JOB_ID, "status": "queued"})
    with task_queue.capture(execute=True):
        transcript, _ = transcript_request(audio_url="https://example.com/public.mp3")
    task_queue.run_all()
    transcript.refresh_from_db()
    assert (transcript.audio_source, transcript.job_id) == ("url", JOB_ID)
    assert [c.request.url for c in mocked_http.calls] == ["https://api.assemblyai.com/v2/transcript"]


def check_ids():
    return {message.id for message in run_checks()}


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="download")
def test_a_wrong_audio_source_fails_the_checks():
    assert "transcription.E001" in check_ids()


@override_settings(TRANSCRIPTION_WEBHOOKS="sometimes")
def test_a_wrong_webhooks_mode_fails_the_checks():
    assert "transcription.E002" in check_ids()


@override_settings(ASSEMBLYAI_WEBHOOK_SECRET="")
def test_webhooks_without_a_secret_need_no_warning_since_a_derived_one_is_used():
    assert "transcription.W001" not in check_ids()


def test_the_test_settings_pass_the_pipeline_checks():
    assert not {i for i in check_ids() if i.startswith("transcription.")}


def test_the_transcript_changelist_offers_and_runs_the_resubmit_action(admin_client_logged, task_queue):
    transcript = failed_transcript()
    changelist = "/admin/transcription/transcript/"
    page = admin_client_logged.get(changelist)
    assert b'value="resubmit"' in page.content and b'value="refetch"' in page.content
    with task_queue.capture(execute=True):
        response = admin_client_logged.post(
            changelist, {"action": "resubmit", "_selected_action": [transcript.pk]}, follow=True
        )
    assert b"Queued 1 transcript(s) for submission." in response.content
    transcript.refresh_from_db()
    assert transcript.status == "pending"
