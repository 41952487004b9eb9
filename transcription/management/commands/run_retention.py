"""Apply RETENTION_AUDIO_DAYS and RETENTION_TRANSCRIPT_DAYS now (the worker does it daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from transcription.retention_policy import retention_apply


class Command(BaseCommand):
    help = (
        "Delete audio older than RETENTION_AUDIO_DAYS (archive, Twilio; the text stays) and transcripts "
        "older than RETENTION_TRANSCRIPT_DAYS (AssemblyAI, here, the archive), each step audited. "
        "The worker runs this daily by itself; a failure is reported, kept on the transcript, and exits 1."
    )

    def handle(self, *args, **options):
        if settings.RETENTION_AUDIO_DAYS is None and settings.RETENTION_TRANSCRIPT_DAYS is None:
            self.stdout.write(
                "No retention set (RETENTION_AUDIO_DAYS, RETENTION_TRANSCRIPT_DAYS): nothing done."
            )
            return
        report = retention_apply()
        for line in report.failures:
            self.stderr.write(line)
        if report.failures:
            raise CommandError(f"Retention: {report.summary()} (see above; the next run tries again).")
        self.stdout.write(f"Retention: {report.summary()}.")
