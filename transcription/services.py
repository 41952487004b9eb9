"""Writes on the AssemblyAI side: creating transcripts, submitting them, storing results.

The pipeline: `transcript_request` creates a row and queues `submit_transcript`; each
attempt (`transcript_submit_attempt`) claims the row, uploads and submits, and on a
transient failure schedules the next try with backoff. AssemblyAI's webhook (or polling
when webhooks are off) queues `fetch_transcript`, which stores the result.
`transcripts_sync` drives whatever a dead worker or a lost webhook left behind.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from djtranscribe.lib.ids import TRANSCRIPT_ID_RE as JOB_ID_RE

from . import vendor_values, webhook_auth
from .assemblyai_client import AssemblyAIClient, AssemblyAIError
from .audio import AudioUnavailable, opener_for
from .models import (
    STATUS_RANK,
    AudioSource,
    Transcript,
    TranscriptStatus,
    WebhookDelivery,
    new_webhook_token,
)
from .signals import transcript_completed

logger = logging.getLogger(__name__)

# The header AssemblyAI sends back with ASSEMBLYAI_WEBHOOK_SECRET as its value.
WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
# How long one submission attempt may hold its row: longer than an upload can take, so a
# slow attempt is never doubled, short enough that a killed worker's row is picked up soon.
SUBMIT_LEASE = timedelta(minutes=15)
MAX_RETRY_DELAY = 3600.0
MAX_POLL_DELAY = 300.0

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
    transcript.save(update_fields=APPLIED_FIELDS)
    if new_status == TranscriptStatus.COMPLETED:
        transcript_completed.send(sender=Transcript, transcript=transcript)
    return True


def transcript_create(
    *,
    audio_url: str = "",
    recording_sid: str = "",
    call_sid: str = "",
    audio_source: str = AudioSource.URL,
    owner=None,
) -> Transcript:
    """Store a new, pending transcript; `owner` (a user or user id) is who may see it."""
    return Transcript.objects.create(
        owner_id=getattr(owner, "pk", owner),
        audio_url=audio_url,
        recording_sid=recording_sid,
        call_sid=call_sid,
        audio_source=audio_source,
        speech_models=list(settings.TRANSCRIPTION_SPEECH_MODELS),
    )


def transcript_request(
    *, audio_url: str, recording_sid: str = "", call_sid: str = "", owner=None
) -> tuple[Transcript, bool]:
    """Create the one transcript of a recording and queue its submission on commit.

    Idempotent by `recording_sid`: a repeated request answers the existing row. Returns (row, created).
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
                owner=owner,
            )
    except IntegrityError:
        if not recording_sid:
            raise
        return Transcript.objects.get(recording_sid=recording_sid), False
    queue_submit(transcript.pk)
    return transcript, True


# -- submission -----------------------------------------------------------


def configured_audio_source() -> str:
    """TRANSCRIPTION_AUDIO_SOURCE: `upload` (default) or `url`."""
    source = settings.TRANSCRIPTION_AUDIO_SOURCE.lower()
    return AudioSource.URL if source == AudioSource.URL else AudioSource.UPLOAD


def webhooks_enabled() -> bool:
    """TRANSCRIPTION_WEBHOOKS: on, off, or auto (on when AssemblyAI can reach BASE_URL over https)."""
    mode = settings.TRANSCRIPTION_WEBHOOKS.lower()
    if mode in {"on", "true", "1", "yes"}:
        return True
    if mode in {"off", "false", "0", "no"}:
        return False
    return settings.BASE_URL.startswith("https://")


def webhook_url_for(transcript: Transcript) -> str:
    """The URL AssemblyAI calls when the job ends; the token in it names this one transcript."""
    return settings.BASE_URL + reverse("transcription:assemblyai-webhook", args=[transcript.webhook_token])


