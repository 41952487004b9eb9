"""Twilio recordings as audio assets: the worker archives each completed recording into the app's storage.

The archive is the copy that stays: the AssemblyAI upload, the player and the media endpoint read
from it, and TWILIO_DELETE_RECORDINGS deletes Twilio's copy only once it is verified.
"""

from __future__ import annotations

from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from audio.models import AudioAsset, OriginKind, Redaction
from audio.services import AudioUnavailable, asset_archive, asset_for_origin
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.create import transcripts_audio_failed, transcripts_audio_ready
from transcription.queue import retry_delay

from . import twilio_client
from .models import CallDirection, Recording, RecordingStatus
from .queue import queue_recording_archive, queue_recording_delete


def recording_description(recording: Recording) -> dict[str, str]:
    """What transcript pages show of a recording: caller's media proxy as the player, the call."""
    call = recording.call
    # The person talked to: the number called, the other party of a connect-me call, or the caller.
    inbound = call is not None and call.direction == CallDirection.INBOUND
    return {
        "owner_id": recording.owner_id,
        "player_url": reverse("recording-media", args=[recording.sid]),
        "label": call.counterpart if call else "",
        "title": (f"Call from {call.counterpart}" if inbound else f"Call to {call.counterpart}")
        if call
        else "",
        "page_url": call.get_absolute_url() if call else "",
    }


def recording_asset(recording: Recording) -> AudioAsset:
    """The recording's one audio asset, made on first sight (no download here)."""
    return asset_for_origin(
        kind=OriginKind.TWILIO_RECORDING,
        origin_id=recording.sid,
        origin_url=recording.media_url,
        channels=recording.channels,
        **recording_description(recording),
    )


def archived_asset(recording_sid: str) -> AudioAsset | None:
    """The recording's asset when its archive is verified, else None."""
    return (
        AudioAsset.objects.filter(
            origin_kind=OriginKind.TWILIO_RECORDING, origin_id=recording_sid, archived_at__isnull=False
        )
        .exclude(file="")
        .first()
    )


def audio_withheld(recording_sid: str) -> bool:
    """Whether the recording's audio waits for its redacted copy: neither the archive nor Twilio plays it."""
    return AudioAsset.objects.filter(
        origin_kind=OriginKind.TWILIO_RECORDING, origin_id=recording_sid, redaction=Redaction.WAITING
    ).exists()


def media_download_url(recording: Recording) -> str:
    """The URL to download the recording from: two-channel ones ask for both channels.

    Twilio serves a dual-channel recording mixed down to mono unless `RequestedChannels=2` is asked.
    """
    if recording.channels is not None and recording.channels >= 2:
        return f"{recording.media_url}?RequestedChannels=2"
    return recording.media_url


def _chunks(response: requests.Response):
    try:
        yield from response.iter_content(chunk_size=twilio_client.MEDIA_CHUNK_SIZE)
    except requests.RequestException as exc:
        raise twilio_client.TwilioError(
            f"The recording download stopped: {type(exc).__name__}.", retryable=True
        ) from None


def recording_archive(recording: Recording, asset: AudioAsset | None = None) -> AudioAsset:
    """Stream the recording from Twilio into the recordings storage and verify it (memory stays flat).

    Raises TwilioError (with `retryable`) when Twilio does not hand the whole recording over, and
    AudioUnavailable (retryable) when the storage fails.
    """
    asset = asset or recording_asset(recording)
    if asset.is_archived:
        return asset
    response = twilio_client.open_media(media_download_url(recording))
    try:
        content_type = response.headers.get("Content-Type", "audio/wav")
        asset_archive(
            asset=asset,
            chunks=_chunks(response),
            name=f"twilio/{recording.sid}.wav",
            content_type=content_type,
        )
    finally:
        response.close()
    if not asset.is_archived:
        raise twilio_client.TwilioError(asset.archive_error, retryable=True)
    return asset


def _transcript_deleted(recording: Recording) -> bool:
    # Its transcript was deleted (and its archive with it): downloading the voice again would undo that.
    return (
        recording.transcript_deleted_at is not None
        and not Transcript.objects.filter(recording_sid=recording.sid).exists()
    )


