"""Storing what AssemblyAI says about a job on its transcript row."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from djtranscribe.lib.status import status_moves_forward

from ..models import FINAL_STATUSES, STATUS_RANK, Transcript, TranscriptStatus
from ..signals import transcript_completed

WORD_FIELDS = ("text", "start", "end", "confidence", "speaker", "channel")

# What transcript_apply writes; saving only these keeps a concurrent write to other fields.
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


def _clean_words(words: Any) -> list[dict[str, Any]]:
    """Keep the word fields we show; AssemblyAI may add more, and may omit some."""
    if not isinstance(words, list):
        return []
    cleaned = []
    for word in words:
        if isinstance(word, dict) and "text" in word:
            cleaned.append({key: word[key] for key in WORD_FIELDS if word.get(key) is not None})
    return cleaned


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


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
    if new_status == TranscriptStatus.COMPLETED:
        transcript.text = data.get("text") or ""
        transcript.words = _clean_words(data.get("words"))
        transcript.utterances = data.get("utterances") if isinstance(data.get("utterances"), list) else []
        transcript.confidence = _float_or_none(data.get("confidence"))
        transcript.audio_duration = _float_or_none(data.get("audio_duration"))
        transcript.language_code = str(data.get("language_code") or "")[:16]
        transcript.speech_model_used = str(data.get("speech_model_used") or "")[:64]
        transcript.error = ""
        transcript.completed_at = timezone.now()
    elif new_status == TranscriptStatus.ERROR:
        transcript.error = str(data.get("error") or "AssemblyAI reported an error without a message.")
        transcript.completed_at = timezone.now()
    # A fresh answer from AssemblyAI: earlier failures to reach it are history.
    transcript.last_error = transcript.error if new_status == TranscriptStatus.ERROR else ""
    transcript.next_attempt_at = None
    transcript.save(update_fields=APPLIED_FIELDS)
    if new_status == TranscriptStatus.COMPLETED:
        transcript_completed.send(sender=Transcript, transcript=transcript)
    return True


def transcript_fail(transcript: Transcript, message: str) -> None:
    """End a transcript in `error` with `message` (this app's verdict, not AssemblyAI's)."""
    transcript.status = TranscriptStatus.ERROR
    transcript.error = message
    transcript.last_error = message
    transcript.next_attempt_at = None
    transcript.completed_at = timezone.now()
    transcript.save(
        update_fields=["status", "error", "last_error", "next_attempt_at", "completed_at", "updated_at"]
    )
