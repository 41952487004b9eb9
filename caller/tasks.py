"""Background work on the Twilio side (Django's Tasks API, like transcription.tasks)."""

from django_tasks import task

from . import services

QUEUE = "twilio"


@task(queue_name=QUEUE)
def delete_recording(recording_sid: str, attempt: int = 0) -> str:
    """Delete a transcribed recording at Twilio (TWILIO_DELETE_RECORDINGS); retries itself."""
    return services.recording_delete_attempt(recording_sid=recording_sid, attempt=attempt)