def _send(
    *,
    transcript: Transcript,
    client: AssemblyAIClient,
    audio: IO[bytes] | Iterable[bytes] | None,
    webhook_url: str | None,
) -> Transcript:
    """Upload (when `audio` is given), submit, and store the job id. Errors propagate."""
    if audio is not None:
        transcript.upload_url = client.upload(audio)
        transcript.audio_source = AudioSource.UPLOAD
        transcript.save(update_fields=["upload_url", "audio_source", "updated_at"])
    data = client.submit(
        transcript.upload_url or transcript.audio_url,
        speech_models=transcript.speech_models or None,
        keyterms=settings.TRANSCRIPTION_KEYTERMS or None,
        **webhook_auth.submit_options(webhook_url=webhook_url, token=transcript.webhook_token),
    )
    with transaction.atomic():
        transcript.job_id = data.get("id") or transcript.job_id
        transcript.submitted_at = timezone.now()
        transcript.last_error = ""
        transcript.next_attempt_at = None
        transcript.save(
            update_fields=[
                "job_id",
                "submitted_at",
                "last_error",
                "next_attempt_at",
                "attempts",
                "updated_at",
            ]
        )
        transcript_apply(transcript=transcript, data=data)
    return transcript


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
        return _send(transcript=transcript, client=client, audio=audio, webhook_url=webhook_url)
    except Exception as exc:
        transcript.last_error = str(exc)
        transcript.save(update_fields=["last_error", "updated_at"])
        raise


