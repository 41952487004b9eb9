"""Queueing the transcription pipeline's tasks, on commit, and the backoff between tries.

On commit, except a webhook delivery: the webhook's view queues it at once and lets a failure
raise (queue_webhook_delivery), because its answer to the sender depends on it.

The one module of this app that imports its tasks: pipeline stages queue work through here,
and the tasks call back into the stages, so no import circle forms.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from djtranscribe.lib.tasks import enqueue_now, enqueue_on_commit

from .tasks import (
    apply_retention,
    delete_orphan_job,
    fetch_redacted_audio,
    fetch_transcript,
    store_webhook_delivery,
    submit_transcript,
)

MAX_RETRY_DELAY = 3600.0


def retry_delay(*, attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff from TRANSCRIPTION_RETRY_DELAY, never shorter than a Retry-After."""
    delay = settings.TRANSCRIPTION_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, MAX_RETRY_DELAY)


def queue_webhook_delivery(
    *,
    token: str,
    body: dict,
    received_at: datetime,
    attempt: int = 0,
    run_after: datetime | None = None,
) -> None:
    """Commit one cleaned webhook delivery as a task row now, outside any transaction; raises if it cannot.

    `received_at`, when the request came, goes with it: the worker may store it much later.
    """
    task = (
        store_webhook_delivery.using(run_after=run_after) if run_after is not None else store_webhook_delivery
    )
    enqueue_now(task, token=token, body=body, attempt=attempt, received_at=received_at.isoformat())


def queue_submit(transcript_id: int, *, run_after: datetime | None = None) -> None:
    """Queue a submission attempt once the current transaction commits."""
    enqueue_on_commit(submit_transcript, transcript_id, run_after=run_after)


def queue_fetch(
    transcript_id: int, *, poll: int | None = None, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue a fetch of the job's result once the current transaction commits."""
    enqueue_on_commit(fetch_transcript, transcript_id, poll=poll, attempt=attempt, run_after=run_after)


def queue_orphan_delete(
    job_id: str, delivery_id: int | None, *, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue the deletion of an orphan AssemblyAI job once the current transaction commits."""
    enqueue_on_commit(
        delete_orphan_job, job_id, delivery_id=delivery_id, attempt=attempt, run_after=run_after
    )


def queue_redacted_audio(
    transcript_id: int, *, force: bool = False, run_after: datetime | None = None
) -> None:
    """Queue a download of the transcript's redacted audio once the current transaction commits."""
    enqueue_on_commit(fetch_redacted_audio, transcript_id, force=force, run_after=run_after)


def queue_retention(*, run_after: datetime | None = None) -> bool:
    """Queue the retention task (on commit) unless a run is already waiting; answers whether it queued.

    The task queues its own next run, so one chain runs daily; this (at every worker start, see
    `schedule_retention`) restarts the chain when a killed worker broke it, and never doubles it.
    """
    backend = apply_retention.get_backend()
    if not backend.supports_defer:
        return False  # a backend that runs at once would run the chain forever, right now
    if _waiting(apply_retention):
        return False
    enqueue_on_commit(apply_retention, run_after=run_after)
    return True


def _waiting(task) -> bool:
    """Whether the database backend holds a queued (not yet started) run of `task`."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to ask
        return False
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists()
