"""RETENTION_AUDIO_DAYS and RETENTION_TRANSCRIPT_DAYS, applied by the worker every day.

Deletion reaches every copy: the steps other apps register (caller: the recording at Twilio) run
first, then this app's archive, then, for transcripts, AssemblyAI and the row itself
(`transcript_delete`). Each step done is an audit row. A step that fails leaves what it could not
delete in place, says so on the transcript (`retention_error`, shown on its page) and in the run's
summary, and the next run (an hour later, not a day) tries again: nothing is silently skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audio.services import asset_discard
from audit.models import AuditAction
from audit.services import audit_record

from .models import Transcript
from .retention import TranscriptKept, transcript_delete

logger = logging.getLogger(__name__)

# When every step succeeded the next run is a day later; after a failure, an hour.
RUN_EVERY = timedelta(days=1)
RETRY_AFTER_FAILURE = timedelta(hours=1)
# Rows handled in one run; the rest are handled by the next (no run holds the worker for long).
BATCH = 500


class RetentionStepFailed(Exception):
    """A copy could not be deleted (e.g. Twilio did not answer); the message says which and why."""


# A step deletes one copy of a transcript's audio held elsewhere and answers what it deleted (for
# the audit trail), or "" when there was nothing to delete. It raises RetentionStepFailed.
Step = Callable[[Transcript], str]
_steps: list[tuple[str, Step]] = []


def retention_step_register(name: str, step: Step) -> None:
    """Add a copy to delete with a transcript's audio (caller registers Twilio's recording)."""
    _steps[:] = [(n, s) for n, s in _steps if n != name] + [(name, step)]


@dataclass
class RetentionReport:
    audio_deleted: list[int] = field(default_factory=list)
    transcripts_deleted: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"audio of {len(self.audio_deleted)} transcripts deleted, {len(self.transcripts_deleted)} "
            f"transcripts deleted, {len(self.failures)} failures"
        )


def _audit(transcript_pk: int, detail: str, *, kind: str = "transcript", obj_id=None) -> None:
    audit_record(
        action=AuditAction.DELETED,
        obj_kind=kind,
        obj_id=obj_id if obj_id is not None else transcript_pk,
        detail=f"retention: {detail}",
    )


def _failed(transcript: Transcript, message: str, report: RetentionReport) -> None:
    logger.warning("Retention of transcript %s: %s", transcript.pk, message)
    report.failures.append(f"#{transcript.pk}: {message}")
    Transcript.objects.filter(pk=transcript.pk).update(retention_error=message[:500])


def _other_copies(transcript: Transcript) -> None:
    """Run every registered step; raises RetentionStepFailed naming the step that failed."""
    for name, step in list(_steps):
        try:
            done = step(transcript)
        except RetentionStepFailed as exc:
            raise RetentionStepFailed(f"{name}: {exc}") from None
        if done:
            _audit(transcript.pk, done)


def transcript_audio_delete(transcript: Transcript) -> None:
    """Delete a transcript's audio everywhere (other copies first, then the archive); the text stays.

    Raises RetentionStepFailed, leaving the archive in place, when another copy could not be deleted.
    """
    _other_copies(transcript)
    for asset in (transcript.audio, transcript.unredacted_audio):
        if asset is None or asset.transcripts.exclude(pk=transcript.pk).exists():
            continue  # another transcript still uses it
        asset_pk = asset.pk
        asset_discard(asset)
        _audit(transcript.pk, "archived audio", kind="audio", obj_id=asset_pk)
    transcript.audio = transcript.unredacted_audio = None
    transcript.audio_deleted_at = timezone.now()
    transcript.retention_error = ""
    transcript.save(
        update_fields=["audio", "unredacted_audio", "audio_deleted_at", "retention_error", "updated_at"]
    )


def _older_than(days: int, now: datetime):
    return Transcript.objects.filter(created_at__lt=now - timedelta(days=days)).order_by("created_at")


def retention_apply(*, now: datetime | None = None, client=None) -> RetentionReport:
    """Apply RETENTION_TRANSCRIPT_DAYS, then RETENTION_AUDIO_DAYS, to at most BATCH rows each."""
    now = now or timezone.now()
    report = RetentionReport()
    if settings.RETENTION_TRANSCRIPT_DAYS is not None:
        for transcript in _older_than(settings.RETENTION_TRANSCRIPT_DAYS, now)[:BATCH]:
            pk, label = transcript.pk, str(transcript)
            try:
                _other_copies(transcript)
                remote = transcript_delete(transcript, client=client)
            except (RetentionStepFailed, TranscriptKept) as exc:
                _failed(transcript, str(exc), report)
                continue
            detail = "transcript, its archive" + (" and AssemblyAI's copy" if remote else "")
            audit_record(action=AuditAction.DELETED, obj_kind="transcript", obj_id=pk, label=label,
                         detail=f"retention: {detail}")  # fmt: skip
            report.transcripts_deleted.append(pk)
    if settings.RETENTION_AUDIO_DAYS is not None:
        has_audio = Q(audio__isnull=False) | Q(unredacted_audio__isnull=False) | ~Q(recording_sid="")
        due = _older_than(settings.RETENTION_AUDIO_DAYS, now).filter(audio_deleted_at__isnull=True)
        for transcript in due.filter(has_audio).select_related("audio", "unredacted_audio")[:BATCH]:
            try:
                transcript_audio_delete(transcript)
            except RetentionStepFailed as exc:
                _failed(transcript, str(exc), report)
                continue
            report.audio_deleted.append(transcript.pk)
    return report


def retention_next_run(report: RetentionReport, now: datetime | None = None) -> datetime:
    """When the daily task runs next: in a day, or in an hour when something failed or is left."""
    now = now or timezone.now()
    left = len(report.audio_deleted) >= BATCH or len(report.transcripts_deleted) >= BATCH
    return now + (RETRY_AFTER_FAILURE if report.failures or left else RUN_EVERY)


def retention_run() -> str:
    """One run of the daily task: apply the policies, then queue the next run. Answers a summary."""
    if settings.RETENTION_AUDIO_DAYS is None and settings.RETENTION_TRANSCRIPT_DAYS is None:
        report = RetentionReport()
    else:
        try:
            report = retention_apply()
        except Exception as exc:  # the chain must not break: log, say so, try again in an hour
            logger.exception("Retention run failed")
            report = RetentionReport(failures=[f"{type(exc).__name__}: {exc}"])
    summary = report.summary()
    if report.failures:
        logger.warning("Retention: %s: %s", summary, "; ".join(report.failures)[:2000])
    from .queue import queue_retention

    queue_retention(run_after=retention_next_run(report))
    return summary + "".join(f"\n{line}" for line in report.failures[:20])
