"""Delete transcripts older than N days, here and at AssemblyAI (cron it for a retention policy)."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction
from audit.services import audit_record
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError
from transcription.retention import (
    TranscriptKept,
    orphan_deliveries_older_than,
    transcript_delete,
    transcripts_older_than,
)


class Command(BaseCommand):
    help = (
        "Delete transcripts created more than DAYS days ago, with their webhook deliveries, "
        "first at AssemblyAI (text and uploaded audio). A transcript AssemblyAI could not delete is kept "
        "and reported, and the command exits non-zero, so the next run tries again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="age in days")
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
        parser.add_argument(
            "--local-only", action="store_true", help="delete only here, leave AssemblyAI's copy alone"
        )

    def handle(self, *args, older_than: int, dry_run: bool, local_only: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 days or more.")
        transcripts = transcripts_older_than(older_than)
        orphans = orphan_deliveries_older_than(older_than)
        if dry_run:
            self.stdout.write(
                f"Would delete {transcripts.count()} transcripts and {orphans.count()} unmatched webhook "
                f"deliveries older than {older_than} days (dry run: nothing deleted)."
            )
            return
        client = None
        if not local_only and transcripts.exclude(job_id__isnull=True).exclude(job_id="").exists():
            try:
                client = AssemblyAIClient()
            except AssemblyAIError as exc:
                message = f"{exc} Or pass --local-only to leave AssemblyAI's copies alone."
                raise CommandError(message) from None
        deleted = remote = 0
        kept: list[str] = []
        for transcript in transcripts.iterator():
            try:
                label, pk = str(transcript), transcript.pk  # delete() clears the pk
                remote += transcript_delete(transcript, remote=not local_only, client=client)
                audit_record(
                    action=AuditAction.DELETED,
                    obj_kind="transcript",
                    obj_id=pk,
                    label=label,
                    detail="purge_transcripts",
                )
                deleted += 1
            except TranscriptKept as exc:
                kept.append(str(exc))
                self.stderr.write(str(exc))
        orphan_count, _ = orphans.delete()
        summary = (
            f"Deleted {deleted} transcripts older than {older_than} days ({remote} at AssemblyAI) "
            f"and {orphan_count} unmatched webhook deliveries"
        )
        if kept:
            raise CommandError(f"{summary}; kept {len(kept)} that AssemblyAI did not delete (see above).")
        self.stdout.write(summary + ".")