def retry_delay(*, attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff from TRANSCRIPTION_RETRY_DELAY, never shorter than a Retry-After."""
    delay = settings.TRANSCRIPTION_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, MAX_RETRY_DELAY)


def _claim_for_submission(transcript_id: int, now) -> Transcript | None:
    """Take the row for one submission attempt, or None when it is not ours to submit.

    A conditional UPDATE, so two workers (or a worker and sync_transcripts) never both
    submit: the winner counts the attempt and holds a lease in `next_attempt_at`.
    """
    claimed = (
        Transcript.objects.filter(pk=transcript_id, status=TranscriptStatus.PENDING, job_id__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + SUBMIT_LEASE, updated_at=now)
    )
    if not claimed:
        return None
    return Transcript.objects.get(pk=transcript_id)


def _audio_for(transcript: Transcript) -> Iterable[bytes] | None:
    """The audio stream to upload, or None when AssemblyAI fetches the URL itself."""
    if transcript.audio_source != AudioSource.UPLOAD or transcript.upload_url:
        return None  # url mode, or already uploaded by an earlier attempt
    opener = opener_for(transcript.audio_url)
    if opener is None:
        # A public URL needs no credentials: AssemblyAI downloads it itself.
        transcript.audio_source = AudioSource.URL
        transcript.save(update_fields=["audio_source", "updated_at"])
        return None
    return opener(transcript.audio_url)


def _fail(transcript: Transcript, message: str) -> None:
    transcript.status = TranscriptStatus.ERROR
    transcript.error = message
    transcript.last_error = message
    transcript.next_attempt_at = None
    transcript.completed_at = timezone.now()
    transcript.save(
        update_fields=["status", "error", "last_error", "next_attempt_at", "completed_at", "updated_at"]
    )


def transcript_submit_attempt(
    *, transcript_id: int, client: AssemblyAIClient | None = None, now: datetime | None = None
) -> str:
    """One submission attempt of a pending transcript, as the task and sync_transcripts make it.

    Transient failures schedule a retry with backoff; permanent ones end in `error` at once.
    Answers what happened: submitted, retrying, error, or skipped.
    """
    transcript = _claim_for_submission(transcript_id, now or timezone.now())
    if transcript is None:
        return "skipped"
    try:
        client = client or AssemblyAIClient()
        webhook_url = webhook_url_for(transcript) if webhooks_enabled() else None
        _send(transcript=transcript, client=client, audio=_audio_for(transcript), webhook_url=webhook_url)
    except (AssemblyAIError, AudioUnavailable) as exc:
        return _after_failure(transcript, exc)
    if webhook_url is None:
        first_poll = timezone.now() + timedelta(seconds=settings.TRANSCRIPTION_POLL_INTERVAL)
        queue_fetch(transcript.pk, poll=0, run_after=first_poll)
    elif Transcript.objects.filter(pk=transcript.pk, webhook_received_at__isnull=False).exists():
        queue_fetch(transcript.pk)  # the webhook beat our commit of the job id
    return "submitted"


def _after_failure(transcript: Transcript, exc: AssemblyAIError | AudioUnavailable) -> str:
    message = str(exc)
    if not exc.retryable:
        _fail(transcript, message)
        return "error"
    if transcript.attempts >= settings.TRANSCRIPTION_MAX_ATTEMPTS:
        _fail(transcript, f"Gave up after {transcript.attempts} attempts. Last error: {message}")
        return "error"
    delay = retry_delay(attempts=transcript.attempts, retry_after=getattr(exc, "retry_after", None))
    transcript.last_error = message
    transcript.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    transcript.save(update_fields=["last_error", "next_attempt_at", "updated_at"])
    queue_submit(transcript.pk, run_after=transcript.next_attempt_at)
    return "retrying"


def transcript_resubmit(*, transcript: Transcript) -> bool:
    """Start a transcript over as a new AssemblyAI job (admin action). Completed ones are left alone.

    A new webhook token makes late webhooks of the old job land nowhere, and the old job is
    deleted at AssemblyAI (on commit) so its audio and any text do not stay there unowned.
    """
    if transcript.status == TranscriptStatus.COMPLETED:
        return False
    if transcript.job_id:
        queue_orphan_delete(transcript.job_id, None)
    transcript.status = TranscriptStatus.PENDING
    transcript.job_id = None
    transcript.upload_url = ""
    transcript.error = ""
    transcript.last_error = ""
    transcript.attempts = 0
    transcript.next_attempt_at = None
    transcript.submitted_at = None
    transcript.webhook_received_at = None
    transcript.completed_at = None
    transcript.webhook_token = new_webhook_token()
    transcript.save()
    queue_submit(transcript.pk)
    return True


# -- results --------------------------------------------------------------


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
        _fail(transcript, f"AssemblyAI's result could not be stored ({type(exc).__name__}): {exc}"[:2000])
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
            _fail(transcript, str(exc))
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


# -- AssemblyAI's webhook -------------------------------------------------


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


def webhook_received(*, token: str, body: Any) -> WebhookDelivery:
    """Store one webhook delivery and, when it is news for a known job, queue a fetch on commit.

    Unknown tokens, repeats, malformed bodies and `redacted_audio_ready` are stored and go no
    further. A job id other than the row's own is an orphan (see below) and is deleted at AssemblyAI.
    """
    body = _delivery_body(body)
    job_id = _job_id_in(body)
    status = body.get("status") if isinstance(body.get("status"), str) else ""
    status = status[:32]
    with transaction.atomic():
        transcript = None
        if isinstance(token, str) and TOKEN_RE.match(token):
            transcript = Transcript.objects.select_for_update().filter(webhook_token=token).first()
        note, news, orphan = "", False, False
        final = status in (TranscriptStatus.COMPLETED, TranscriptStatus.ERROR)
        if transcript is not None and job_id and final:
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
                transcript.webhook_received_at = timezone.now()
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
            processed_at=timezone.now() if news else None,
        )
        if orphan:
            queue_orphan_delete(job_id, delivery.pk)
    return delivery


def orphan_delete_attempt(
    *, job_id: str, delivery_id: int | None = None, attempt: int = 0, client: AssemblyAIClient | None = None
) -> str:
    """Delete an orphan job at AssemblyAI, as the task makes it; the outcome is noted on the delivery.

    A job AssemblyAI no longer knows counts as deleted; transient failures are retried with backoff.
    """
    from .retention import already_gone

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


# -- queueing (always on commit: a task must never see a row that is not committed) ----


def queue_submit(transcript_id: int, *, run_after: datetime | None = None) -> None:
    """Queue a submission attempt once the current transaction commits."""
    from .tasks import submit_transcript

    transaction.on_commit(partial(_enqueue, submit_transcript, run_after, transcript_id))


def queue_fetch(
    transcript_id: int, *, poll: int | None = None, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue a fetch of the job's result once the current transaction commits."""
    from .tasks import fetch_transcript

    transaction.on_commit(
        partial(_enqueue, fetch_transcript, run_after, transcript_id, poll=poll, attempt=attempt)
    )


def queue_orphan_delete(
    job_id: str, delivery_id: int | None, *, attempt: int = 0, run_after: datetime | None = None
) -> None:
    """Queue the deletion of an orphan AssemblyAI job once the current transaction commits."""
    from .tasks import delete_orphan_job

    transaction.on_commit(
        partial(_enqueue, delete_orphan_job, run_after, job_id, delivery_id=delivery_id, attempt=attempt)
    )


def enqueue_on_commit(task, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue any task (another app's too) once the current transaction commits; run_after defers it."""
    transaction.on_commit(partial(_enqueue, task, run_after, *args, **kwargs))


def _enqueue(task, run_after: datetime | None, *args: Any, **kwargs: Any) -> None:
    # Backends that run at once (ImmediateBackend) refuse run_after; the row's
    # next_attempt_at still holds the time, and sync_transcripts honours it.
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        # The row keeps the truth; sync_transcripts picks it up when the queue is broken.
        logger.exception("Could not queue %s for transcript %s", task.name, args[0])


# -- reconciliation ---------------------------------------------------------


@dataclass
class SyncReport:
    submitted: list[str] = field(default_factory=list)
    polled: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.submitted)} submitted, {len(self.polled)} polled, "
            f"{len(self.recovered)} missed recordings found, {len(self.problems)} problems"
        )


