"""Storing what AssemblyAI says about a job on its transcript row."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from djtranscribe.lib.status import status_moves_forward

from .. import vendor_values
from ..models import FINAL_STATUSES, STATUS_RANK, Transcript, TranscriptStatus
from ..signals import transcript_completed, transcript_failed
from .redaction import redacted_audio_expected

# What transcript_apply writes; saving only these keeps a concurrent write to other fields.
logger = logging.getLogger(__name__)

APPLIED_FIELDS = [
    "job_id",
    "status",
    "text",
    "words",
    "utterances",
    "confidence",
    "audio_duration",
    "language_code",
    "speech_model_used",
    "error",
    "last_error",
    "completed_at",
    "next_attempt_at",
    "updated_at",
]


def transcript_apply(*, transcript: Transcript, data: dict[str, Any]) -> bool:
    """Store an AssemblyAI transcript object on the row. Statuses only move forward.

    Returns True when the row changed. Unknown keys are ignored.
    """
    new_status = data.get("status")
    if new_status == TranscriptStatus.PENDING or not status_moves_forward(
        transcript.status, new_status, STATUS_RANK, final=FINAL_STATUSES
    ):
        return False
    if data.get("id") and not transcript.job_id:
        transcript.job_id = data["id"]
    transcript.status = new_status
    dropped = ""  # what vendor_values refused to store, noted in last_error
    if new_status == TranscriptStatus.COMPLETED:
        transcript.text = str(data.get("text") or "")
        cleaned = vendor_values.clean_result(data)
        transcript.words, transcript.utterances = cleaned.words, cleaned.utterances
        transcript.confidence, transcript.audio_duration = cleaned.confidence, cleaned.audio_duration
        if dropped := cleaned.note:
            logger.warning("Transcript %s (%s): %s", transcript.pk, transcript.job_id, dropped)
        transcript.language_code = str(data.get("language_code") or "")[:16]
        transcript.speech_model_used = str(data.get("speech_model_used") or "")[:64]
        transcript.error = ""
        transcript.completed_at = timezone.now()
    elif new_status == TranscriptStatus.ERROR:
        transcript.error = str(data.get("error") or "AssemblyAI reported an error without a message.")
        transcript.completed_at = timezone.now()
    # A fresh answer from AssemblyAI: earlier failures to reach it are history.
    transcript.last_error = transcript.error if new_status == TranscriptStatus.ERROR else dropped
    transcript.next_attempt_at = None
    # One transaction for the row and what receivers write (notify's outbox row).
    with transaction.atomic():
        transcript.save(update_fields=APPLIED_FIELDS)
        if new_status == TranscriptStatus.COMPLETED:
            redacted_audio_expected(transcript)
            transcript_completed.send(sender=Transcript, transcript=transcript)
        elif new_status == TranscriptStatus.ERROR:
            transcript_failed.send(sender=Transcript, transcript=transcript)
    return True


def transcript_fail(transcript: Transcript, message: str) -> None:
    """End a transcript in `error` with `message` (this app's verdict, not AssemblyAI's)."""
    transcript.status = TranscriptStatus.ERROR
    transcript.error = message
    transcript.last_error = message
    transcript.next_attempt_at = None
    transcript.completed_at = timezone.now()
    with transaction.atomic():
        transcript.save(
            update_fields=["status", "error", "last_error", "next_attempt_at", "completed_at", "updated_at"]
        )
        transcript_failed.send(sender=Transcript, transcript=transcript)
