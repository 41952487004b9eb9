"""Submitting transcripts to AssemblyAI: the claim (a lease on the row), upload, submit, retries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from audio.services import AudioUnavailable, asset_open

from .. import webhook_auth
from ..assemblyai_client import AssemblyAIClient, AssemblyAIError
from ..keyterms import keyterms_current
from ..models import AudioSource, Transcript, TranscriptStatus, new_webhook_token
from ..queue import queue_fetch, queue_orphan_delete, queue_submit, retry_delay
from .apply import transcript_apply, transcript_fail
from .redaction import redaction_options

# How long one submission attempt may hold its row: longer than an upload can take, so a
# slow attempt is never doubled, short enough that a killed worker's row is picked up soon.
SUBMIT_LEASE = timedelta(minutes=15)


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


def channel_options(transcript: Transcript) -> dict[str, bool]:
    """How AssemblyAI should tell the voices apart, from the audio's channels.

    Two channels (a <Dial> conversation): `multichannel`, one participant per channel. Mono: never
    multichannel; `speaker_labels` (diarization) when TRANSCRIPTION_SPEAKER_LABELS is on.
    """
    channels = transcript.audio.channels if transcript.audio_id else None
    if channels is not None and channels >= 2:
        return {"multichannel": True}
    if settings.TRANSCRIPTION_SPEAKER_LABELS:
        return {"speaker_labels": True}
    return {}


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
    # Recorded on the row so accuracy can be compared with and without key terms.
    transcript.keyterms = keyterms_current()
    data = client.submit(
        transcript.upload_url or transcript.audio_url,
        speech_models=transcript.speech_models or None,
        keyterms=transcript.keyterms or None,
        **channel_options(transcript),
        **redaction_options(transcript),
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
                "keyterms",
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


def _audio_for(transcript: Transcript) -> IO[bytes] | None:
    """The archived audio to upload, or None when AssemblyAI fetches the URL itself."""
    if transcript.audio_source != AudioSource.UPLOAD or transcript.upload_url:
        return None  # url mode, or already uploaded by an earlier attempt
    if transcript.audio is None or not transcript.audio.needs_archive:
        # A public URL needs no credentials: AssemblyAI downloads it itself.
        transcript.audio_source = AudioSource.URL
        transcript.save(update_fields=["audio_source", "updated_at"])
        return None
    return asset_open(transcript.audio)  # AudioUnavailable (retryable) until it is archived


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
    audio = None
    try:
        client = client or AssemblyAIClient()
        webhook_url = webhook_url_for(transcript) if webhooks_enabled() else None
        audio = _audio_for(transcript)
        _send(transcript=transcript, client=client, audio=audio, webhook_url=webhook_url)
    except (AssemblyAIError, AudioUnavailable) as exc:
        return _after_failure(transcript, exc)
    finally:
        if audio is not None:
            audio.close()
    if webhook_url is None:
        first_poll = timezone.now() + timedelta(seconds=settings.TRANSCRIPTION_POLL_INTERVAL)
        queue_fetch(transcript.pk, poll=0, run_after=first_poll)
    elif Transcript.objects.filter(pk=transcript.pk, webhook_received_at__isnull=False).exists():
        queue_fetch(transcript.pk)  # the webhook beat our commit of the job id
    return "submitted"


def _after_failure(transcript: Transcript, exc: AssemblyAIError | AudioUnavailable) -> str:
    message = str(exc)
    if not exc.retryable:
        transcript_fail(transcript, message)
        return "error"
    if transcript.attempts >= settings.TRANSCRIPTION_MAX_ATTEMPTS:
        transcript_fail(transcript, f"Gave up after {transcript.attempts} attempts. Last error: {message}")
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
