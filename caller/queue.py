"""Queueing the Twilio side's tasks, always on commit (the one module of caller that imports its tasks)."""

from __future__ import annotations

from datetime import datetime

from djtranscribe.lib.tasks import enqueue_now, enqueue_on_commit

from .tasks import archive_recording, delete_recording, store_recording


def queue_recording_delete(
    recording_sid: str, *, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue the deletion of a recording at Twilio once the current transaction commits."""
    enqueue_on_commit(delete_recording, recording_sid, attempt=attempt, run_after=run_after)


def queue_recording_archive(
    recording_sid: str, *, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue the archiving of a completed recording once the current transaction commits."""
    enqueue_on_commit(archive_recording, recording_sid, attempt=attempt, run_after=run_after)


def queue_recording_store(fields: dict, *, attempt: int = 0, run_after: datetime | None = None) -> None:
    """Hand a recording-status callback's fields to the worker now (not on commit): a failure raises."""
    task = store_recording.using(run_after=run_after) if run_after is not None else store_recording
    enqueue_now(task, fields, attempt=attempt)
