"""Orphan jobs: a job AssemblyAI made for a submission whose answer we never stored is deleted there.

Every job's webhook_url carries its transcript's token, so the orphan's webhook arrives at our
endpoint naming a job other than the row's own.
"""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_transcript
from tests.fakes import AAI, JOB_ID, WorkerKilled, deliver_webhook, transcript_json
from transcription.models import Transcript, TranscriptStatus, WebhookDelivery
from transcription.pipeline.create import transcript_request
from transcription.pipeline.inbound import webhook_received
from transcription.pipeline.submit import SUBMIT_LEASE
from transcription.pipeline.sync import transcripts_sync

pytestmark = pytest.mark.django_db

ORPHAN = "0rphan00-aaaa-bbbb-cccc-000000000001"
ORPHAN_URL = f"{AAI}/v2/transcript/{ORPHAN}"


def deliver(client, task_queue, transcript, job_id, status="completed"):
    response = deliver_webhook(client, task_queue, transcript, {"transcript_id": job_id, "status": status})
    assert response.status_code == 200
    return WebhookDelivery.objects.order_by("-pk").first()


def test_an_orphans_webhook_deletes_the_orphan_at_assemblyai_and_leaves_the_row_alone(
    client, submitted, task_queue, mocked_http
):
    mocked_http.delete(ORPHAN_URL, json=transcript_json("completed", job_id=ORPHAN))
    delivery = deliver(client, task_queue, submitted, ORPHAN)
    assert "Orphan job" in delivery.note
    task_queue.run_all()
    assert [(c.request.method, c.request.url) for c in mocked_http.calls] == [("DELETE", ORPHAN_URL)]
    delivery.refresh_from_db()
    assert delivery.note == f"Orphan job {ORPHAN}: deleted at AssemblyAI."
    assert delivery.processed_at is not None
    submitted.refresh_from_db()
    assert (submitted.job_id, submitted.status, submitted.webhook_received_at) == (JOB_ID, "queued", None)


def test_the_deletion_waits_for_the_commit(submitted, task_queue, mocked_http):
    with task_queue.capture(execute=False):
        webhook_received(token=submitted.webhook_token, body={"transcript_id": ORPHAN, "status": "completed"})
    assert task_queue.pending == []


@pytest.mark.parametrize(
    "status, body",
    [(400, {"error": "Transcript lookup error, transcript id not found"}), (404, {"error": "Not found"})],
)
def test_an_orphan_assemblyai_no_longer_knows_counts_as_deleted(
    client, submitted, task_queue, mocked_http, status, body
):
    mocked_http.delete(ORPHAN_URL, json=body, status=status)
    delivery = deliver(client, task_queue, submitted, ORPHAN)
    task_queue.run_all()
    assert task_queue.outcomes == ["already gone at AssemblyAI"]
    delivery.refresh_from_db()
    assert delivery.note == f"Orphan job {ORPHAN}: already gone at AssemblyAI."


@override_settings(TRANSCRIPTION_RETRY_DELAY=10.0)
def test_a_deletion_that_fails_transiently_is_retried_with_backoff(
    client, submitted, task_queue, mocked_http
):
    mocked_http.delete(ORPHAN_URL, json={"error": "Service unavailable"}, status=503)
    mocked_http.delete(ORPHAN_URL, json={"error": "Service unavailable"}, status=503)
    mocked_http.delete(ORPHAN_URL, json=transcript_json("completed", job_id=ORPHAN))
    delivery = deliver(client, task_queue, submitted, ORPHAN)
    task_queue.run_all()
    assert task_queue.outcomes == ["retrying", "retrying", "deleted at AssemblyAI"]
    assert task_queue.delays() == [10, 20]
    delivery.refresh_from_db()
    assert delivery.note.endswith("deleted at AssemblyAI.")


def test_the_rows_own_job_is_never_deleted(client, submitted, task_queue, mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    deliver(client, task_queue, submitted, JOB_ID)
    task_queue.run_all()
    assert [c.request.method for c in mocked_http.calls] == ["GET"]
    submitted.refresh_from_db()
    assert submitted.status == "completed"


def test_a_row_without_a_job_id_yet_deletes_nothing(client, task_queue, mocked_http):
    # The webhook beat the commit of the job id: it is the row's own job, fetched after the submit.
    transcript = make_transcript(audio_url="https://x.example/a.wav", audio_source="url")
    deliver(client, task_queue, transcript, ORPHAN)
    assert [r.task.name for r in task_queue.pending] == []
    assert WebhookDelivery.objects.get().note == ""


def test_an_orphans_webhook_after_the_row_completed_still_deletes_the_orphan(
    client, submitted, task_queue, mocked_http
):
    Transcript.objects.filter(pk=submitted.pk).update(status=TranscriptStatus.COMPLETED, text="kept")
    mocked_http.delete(ORPHAN_URL, json=transcript_json("completed", job_id=ORPHAN))
    deliver(client, task_queue, submitted, ORPHAN)
    task_queue.run_all()
    assert [c.request.method for c in mocked_http.calls] == ["DELETE"]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.text) == ("completed", "kept")


def test_a_job_another_row_holds_is_never_deleted(client, submitted, task_queue, mocked_http):
    other = make_transcript(job_id=ORPHAN, status=TranscriptStatus.COMPLETED, text="theirs")
    delivery = deliver(client, task_queue, submitted, ORPHAN)
    assert task_queue.pending == []
    assert delivery.note == f"Job {ORPHAN} belongs to transcript {other.pk}, not {submitted.pk}: ignored."


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_a_worker_killed_during_the_submission_leaves_an_orphan_that_is_cleaned_up(
    client, task_queue, mocked_http
):
    answers = iter([ORPHAN, JOB_ID])

    def submit(request):
        job_id = next(answers)  # AssemblyAI made the job either way...
        if job_id == ORPHAN:
            raise WorkerKilled  # ...but the first worker died before storing its answer
        return 200, {}, json.dumps(transcript_json(job_id=job_id))

    mocked_http.add_callback("POST", f"{AAI}/v2/transcript", callback=submit)
    with task_queue.capture(execute=True):
        transcript, _ = transcript_request(audio_url="https://x.example/a.wav", recording_sid="RE" + "4" * 32)
    with pytest.raises(WorkerKilled):
        task_queue.run_all()
    with task_queue.capture(execute=True):
        transcripts_sync(now=timezone.now() + SUBMIT_LEASE + timedelta(seconds=1))
    transcript.refresh_from_db()
    assert transcript.job_id == JOB_ID

    mocked_http.delete(ORPHAN_URL, json=transcript_json("completed", job_id=ORPHAN))
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    deliver(client, task_queue, transcript, ORPHAN)
    deliver(client, task_queue, transcript, JOB_ID)
    task_queue.run_all()
    assert [(c.request.method, c.request.url.rsplit("/", 1)[-1]) for c in mocked_http.calls[-2:]] == [
        ("DELETE", ORPHAN),
        ("GET", JOB_ID),
    ]
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id) == ("completed", JOB_ID)
