"""Writes on the AssemblyAI side: creating transcripts, submitting them, storing results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .assemblyai_client import AssemblyAIClient
from .models import STATUS_RANK, AudioSource, Transcript, TranscriptStatus

WORD_FIELDS = ("text", "start", "end", "confidence", "speaker", "channel")


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
    if new_status not in STATUS_RANK or new_status == TranscriptStatus.PENDING:
        return False
    if transcript.is_final or STATUS_RANK[new_status] < STATUS_RANK[transcript.status]:
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
    transcript.next_attempt_at = None
    transcript.save()
    return True


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


def transcript_submit_now(
    *,
    transcript: Transcript,
    client: AssemblyAIClient | None = None,
    audio: IO[bytes] | Iterable[bytes] | None = None,
    webhook_url: str | None = None,
) -> Transcript:
    """Upload (when `audio` is given) and submit synchronously; stores the job id.

    Raises AssemblyAIError; the attempt and its error are recorded on the row first.
    """
    client = client or AssemblyAIClient()
    transcript.attempts += 1
    transcript.save(update_fields=["attempts", "updated_at"])
    try:
        if audio is not None:
            transcript.upload_url = client.upload(audio)
            transcript.audio_source = AudioSource.UPLOAD
            transcript.save(update_fields=["upload_url", "audio_source", "updated_at"])
        options: dict[str, Any] = {}
        if webhook_url:
            options["webhook_url"] = webhook_url
            if settings.ASSEMBLYAI_WEBHOOK_SECRET:
                options["webhook_auth_header_name"] = "X-Webhook-Secret"
                options["webhook_auth_header_value"] = settings.ASSEMBLYAI_WEBHOOK_SECRET
        data = client.submit(
            transcript.upload_url or transcript.audio_url,
            speech_models=transcript.speech_models or None,
            keyterms=settings.TRANSCRIPTION_KEYTERMS or None,
            **options,
        )
    except Exception as exc:
        transcript.last_error = str(exc)
        transcript.save(update_fields=["last_error", "updated_at"])
        raise
    with transaction.atomic():
        transcript.job_id = data.get("id") or transcript.job_id
        transcript.submitted_at = timezone.now()
        transcript.last_error = ""
        transcript.save()
        transcript_apply(transcript=transcript, data=data)
    return transcript


def transcript_refresh(*, transcript: Transcript, client: AssemblyAIClient | None = None) -> dict[str, Any]:
    """Fetch the job from AssemblyAI, store it, and answer the raw JSON."""
    client = client or AssemblyAIClient()
    data = client.get(transcript.job_id)
    transcript_apply(transcript=transcript, data=data)
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
