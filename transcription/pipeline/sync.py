"""Reconciling: drive every unfinished transcript to a final state, whatever was lost on the way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from audio.models import OriginKind

from ..assemblyai_client import AssemblyAIClient, AssemblyAIError
from ..models import AudioSource, Transcript, TranscriptStatus
from .apply import transcript_fail
from .fetch import transcript_refresh
from .redaction import redacted_audio_attempt, transcripts_redaction_due
from .submit import transcript_submit_attempt

logger = logging.getLogger(__name__)


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


def transcripts_sync(
    *,
    now: datetime | None = None,
    overdue: timedelta = timedelta(minutes=10),
    lookback: timedelta = timedelta(hours=24),
    client: AssemblyAIClient | None = None,
    reconcilers: Iterable[Callable[..., list[str]]] = (),
) -> SyncReport:
    """Drive every unfinished transcript towards a final state; safe to run at any frequency.

    Submits pending rows that are due (their task was lost, or their worker died mid-attempt),
    polls jobs whose webhook is overdue, downloads redacted audio not archived yet, and first runs
    `reconcilers` (functions of `since` and `now` answering report lines; caller's sync_transcripts
    passes its own: abandoned call reservations, missed Twilio recordings).
    """
    now = now or timezone.now()
    report = SyncReport()
    for reconciler in reconcilers:
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
    # Uploads of audio not archived yet wait for the archive, which queues them itself.
    waiting = (
        Transcript.objects.filter(
            audio_source=AudioSource.UPLOAD, upload_url="", audio__archived_at__isnull=True
        )
        .exclude(audio__isnull=True)
        .exclude(audio__origin_kind=OriginKind.URL)
    )
    due = (
        Transcript.objects.filter(status=TranscriptStatus.PENDING, job_id__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exclude(pk__in=waiting.values("pk"))
    )
    for pk in due.values_list("pk", flat=True):
        outcome = _submit_once(pk, client, now)
        report.submitted.append(f"#{pk}: {outcome}")
    for pk in transcripts_redaction_due(now).values_list("pk", flat=True):
        outcome = _redacted_audio_once(pk, client, now)
        report.polled.append(f"#{pk} redacted audio: {outcome}")
    for transcript in stale:
        try:
            transcript_refresh(transcript=transcript, client=client)
            report.polled.append(f"#{transcript.pk} {transcript.job_id}: {transcript.status}")
        except AssemblyAIError as exc:
            if exc.status in (400, 404):  # AssemblyAI does not know the job (any more), as in a fetch
                transcript_fail(transcript, str(exc))
            report.problems.append(f"#{transcript.pk} {transcript.job_id}: {exc}")
        except Exception as exc:  # one bad row must not stop the sync of the others
            logger.exception("sync_transcripts could not poll transcript %s", transcript.pk)
            report.problems.append(f"#{transcript.pk} {transcript.job_id}: {type(exc).__name__}: {exc}")
    return report


def _redacted_audio_once(pk: int, client: AssemblyAIClient | None, now: datetime) -> str:
    try:
        return redacted_audio_attempt(transcript_id=pk, client=client, now=now)
    except Exception as exc:  # one bad row must not stop the sync of the others
        logger.exception("sync_transcripts could not fetch the redacted audio of transcript %s", pk)
        return f"failed: {type(exc).__name__}: {exc}"


def _submit_once(pk: int, client: AssemblyAIClient | None, now: datetime) -> str:
    try:
        return transcript_submit_attempt(transcript_id=pk, client=client, now=now)
    except Exception as exc:  # an unexpected failure of one row must not stop the sync
        logger.exception("sync_transcripts could not submit transcript %s", pk)
        return f"failed: {type(exc).__name__}: {exc}"
