"""Fetching a submitted job's result from AssemblyAI, and polling when webhooks are off."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from ..assemblyai_client import AssemblyAIClient, AssemblyAIError
from ..models import Transcript, TranscriptStatus
from ..queue import queue_fetch, retry_delay
from .apply import transcript_apply, transcript_fail

logger = logging.getLogger(__name__)

MAX_POLL_DELAY = 300.0


def transcript_refresh(*, transcript: Transcript, client: AssemblyAIClient | None = None) -> dict[str, Any]:
    """Fetch the job from AssemblyAI, store it, and answer the raw JSON."""
    client = client or AssemblyAIClient()
    data = client.get(transcript.job_id)
    try:
        with transaction.atomic():
            transcript_apply(transcript=transcript, data=data)
    except (DatabaseError, ValueError, TypeError) as exc:
        # A result the database refuses must end the job, not leave it to be fetched forever.
        logger.exception(
            "Transcript %s (%s): AssemblyAI's result could not be stored", transcript.pk, transcript.job_id
        )
        transcript_fail(
            transcript, f"AssemblyAI's result could not be stored ({type(exc).__name__}): {exc}"[:2000]
        )
    return data


def transcript_for_job(job_id: str, client: AssemblyAIClient | None = None) -> tuple[Transcript, dict]:
    """Fetch any AssemblyAI job by id and store it (creating the row if this app did not submit it)."""
    client = client or AssemblyAIClient()
    data = client.get(job_id)
    transcript, _ = Transcript.objects.get_or_create(
        job_id=job_id,
        defaults={"audio_url": str(data.get("audio_url") or "")[:500], "status": TranscriptStatus.PENDING},
    )
    transcript_apply(transcript=transcript, data=data)
    return transcript, data


def transcript_fetch_attempt(
    *, transcript_id: int, poll: int | None = None, attempt: int = 0, client: AssemblyAIClient | None = None
) -> str:
    """Fetch a submitted job and store it, as the task makes it.

    `poll` counts polls when webhooks are off: an unfinished job is polled again with backoff.
    Transient errors are retried with backoff; a job AssemblyAI no longer knows ends in `error`.
    """
    transcript = Transcript.objects.filter(pk=transcript_id).first()
    if transcript is None or transcript.is_final or not transcript.job_id:
        return "skipped"
    try:
        transcript_refresh(transcript=transcript, client=client)
    except AssemblyAIError as exc:
        if exc.status in (400, 404):  # AssemblyAI does not know the job (any more)
            transcript_fail(transcript, str(exc))
            return "error"
        if not exc.retryable:  # e.g. a bad key: the job itself may be fine, keep it open
            transcript.last_error = str(exc)
            transcript.save(update_fields=["last_error", "updated_at"])
            return "failed"
        if attempt + 1 >= settings.TRANSCRIPTION_MAX_ATTEMPTS:
            transcript.last_error = f"Fetching failed {attempt + 1} times. Last error: {exc}"
            transcript.save(update_fields=["last_error", "updated_at"])
            return "gave up"  # sync_transcripts polls it again later
        transcript.last_error = str(exc)
        transcript.next_attempt_at = timezone.now() + timedelta(
            seconds=retry_delay(attempts=attempt + 1, retry_after=exc.retry_after)
        )
        transcript.save(update_fields=["last_error", "next_attempt_at", "updated_at"])
        queue_fetch(transcript.pk, poll=poll, attempt=attempt + 1, run_after=transcript.next_attempt_at)
        return "retrying"
    if transcript.is_final:
        return transcript.status
    if poll is not None:
        delay = min(settings.TRANSCRIPTION_POLL_INTERVAL * 2**poll, MAX_POLL_DELAY)
        transcript.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        transcript.save(update_fields=["next_attempt_at", "updated_at"])
        queue_fetch(transcript.pk, poll=poll + 1, run_after=transcript.next_attempt_at)
    return transcript.status
