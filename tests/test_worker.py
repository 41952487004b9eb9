"""The real worker: django-tasks-db's `db_worker --batch` runs the pipeline from its database queue."""

import json
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from caller.models import Recording
from djtranscribe.lib.tasks import INBOX_PRIORITY
from tests.fakes import (
    AAI,
    AUDIO,
    JOB_ID,
    RECORDING_SID,
    mock_media,
    mock_upload,
    recording_callback,
    transcript_json,
    webhook_headers,
)
from tests.fakes.tasks import DATABASE_TASKS
from transcription.models import Transcript, WebhookDelivery
from transcription.pipeline.submit import SUBMIT_LEASE, _claim_for_submission
from transcription.pipeline.sync import transcripts_sync
from transcription.queue import queue_submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks():
    """The production backend; the worker installs signal handlers, which are put back after."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    with override_settings(TASKS=DATABASE_TASKS):
        yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def aai_calls(mocked_http):
    return [c for c in mocked_http.calls if c.request.url.startswith(AAI)]


def run_task(row: DBTaskResult) -> None:
    """Run one queued task as the worker would, alone (the batch worker runs them all)."""
    row.claim("test-worker")
    row.set_successful(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))


def run_worker():
    call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay", verbosity=0
    )


def test_the_real_worker_runs_the_chain_from_callback_to_completed_transcript(
    database_tasks, client, twilio_post, mocked_http
):
    mock_media(mocked_http)
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))

    assert twilio_post("/twilio/recording-status/", recording_callback()).status_code == 204
    # The request wrote one row: the task carrying the callback, ahead of everything else.
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.queue_name, queued.status, queued.priority) == (
        "caller.tasks.store_recording",
        "inbox",
        "READY",
        INBOX_PRIORITY,
    )
    assert not Recording.objects.exists()
    # Stores the recording, archives it, which queues the submission, which the batch runs too.
    run_worker()
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert (transcript.status, transcript.job_id) == ("queued", JOB_ID)
    assert received == [AUDIO]

    hook = json.loads(mocked_http.calls[3].request.body)["webhook_url"].removeprefix(
        "https://djt.example.com"
    )
    response = client.post(
        hook,
        data={"transcript_id": JOB_ID, "status": "completed"},
        content_type="application/json",
        **webhook_headers(),
    )
    assert response.status_code == 200
    # The answer came once the delivery was a task row; the worker stores it, then fetches.
    inbox = DBTaskResult.objects.get(status="READY")
    assert (inbox.task_path, inbox.priority) == ("transcription.tasks.store_webhook_delivery", INBOX_PRIORITY)
    assert not WebhookDelivery.objects.exists()
    run_worker()

    transcript.refresh_from_db()
    assert (transcript.status, transcript.text) == ("completed", "Ahoy, this is a test call.")
    assert WebhookDelivery.objects.get().processed_at is not None
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 5


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url", TRANSCRIPTION_RETRY_DELAY=30.0)
def test_the_real_worker_defers_a_retry_with_run_after(database_tasks, twilio_post, mocked_http):
    mock_media(mocked_http)  # archived all the same; AssemblyAI gets Twilio's URL
    mocked_http.post(f"{AAI}/v2/transcript", json={"error": "Service unavailable"}, status=503)
    twilio_post("/twilio/recording-status/", recording_callback())
    run_worker()  # the retry is not due yet, so the batch ends after one attempt
    transcript = Transcript.objects.get()
    assert (transcript.status, transcript.attempts) == ("pending", 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == transcript.next_attempt_at
    assert 29 <= (retry.run_after - retry.enqueued_at).total_seconds() <= 31
    assert len(aai_calls(mocked_http)) == 1


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_a_task_row_left_running_by_a_killed_worker_is_recovered_by_sync(
    database_tasks, twilio_post, mocked_http
):
    mock_media(mocked_http)
    twilio_post("/twilio/recording-status/", recording_callback())
    run_task(DBTaskResult.objects.get(task_path="caller.tasks.store_recording"))  # the worker's first task
    task_row = DBTaskResult.objects.get(task_path="transcription.tasks.submit_transcript")
    # What a worker killed mid-task leaves: the task claimed (RUNNING forever), the row claimed too.
    task_row.claim("killed-worker")
    transcript = Transcript.objects.get()
    assert _claim_for_submission(transcript.pk, timezone.now()) is not None
    run_worker()  # only the archive is READY: the submission's task is stuck
    assert aai_calls(mocked_http) == []

    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    transcripts_sync(now=timezone.now() + SUBMIT_LEASE + timedelta(seconds=1))
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id, transcript.attempts) == ("queued", JOB_ID, 2)
    assert [(c.request.method, c.request.url) for c in aai_calls(mocked_http)] == [
        ("POST", f"{AAI}/v2/transcript")
    ]


def test_the_real_worker_stores_a_webhook_delivery_before_work_queued_earlier(
    database_tasks, client, submitted, mocked_http
):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    queue_submit(submitted.pk)  # already submitted: this attempt finds nothing to do
    response = client.post(
        f"/transcription/webhook/{submitted.webhook_token}/",
        data={"transcript_id": JOB_ID, "status": "completed"},
        content_type="application/json",
        **webhook_headers(),
    )
    assert response.status_code == 200
    run_worker()
    ran = DBTaskResult.objects.order_by("started_at").values_list("task_path", "status")
    assert [(path.rsplit(".", 1)[-1], status) for path, status in ran] == [
        ("store_webhook_delivery", "SUCCESSFUL"),
        ("submit_transcript", "SUCCESSFUL"),
        ("fetch_transcript", "SUCCESSFUL"),
    ]
    submitted.refresh_from_db()
    assert submitted.status == "completed"
