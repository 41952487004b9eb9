"""Background work on the Twilio side (Django's Tasks API, like transcription.tasks).

Each task imports its service when it runs: the services queue through caller.queue,
which imports these tasks.
"""

from django_tasks import task

from djtranscribe.lib.tasks import INBOX_PRIORITY, INBOX_QUEUE

QUEUE = "twilio"


@task(queue_name=QUEUE)
def delete_recording(recording_sid: str, attempt: int = 0) -> str:
    """Delete a transcribed recording at Twilio (TWILIO_DELETE_RECORDINGS); retries itself."""
    from .services import recording_delete_attempt

    return recording_delete_attempt(recording_sid=recording_sid, attempt=attempt)


@task(queue_name=QUEUE)
def archive_recording(recording_sid: str, attempt: int = 0) -> str:
    """Stream a completed recording from Twilio into the archive, then let its transcript be submitted."""
    from .audio import recording_archive_attempt

    return recording_archive_attempt(recording_sid=recording_sid, attempt=attempt)


@task(queue_name=INBOX_QUEUE, priority=INBOX_PRIORITY)
def store_recording(fields: dict, attempt: int = 0) -> str:
    """Store what a recording-status callback said (the view only queued it): see caller.callbacks."""
    from .callbacks import recording_callback_store

    return recording_callback_store(fields, attempt=attempt)
