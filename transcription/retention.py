"""Keeping transcripts only as long as wanted: delete them here and at AssemblyAI."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audio.services import asset_discard

from .assemblyai_client import AssemblyAIClient, AssemblyAIError
from .models import Transcript, WebhookDelivery


class TranscriptKept(Exception):
    """The transcript could not be deleted at AssemblyAI, so the row was kept; the message says why."""


def already_gone(exc: AssemblyAIError) -> bool:
    # AssemblyAI answers an unknown id with 400 "Transcript lookup error" (its spec also says 404).
    # Any other 400 (e.g. a job still processing) means the text may still be there.
    if exc.status == 404:
        return True
    return exc.status == 400 and any(words in str(exc).lower() for words in ("lookup error", "not found"))


def transcript_delete(
    transcript: Transcript, *, remote: bool = True, client: AssemblyAIClient | None = None
) -> bool:
    """Delete a transcript and its webhook deliveries; first at AssemblyAI when `remote` and it has a job.

    Its archived audio goes too when no other transcript uses it. Returns True when it was deleted
    at AssemblyAI too. Raises TranscriptKept (row untouched) when AssemblyAI could not confirm the
    deletion: the row is what lets a later run try again.
    """
    deleted_remotely = False
    if remote and transcript.job_id:
        try:
            (client or AssemblyAIClient()).delete(transcript.job_id)
            deleted_remotely = True
        except AssemblyAIError as exc:
            if not already_gone(exc):
                later = " Try again later." if exc.retryable else ""
                raise TranscriptKept(
                    f"Kept transcript {transcript.pk} ({transcript.job_id}): AssemblyAI did not delete it: "
                    f"{exc}{later}"
                ) from None
    with transaction.atomic():
        deliveries = Q(transcript=transcript)
        if transcript.job_id:
            deliveries |= Q(job_id=transcript.job_id)
        WebhookDelivery.objects.filter(deliveries).delete()
        asset = transcript.audio if transcript.audio_id is not None else None
        # An unredacted original kept beside a redacted copy (KEEP_UNREDACTED_AUDIO) is its alone.
        kept = transcript.unredacted_audio if transcript.unredacted_audio_id is not None else None
        transcript.delete()
        if asset is not None and not asset.transcripts.exists():
            asset_discard(asset)
        if kept is not None:
            asset_discard(kept)
    return deleted_remotely


def transcripts_older_than(days: int):
    """Transcripts created more than `days` days ago, oldest first."""
    cutoff = timezone.now() - timedelta(days=days)
    return Transcript.objects.filter(created_at__lt=cutoff).order_by("created_at")


def orphan_deliveries_older_than(days: int):
    """Webhook deliveries that belong to no transcript, received more than `days` days ago."""
    return WebhookDelivery.objects.filter(
        transcript__isnull=True, received_at__lt=timezone.now() - timedelta(days=days)
    )