# Hooks that find audio whose notification never came (caller registers one for Twilio
# recordings in its AppConfig.ready); each answers lines for the report.
_reconcilers: list[Callable[..., list[str]]] = []


def register_reconciler(reconciler: Callable[..., list[str]]) -> None:
    if reconciler not in _reconcilers:
        _reconcilers.append(reconciler)


def transcripts_sync(
    *,
    now: datetime | None = None,
    overdue: timedelta = timedelta(minutes=10),
    lookback: timedelta = timedelta(hours=24),
    client: AssemblyAIClient | None = None,
) -> SyncReport:
    """Drive every unfinished transcript towards a final state; safe to run at any frequency.

    Submits pending rows that are due (their task was lost, or their worker died mid-attempt),
    polls jobs whose webhook is overdue, and asks the reconcilers for missed recordings.
    """
    now = now or timezone.now()
    report = SyncReport()
    for reconciler in _reconcilers:
        try:
            report.recovered.extend(reconciler(since=now - lookback, now=now))
        except Exception as exc:  # one broken source must not stop the rest
            report.problems.append(f"{getattr(reconciler, '__name__', reconciler)}: {exc}")
    # Chosen before submitting, so a job this run submits is not polled straight away.
    stale = list(
        Transcript.objects.filter(
            status__in=(TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING), job_id__isnull=False
        ).filter(Q(submitted_at__isnull=True) | Q(submitted_at__lte=now - overdue))
    )
    due = Transcript.objects.filter(status=TranscriptStatus.PENDING, job_id__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    for pk in due.values_list("pk", flat=True):
        outcome = _submit_once(pk, client, now)
        report.submitted.append(f"#{pk}: {outcome}")
    for transcript in stale:
        try:
            transcript_refresh(transcript=transcript, client=client)
            report.polled.append(f"#{transcript.pk} {transcript.job_id}: {transcript.status}")
        except AssemblyAIError as exc:
            if exc.status in (400, 404):  # AssemblyAI does not know the job (any more), as in a fetch
                _fail(transcript, str(exc))
            report.problems.append(f"#{transcript.pk} {transcript.job_id}: {exc}")
        except Exception as exc:  # one bad row must not stop the sync of the others
            logger.exception("sync_transcripts could not poll transcript %s", transcript.pk)
            report.problems.append(f"#{transcript.pk} {transcript.job_id}: {type(exc).__name__}: {exc}")
    return report


def _submit_once(pk: int, client: AssemblyAIClient | None, now: datetime) -> str:
    try:
        return transcript_submit_attempt(transcript_id=pk, client=client, now=now)
    except Exception as exc:  # an unexpected failure of one row must not stop the sync
        logger.exception("sync_transcripts could not submit transcript %s", pk)
        return f"failed: {type(exc).__name__}: {exc}"
