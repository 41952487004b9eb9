"""PII redaction: asking AssemblyAI for it, then keeping its redacted audio in place of the original.

AssemblyAI redacts the text fields itself (so everything built from `text`, `words` and
`utterances` is redacted too) and makes a beeped copy of the audio that it keeps for 24 hours.
The worker downloads that copy (on the `redacted_audio_ready` webhook, or by asking
`GET /v2/transcript/{id}/redacted-audio` when it polls), archives it and swaps it into the
transcript's asset. Until then the asset is withheld: no page, link or export plays the original.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audio.models import AudioAsset, OriginKind, Redaction
from audio.services import AudioUnavailable, asset_archive, asset_discard, asset_swap_files

from ..assemblyai_client import AssemblyAIClient, AssemblyAIError
from ..models import RedactedAudio, Transcript, TranscriptStatus
from ..queue import queue_redacted_audio, retry_delay
from ..signals import redacted_audio_archived

logger = logging.getLogger(__name__)

READY = "redacted_audio_ready"
# AssemblyAI keeps the redacted copy this long after the transcript is done.
REDACTED_AUDIO_LIFETIME = timedelta(hours=24)
# The last try is made this long before the copy goes, so a slow download still finishes in time.
LAST_TRY_MARGIN = timedelta(minutes=5)
# How long one download may hold its row before another attempt may start.
DOWNLOAD_LEASE = timedelta(minutes=15)
DOWNLOAD_CHUNK_SIZE = 256 * 1024


def redaction_fields(*, sensitive: bool = False) -> dict:
    """The redaction part of a new transcript: TRANSCRIPTION_REDACT_PII, or this one marked sensitive."""
    if not (settings.TRANSCRIPTION_REDACT_PII or sensitive):
        return {}
    return {
        "redact_pii": True,
        "redact_pii_policies": list(settings.TRANSCRIPTION_REDACT_PII_POLICIES),
        "redact_pii_sub": settings.TRANSCRIPTION_REDACT_PII_SUB,
        "redacted_audio": RedactedAudio.WAITING,
    }


def asset_withhold(asset: AudioAsset | None) -> None:
    """A transcript of `asset` asks for redaction: its original is never served from now on."""
    if asset is not None and asset.redaction == Redaction.NONE:
        asset.redaction = Redaction.WAITING
        asset.save(update_fields=["redaction", "updated_at"])


def asset_release(asset: AudioAsset | None) -> None:
    """No transcript of `asset` waits for a redacted copy any more (its one was removed): serve it again."""
    if asset is None or asset.pk is None or asset.redaction != Redaction.WAITING:
        return
    if not asset.transcripts.filter(redact_pii=True).exists():
        asset.redaction = Redaction.NONE
        asset.save(update_fields=["redaction", "updated_at"])


def redaction_options(transcript: Transcript) -> dict:
    """What a submission adds for redaction (AssemblyAI's schema): text and a beeped audio copy."""
    if not transcript.redact_pii:
        return {}
    return {
        "redact_pii": True,
        "redact_pii_audio": True,
        "redact_pii_policies": list(
            transcript.redact_pii_policies or settings.TRANSCRIPTION_REDACT_PII_POLICIES
        ),
        "redact_pii_sub": transcript.redact_pii_sub or settings.TRANSCRIPTION_REDACT_PII_SUB,
    }


def redacted_audio_expected(transcript: Transcript) -> None:
    """The transcript is done: ask for its redacted audio soon (the webhook may make it sooner)."""
    if transcript.redact_pii and transcript.redacted_audio == RedactedAudio.WAITING:
        first = timezone.now() + timedelta(seconds=settings.TRANSCRIPTION_POLL_INTERVAL)
        queue_redacted_audio(transcript.pk, run_after=first)


def redacted_audio_deadline(transcript: Transcript) -> datetime:
    """When AssemblyAI drops the redacted copy: 24 hours after the transcript was done."""
    return (transcript.completed_at or transcript.created_at) + REDACTED_AUDIO_LIFETIME


def _claim(transcript_id: int, now: datetime, *, force: bool) -> Transcript | None:
    """Take the row for one download attempt (a lease), or None when there is nothing to do.

    `force` (the webhook said it is ready) does not wait for a retry's time.
    """
    waiting = Transcript.objects.filter(
        pk=transcript_id,
        redact_pii=True,
        redacted_audio=RedactedAudio.WAITING,
        status=TranscriptStatus.COMPLETED,
        job_id__isnull=False,
    )
    if not force:
        waiting = waiting.filter(Q(redacted_audio_next_at__isnull=True) | Q(redacted_audio_next_at__lte=now))
    claimed = waiting.update(
        redacted_audio_attempts=F("redacted_audio_attempts") + 1,
        redacted_audio_next_at=now + DOWNLOAD_LEASE,
        updated_at=now,
    )
    return Transcript.objects.filter(pk=transcript_id).select_related("audio").first() if claimed else None


def redacted_audio_attempt(
    *,
    transcript_id: int,
    force: bool = False,
    client: AssemblyAIClient | None = None,
    now: datetime | None = None,
) -> str:
    """Download and archive a transcript's redacted audio, as the task and sync_transcripts make it.

    Not ready yet, or a transient failure: tried again with backoff until 24 hours after the
    transcript was done; then it is `expired` and says so. Answers archived, retrying, expired or skipped.
    """
    now = now or timezone.now()
    transcript = _claim(transcript_id, now, force=force)
    if transcript is None:
        return "skipped"
    try:
        client = client or AssemblyAIClient()
        answer = client.redacted_audio(transcript.job_id)
        url = answer.get("redacted_audio_url")
        if answer.get("status") != READY or not isinstance(url, str) or not url:
            return _later(transcript, now, "AssemblyAI has not made the redacted audio yet.")
        return _archive(transcript, client, url)
    except AssemblyAIError as exc:
        if exc.status in (400, 404):  # "not ready yet", in AssemblyAI's words
            return _later(transcript, now, f"AssemblyAI has not made the redacted audio yet ({exc}).")
        return _later(transcript, now, str(exc), retry_after=exc.retry_after)
    except (AudioUnavailable, OSError) as exc:  # the storage refused the copy
        return _later(transcript, now, f"The redacted audio could not be stored: {exc}")


def _later(transcript: Transcript, now: datetime, message: str, *, retry_after: float | None = None) -> str:
    """Try again with backoff, or give up (`expired`) once AssemblyAI no longer keeps the copy."""
    last_try = redacted_audio_deadline(transcript) - LAST_TRY_MARGIN
    if now >= last_try:
        deadline = redacted_audio_deadline(transcript)
        transcript.redacted_audio = RedactedAudio.EXPIRED
        transcript.redacted_audio_error = (
            f"The redacted audio expired: AssemblyAI keeps it for 24 hours (until "
            f"{deadline:%Y-%m-%d %H:%M} UTC) and it could not be downloaded in that time. "
            f"The audio stays withheld: the unredacted original is never played. Last error: {message}"
        )[:500]
        transcript.redacted_audio_next_at = None
        transcript.save(
            update_fields=["redacted_audio", "redacted_audio_error", "redacted_audio_next_at", "updated_at"]
        )
        logger.warning("Transcript %s: the redacted audio expired (%s)", transcript.pk, message)
        return "expired"
    delay = retry_delay(attempts=transcript.redacted_audio_attempts, retry_after=retry_after)
    transcript.redacted_audio_next_at = min(now + timedelta(seconds=delay), last_try)
    transcript.redacted_audio_error = message[:500]
    transcript.save(update_fields=["redacted_audio_error", "redacted_audio_next_at", "updated_at"])
    queue_redacted_audio(transcript.pk, run_after=transcript.redacted_audio_next_at)
    return "retrying"


def _chunks(response: requests.Response):
    try:
        yield from response.iter_content(chunk_size=DOWNLOAD_CHUNK_SIZE)
    except requests.RequestException as exc:
        raise AssemblyAIError(
            f"The redacted audio's download stopped: {type(exc).__name__}.", retryable=True
        ) from None


def _archive(transcript: Transcript, client: AssemblyAIClient, url: str) -> str:
    """Stream the copy into a new asset, verify it, then swap it into the transcript's own asset."""
    original = transcript.audio
    if original is None:  # a row without an asset (e.g. made from a bare job id): give it one
        original = AudioAsset.objects.create(
            origin_kind=OriginKind.URL, origin_url=transcript.audio_url[:500], owner_id=transcript.owner_id
        )
    copy = AudioAsset.objects.create(
        origin_kind=original.origin_kind, owner_id=original.owner_id, channels=original.channels
    )
    response = client.open_redacted_audio(url)
    try:
        content_type = response.headers.get("Content-Type", "") or "audio/mpeg"
        suffix = "wav" if "wav" in content_type else "mp3"
        asset_archive(
            asset=copy,
            chunks=_chunks(response),
            name=f"redacted/{transcript.job_id}.{suffix}",
            content_type=content_type,
        )
    except BaseException:
        asset_discard(copy)
        raise
    finally:
        response.close()
    if not copy.is_archived:
        message = copy.archive_error
        asset_discard(copy)
        raise AudioUnavailable(message, retryable=True)
    return _swap_in(transcript.pk, original, copy)


def _swap_in(transcript_id: int, original: AudioAsset, copy: AudioAsset) -> str:
    """Make the verified redacted copy the transcript's audio; keep or discard the original."""
    with transaction.atomic():
        transcript = Transcript.objects.select_for_update().filter(pk=transcript_id).first()
        if transcript is None or transcript.redacted_audio != RedactedAudio.WAITING:
            asset_discard(copy)  # another attempt finished first, or the transcript is gone
            return "skipped"
        copy.redaction = Redaction.REDACTED
        shared = original.pk is not None and original.transcripts.exclude(pk=transcript.pk).exists()
        if shared:
            # Other transcripts use the original: the redacted copy becomes this one's alone.
            copy.save(update_fields=["redaction", "updated_at"])
            transcript.audio = copy
            kept = None
        else:
            # The origin's asset (found by every page and by the recording) now holds the redacted copy.
            asset_swap_files(original, copy)
            transcript.audio = original
            kept = copy  # now holding the original file, if there was one
        if kept is not None:
            if settings.KEEP_UNREDACTED_AUDIO and kept.is_archived:
                kept.redaction = Redaction.NONE
                kept.save(update_fields=["redaction", "updated_at"])
                transcript.unredacted_audio = kept
            else:
                asset_discard(kept)  # the unredacted original leaves the archive (on commit)
        transcript.redacted_audio = RedactedAudio.ARCHIVED
        transcript.redacted_audio_error = ""
        transcript.redacted_audio_next_at = None
        transcript.save(
            update_fields=[
                "audio",
                "unredacted_audio",
                "redacted_audio",
                "redacted_audio_error",
                "redacted_audio_next_at",
                "updated_at",
            ]
        )
        redacted_audio_archived.send(sender=Transcript, transcript=transcript)
    return "archived"


def transcripts_redaction_due(now: datetime):
    """Completed redacted transcripts whose redacted audio should be asked for now (sync_transcripts)."""
    return Transcript.objects.filter(
        redact_pii=True,
        redacted_audio=RedactedAudio.WAITING,
        status=TranscriptStatus.COMPLETED,
        job_id__isnull=False,
    ).filter(Q(redacted_audio_next_at__isnull=True) | Q(redacted_audio_next_at__lte=now))
