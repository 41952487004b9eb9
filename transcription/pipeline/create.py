"""Creating transcripts: a pending row, and its submission queued on commit."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from ..models import AudioSource, Transcript
from ..queue import queue_submit


def configured_audio_source() -> str:
    """TRANSCRIPTION_AUDIO_SOURCE: `upload` (default) or `url`."""
    source = settings.TRANSCRIPTION_AUDIO_SOURCE.lower()
    return AudioSource.URL if source == AudioSource.URL else AudioSource.UPLOAD


def transcript_create(
    *,
    audio_url: str = "",
    recording_sid: str = "",
    call_sid: str = "",
    audio_source: str = AudioSource.URL,
) -> Transcript:
    """Store a new, pending transcript."""
    return Transcript.objects.create(
        audio_url=audio_url,
        recording_sid=recording_sid,
        call_sid=call_sid,
        audio_source=audio_source,
        speech_models=list(settings.TRANSCRIPTION_SPEECH_MODELS),
    )


def transcript_request(
    *, audio_url: str, recording_sid: str = "", call_sid: str = ""
) -> tuple[Transcript, bool]:
    """Create the one transcript of a recording and queue its submission on commit.

    Idempotent by `recording_sid`: a repeated request answers the existing row. Returns (row, created).
    """
    # No lookup first: a recording usually gets here once, and the unique recording_sid turns
    # a repeat (or a concurrent delivery of the same callback) into the lookup below.
    try:
        with transaction.atomic():
            transcript = transcript_create(
                audio_url=audio_url,
                recording_sid=recording_sid,
                call_sid=call_sid,
                audio_source=configured_audio_source(),
            )
    except IntegrityError:
        if not recording_sid:
            raise
        return Transcript.objects.get(recording_sid=recording_sid), False
    queue_submit(transcript.pk)
    return transcript, True
