"""The call side of PII redaction and retention: a call marked sensitive, its recording deleted at Twilio."""

from django.conf import settings
from django.utils import timezone

from transcription.models import Transcript
from transcription.retention_policy import RetentionStepFailed

from . import twilio_client
from .models import Call, Recording, RecordingStatus
from .queue import queue_recording_delete


def call_mark_sensitive(*, call: Call, sensitive: bool = True) -> bool:
    """Mark a call sensitive (its transcripts redact PII) or not; only before any is made.

    Answers False (nothing changed) once the call has a transcript: redaction is asked at submission.
    """
    if Transcript.objects.filter(call_sid=call.sid).exists():
        return False
    Call.objects.filter(pk=call.pk).update(sensitive=sensitive, updated_at=timezone.now())
    call.sensitive = sensitive
    return True


def recording_retention_delete(transcript) -> str:
    """Retention's step for a call's recording: delete it at Twilio; answers what it deleted, or "".

    Raises RetentionStepFailed (the archive then stays, and the next run tries again).
    """
    if not transcript.recording_sid:
        return ""
    recording = Recording.objects.filter(sid=transcript.recording_sid).first()
    if recording is None or recording.status == RecordingStatus.DELETED:
        return ""
    try:
        twilio_client.delete_recording(recording.sid)
    except twilio_client.TwilioError as exc:  # MissingSettings too: nothing may be skipped silently
        Recording.objects.filter(pk=recording.pk).update(
            error=f"Not deleted at Twilio: {exc}"[:255], updated_at=timezone.now()
        )
        raise RetentionStepFailed(f"Twilio did not delete recording {recording.sid}: {exc}") from None
    Recording.objects.filter(pk=recording.pk).update(
        status=RecordingStatus.DELETED, error="", updated_at=timezone.now()
    )
    return f"recording {recording.sid} at Twilio"


def on_redacted_audio_archived(sender, transcript, **kwargs) -> None:
    """Receiver of redacted_audio_archived: Twilio's copy is the unredacted original, deleted now."""
    if settings.TWILIO_DELETE_RECORDINGS and transcript.recording_sid:
        queue_recording_delete(transcript.recording_sid)