def recording_archive_attempt(*, recording_sid: str, attempt: int = 0) -> str:
    """Archive a completed recording, as the task makes it; then its transcript may be submitted.

    Transient failures are retried with backoff; a permanent one ends the waiting transcript in
    `error`. Answers archived, retrying, error or skipped.
    """
    recording = Recording.objects.filter(sid=recording_sid).first()
    if recording is None or _transcript_deleted(recording):
        return "skipped"
    asset = recording_asset(recording)
    try:
        recording_archive(recording, asset)
    except (twilio_client.TwilioError, AudioUnavailable) as exc:
        message = str(exc)
        asset.archive_error = message[:255]
        asset.save(update_fields=["archive_error", "updated_at"])
        if exc.retryable and attempt + 1 < settings.TRANSCRIPTION_MAX_ATTEMPTS:
            delay = retry_delay(attempts=attempt + 1, retry_after=getattr(exc, "retry_after", None))
            run_after = timezone.now() + timedelta(seconds=delay)
            queue_recording_archive(recording_sid, attempt=attempt + 1, run_after=run_after)
            return "retrying"
        transcripts_audio_failed(asset=asset, message=message)
        return "error"
    recording_archived(recording, asset)
    return "archived"


def recording_archived(recording: Recording, asset: AudioAsset) -> None:
    """What follows a verified archive: waiting transcripts are submitted, and Twilio's copy goes.

    A transcript can complete before the archive (url mode, or an install older than the archive);
    its deletion was skipped then, so TWILIO_DELETE_RECORDINGS is applied now.
    """
    transcripts_audio_ready(asset=asset)
    completed = Transcript.objects.filter(recording_sid=recording.sid, status=TranscriptStatus.COMPLETED)
    if settings.TWILIO_DELETE_RECORDINGS and completed.exists():
        queue_recording_delete(recording.sid)


# -- the backlog: recordings older installs never archived (manage.py archive_recordings) ----------


def recordings_unarchived():
    """Completed recordings with no verified archive, oldest first; those that failed before come last.

    So a bounded, repeated run makes progress even when a few recordings keep failing. A recording
    whose transcript someone deleted is left out: downloading its voice again would undo that.
    """
    archived = (
        AudioAsset.objects.filter(origin_kind=OriginKind.TWILIO_RECORDING, archived_at__isnull=False)
        .exclude(file="")
        .values("origin_id")
    )
    failed_before = AudioAsset.objects.filter(
        origin_kind=OriginKind.TWILIO_RECORDING, origin_id=OuterRef("sid")
    ).exclude(archive_error="")
    still_transcribed = Transcript.objects.filter(recording_sid=OuterRef("sid"))
    return (
        Recording.objects.filter(status=RecordingStatus.COMPLETED)
        .filter(Q(transcript_deleted_at__isnull=True) | Exists(still_transcribed))
        .exclude(sid__in=archived)
        .annotate(failed_before=Exists(failed_before))
        .order_by("failed_before", "created_at", "pk")
    )


def recordings_lost_count() -> int:
    """Recordings deleted at Twilio before any archive was made: nothing is left to archive."""
    archived = AudioAsset.objects.filter(
        origin_kind=OriginKind.TWILIO_RECORDING, archived_at__isnull=False
    ).values("origin_id")
    return Recording.objects.filter(status=RecordingStatus.DELETED).exclude(sid__in=archived).count()


def recording_archive_now(recording: Recording) -> AudioAsset:
    """Archive one recording at once, as the command does: no retry queued; the failure is raised.

    What a failure said is kept on the asset; a permanent one ends its waiting transcripts in
    `error`, as the task does. A verified archive is followed as the task's is (recording_archived).
    """
    asset = recording_asset(recording)
    try:
        recording_archive(recording, asset)
    except (twilio_client.TwilioError, AudioUnavailable) as exc:
        asset.archive_error = str(exc)[:255]
        asset.save(update_fields=["archive_error", "updated_at"])
        if not exc.retryable and not isinstance(exc, twilio_client.MissingSettings):
            transcripts_audio_failed(asset=asset, message=str(exc))
        raise
    recording_archived(recording, asset)
    return asset
