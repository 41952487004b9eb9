"""Queue the worker's daily retention task unless it is queued already (run at every worker start)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from transcription.queue import queue_retention


class Command(BaseCommand):
    help = (
        "Queue the daily retention task (RETENTION_AUDIO_DAYS, RETENTION_TRANSCRIPT_DAYS) for the worker, "
        "unless a run is already waiting. Each run queues the next one; running this before every worker "
        "start (make run and make worker do) restarts the chain if a killed worker broke it."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            queued = queue_retention()
        if options["verbosity"] > 0:
            self.stdout.write("Retention task queued." if queued else "Retention task already queued.")
