"""Background work of the transcription pipeline (Django's Tasks API, django-tasks backport).

Tasks take ids and only call a pipeline stage; the Transcript row holds attempts, the last
error and the next try. Queue them with transcription.queue (on commit). The exception is the
inbox task, store_webhook_delivery: it carries a webhook delivery itself, and the webhook's view
queues it at once, before it answers. Each task imports its stage when it runs: the stages
import transcription.queue, which imports these tasks.
"""

from django_tasks import task

from djtranscribe.lib.tasks import INBOX_PRIORITY, INBOX_QUEUE

QUEUE = "transcription"


@task(queue_name=INBOX_QUEUE, priority=INBOX_PRIORITY)
def store_webhook_delivery(token: str, body: dict, attempt: int = 0, received_at: str = "") -> str:
    """Store one AssemblyAI webhook delivery the view queued, and queue a fetch when it is news."""
    from .pipeline.inbound import webhook_delivery_store

    return webhook_delivery_store(token=token, body=body, attempt=attempt, received_at=received_at)


@task(queue_name=QUEUE)
def submit_transcript(transcript_id: int) -> str:
    """Upload and submit one pending transcript; retries itself on transient failures."""
    from .pipeline.submit import transcript_submit_attempt

    return transcript_submit_attempt(transcript_id=transcript_id)


@task(queue_name=QUEUE)
def fetch_transcript(transcript_id: int, poll: int | None = None, attempt: int = 0) -> str:
    """Fetch a submitted job's result and store it; polls again when webhooks are off."""
    from .pipeline.fetch import transcript_fetch_attempt

    return transcript_fetch_attempt(transcript_id=transcript_id, poll=poll, attempt=attempt)


@task(queue_name=QUEUE)
def delete_orphan_job(job_id: str, delivery_id: int | None = None, attempt: int = 0) -> str:
    """Delete a job at AssemblyAI that no transcript row recorded (a lost submission answer)."""
    from .pipeline.orphans import orphan_delete_attempt

    return orphan_delete_attempt(job_id=job_id, delivery_id=delivery_id, attempt=attempt)


@task(queue_name=QUEUE)
def apply_retention() -> str:
    """RETENTION_AUDIO_DAYS and RETENTION_TRANSCRIPT_DAYS, once; then the next run is queued (daily)."""
    from .retention_policy import retention_run

    return retention_run()


@task(queue_name=QUEUE)
def fetch_redacted_audio(transcript_id: int, force: bool = False) -> str:
    """Download a redacted transcript's redacted audio and archive it in place of the original."""
    from .pipeline.redaction import redacted_audio_attempt

    return redacted_audio_attempt(transcript_id=transcript_id, force=force)
