"""AssemblyAI's webhook: every delivery stored as it came, a fetch queued when it is news.

Two halves, an inbox between them: the view cleans a delivery (`webhook_delivery_cleaned`) and
queues it as one task row, answering as soon as that row is committed; the worker runs the
task (`webhook_delivery_store`), which stores it and acts on it (`webhook_received`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from djtranscribe.lib.ids import TRANSCRIPT_ID_RE as JOB_ID_RE
from djtranscribe.lib.tasks import inbox_store
from djtranscribe.lib.times import aware_or_none

from ..models import RedactedAudio, Transcript, TranscriptStatus, WebhookDelivery
from ..queue import queue_fetch, queue_orphan_delete, queue_redacted_audio, queue_webhook_delivery
from .redaction import READY as REDACTED_AUDIO_READY

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")  # what new_webhook_token makes


def _storable(value: Any, depth: int = 0) -> Any:
    """A JSON value every database stores: no NUL, no lone surrogates, no NaN/Infinity, bounded depth.

    PostgreSQL refuses NUL in text and jsonb and both backends refuse unencodable strings:
    a delivery carrying them must still be kept, not turned into a 500. Only the odd part is
    replaced (by text), so a usable transcript_id beside it still counts.
    """
    if depth > 20:
        return _storable(repr(value)[:200])
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_storable(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_storable(str(k), depth + 1): _storable(v, depth + 1) for k, v in value.items()}
    return value


def _delivery_body(body: Any) -> dict[str, Any]:
    cleaned = _storable(body)
    return cleaned if isinstance(cleaned, dict) else {"unparsed": cleaned}


def _job_id_in(body: dict[str, Any]) -> str:
    """The delivery's transcript_id when it is a string shaped like one; else ''."""
    job_id = body.get("transcript_id")
    return job_id if isinstance(job_id, str) and JOB_ID_RE.match(job_id) else ""


def webhook_delivery_cleaned(*, token: str, body: Any) -> tuple[str, dict[str, Any]]:
    """A delivery's token and body as the inbox task carries them to `webhook_received`.

    The body becomes a JSON object every database stores (the task row is JSON too), without the
    pre-signed redacted_audio_url: it is never written anywhere, not even in the task row. A token
    new_webhook_token could not have made becomes '': it names no row, and the delivery is still
    stored (as one for no transcript).
    """
    body = _delivery_body(body)
    if "redacted_audio_url" in body:
        # A pre-signed URL: whoever holds it can download the audio for 24 hours. Not kept.
        body["redacted_audio_url"] = "(pre-signed URL, not stored)"
    return (token if isinstance(token, str) and TOKEN_RE.match(token) else ""), body


def webhook_received(
    *, token: str, body: dict[str, Any], received_at: datetime | None = None
) -> WebhookDelivery:
    """Store one webhook delivery and, when it is news for a known job, queue a fetch on commit.

    `token` and `body` come from webhook_delivery_cleaned (the view cleans, the inbox task stores).
    Unknown tokens, repeats and malformed bodies are stored and go no further; `redacted_audio_ready`
    (no transcript_id: the token says which) queues the download of a redacted transcript's audio.
    A job id other than the row's own is an orphan (see below) and is deleted at AssemblyAI.
    `received_at` is when the request came (the delivery's and the transcript's times); now if not given.
    """
    received_at = received_at or timezone.now()
    job_id = _job_id_in(body)
    status = body.get("status") if isinstance(body.get("status"), str) else ""
    status = status[:32]
    with transaction.atomic():
        transcript = None
        if token:
            # Only what is read or written here: a finished row's words/utterances can be megabytes.
            transcript = (
                Transcript.objects.select_for_update()
                .filter(webhook_token=token)
                .only("pk", "job_id", "status", "webhook_received_at", "redact_pii", "redacted_audio")
                .first()
            )
        note, news, orphan = "", False, False
        final = status in (TranscriptStatus.COMPLETED, TranscriptStatus.ERROR)
        if status == REDACTED_AUDIO_READY and transcript is not None:
            # The URL in the body is not used: the worker asks AssemblyAI's API for it (authenticated),
            # so a delivery can only say "now", never "from where".
            if transcript.redact_pii and transcript.redacted_audio == RedactedAudio.WAITING:
                news = True
                queue_redacted_audio(transcript.pk, force=True)
            else:
                note = "Redacted audio ready, but this transcript does not wait for any: ignored."
        elif transcript is not None and job_id and final:
            if transcript.job_id and job_id != transcript.job_id:
                # The token is this row's, the job is not: a submission whose answer was lost (worker
                # killed during POST /v2/transcript) made a job before the one the row recorded.
                # (A resubmission gets a new token, so an old job of the row never lands here.)
                owner = Transcript.objects.filter(job_id=job_id).values_list("pk", flat=True).first()
                if owner is not None:  # never delete a job another row holds, whatever a body claims
                    note = f"Job {job_id} belongs to transcript {owner}, not {transcript.pk}: ignored."
                else:
                    note = f"Orphan job of transcript {transcript.pk} (its job is {transcript.job_id})."
                    orphan = True
            elif transcript.webhook_received_at is None:  # else a repeat: the first one queued the fetch
                news = True
                transcript.webhook_received_at = received_at
                transcript.save(update_fields=["webhook_received_at", "updated_at"])
                if not transcript.is_final and transcript.job_id:
                    queue_fetch(transcript.pk)
        # Stored once, already marked: one INSERT rather than an INSERT and an UPDATE.
        delivery = WebhookDelivery.objects.create(
            transcript=transcript,
            job_id=job_id,
            status=status,
            body=body,
            note=note,
            received_at=received_at,
            processed_at=timezone.now() if news else None,
        )
        if orphan:
            queue_orphan_delete(job_id, delivery.pk)
    return delivery


def webhook_delivery_store(
    *, token: str, body: dict[str, Any], attempt: int = 0, received_at: str = ""
) -> str:
    """The inbox task's half: webhook_received, and the same delivery queued again a little later
    when the database is locked or restarting (see inbox_store). Answers what became of it.

    `received_at` is the request's time as the view queued it (ISO 8601); a task queued before it
    was carried has none, and the delivery then gets the time it is stored.
    """
    when = aware_or_none(received_at) or timezone.now()

    def store() -> str:
        delivery = webhook_received(token=token, body=body, received_at=when)
        return "processed" if delivery.processed_at else "stored"

    def again(next_attempt: int, run_after) -> None:
        queue_webhook_delivery(
            token=token, body=body, received_at=when, attempt=next_attempt, run_after=run_after
        )

    return inbox_store(store, attempt=attempt, again=again)
