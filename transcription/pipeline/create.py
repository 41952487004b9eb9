"""Creating transcripts: a pending row, and its submission queued on commit."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction

from audio.models import AudioAsset

from ..models import AudioSource, Transcript, TranscriptStatus
from ..participants import participants_set
from ..queue import queue_submit
from .apply import transcript_fail
from .redaction import asset_withhold, redaction_fields


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
    audio: AudioAsset | None = None,
    owner=None,
    sensitive: bool = False,
    redactable: bool = True,
) -> Transcript:
    """Store a new, pending transcript; `owner` (a user or user id) is who may see it.

    `sensitive` asks for PII redaction of this one (TRANSCRIPTION_REDACT_PII asks it of all); its
    audio is then withheld from every player until the redacted copy replaces it. `redactable=False`
    (a sample shipped with the app, never sent to AssemblyAI) is never redacted.
    """
    redaction = redaction_fields(sensitive=sensitive) if redactable else {}
    transcript = Transcript.objects.create(
        owner_id=getattr(owner, "pk", owner),
        audio=audio,
        audio_url=audio_url,
        recording_sid=recording_sid,
        call_sid=call_sid,
        audio_source=audio_source,
        speech_models=list(settings.TRANSCRIPTION_SPEECH_MODELS),
        **redaction,
    )
    if redaction:
        asset_withhold(audio)
    return transcript


def audio_ready(transcript: Transcript) -> bool:
    """Whether the transcript can be submitted: uploads of archived kinds wait for the archive."""
    asset = transcript.audio
    if transcript.audio_source != AudioSource.UPLOAD or transcript.upload_url or asset is None:
        return True
    return not asset.needs_archive or asset.is_archived


def transcript_request(
    *,
    audio_url: str,
    recording_sid: str = "",
    call_sid: str = "",
    audio: AudioAsset | None = None,
    owner=None,
    participants: Mapping[str, str] | None = None,
    sensitive: bool = False,
) -> tuple[Transcript, bool]:
    """Create the one transcript of a recording and queue its submission on commit.

    The submission waits when it uploads audio not archived yet (transcripts_audio_ready queues it).
    Idempotent by `recording_sid`: a repeated request answers the existing row. Returns (row, created).
    `participants` names the voices the maker knows, e.g. {"1": "Ada", "2": "+1 415-555-1234"}.
    `sensitive`: redact PII in this one (see transcript_create).
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
                audio=audio,
                owner=owner,
                sensitive=sensitive,
            )
            if participants:
                participants_set(transcript=transcript, names=participants)
    except IntegrityError:
        if not recording_sid:
            raise
        return Transcript.objects.get(recording_sid=recording_sid), False
    if audio_ready(transcript):
        queue_submit(transcript.pk)
    return transcript, True


def _waiting_for(asset: AudioAsset):
    return Transcript.objects.filter(audio=asset, status=TranscriptStatus.PENDING, job_id__isnull=True)


def transcripts_audio_ready(*, asset: AudioAsset) -> int:
    """The asset's audio is archived: queue the submission of its pending transcripts (on commit)."""
    pks = list(_waiting_for(asset).values_list("pk", flat=True))
    for pk in pks:
        queue_submit(pk)
    return len(pks)


def transcripts_audio_failed(*, asset: AudioAsset, message: str) -> int:
    """The asset's audio cannot be had: its pending transcripts end in `error` with `message`."""
    waiting = list(_waiting_for(asset))
    for transcript in waiting:
        transcript_fail(transcript, message)
    return len(waiting)
