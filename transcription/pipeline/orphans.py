"""Orphan jobs: made at AssemblyAI by a submission whose answer was lost, deleted there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..assemblyai_client import AssemblyAIClient, AssemblyAIError
from ..models import WebhookDelivery
from ..queue import queue_orphan_delete, retry_delay
from ..retention import already_gone


def orphan_delete_attempt(
    *, job_id: str, delivery_id: int | None = None, attempt: int = 0, client: AssemblyAIClient | None = None
) -> str:
    """Delete an orphan job at AssemblyAI, as the task makes it; the outcome is noted on the delivery.

    A job AssemblyAI no longer knows counts as deleted; transient failures are retried with backoff.
    """
    try:
        (client or AssemblyAIClient()).delete(job_id)
        outcome = "deleted at AssemblyAI"
    except AssemblyAIError as exc:
        if already_gone(exc):
            outcome = "already gone at AssemblyAI"
        elif exc.retryable and attempt + 1 < settings.TRANSCRIPTION_MAX_ATTEMPTS:
            run_after = timezone.now() + timedelta(
                seconds=retry_delay(attempts=attempt + 1, retry_after=exc.retry_after)
            )
            _note(delivery_id, f"Orphan job {job_id}: delete failed, retrying: {exc}")
            queue_orphan_delete(job_id, delivery_id, attempt=attempt + 1, run_after=run_after)
            return "retrying"
        else:
            outcome = f"not deleted: {exc}"
    _note(delivery_id, f"Orphan job {job_id}: {outcome}.", processed=True)
    return outcome


def _note(delivery_id: int | None, note: str, *, processed: bool = False) -> None:
    if delivery_id is None:
        return
    changes: dict[str, Any] = {"note": note[:500]}
    if processed:
        changes["processed_at"] = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery_id).update(**changes)
