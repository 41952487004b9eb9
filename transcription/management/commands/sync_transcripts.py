"""Drive every unfinished transcript to a final state. Safe to run from cron at any frequency."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand

from transcription.pipeline.sync import transcripts_sync


class Command(BaseCommand):
    help = (
        "Submit pending transcripts that no task is handling (e.g. the worker was killed), poll jobs "
        "whose webhook is overdue, and look for recordings whose callback never came."
    )
    # Functions finding audio whose notification never came; caller's sync_transcripts adds Twilio's.
    reconcilers: tuple = ()

    def add_arguments(self, parser):
        parser.add_argument(
            "--overdue-minutes",
            type=float,
            default=10.0,
            help="Poll a submitted job when its webhook has not come after this long (default 10).",
        )
        parser.add_argument(
            "--lookback-hours",
            type=float,
            default=24.0,
            help="Look for missed recordings of calls from this far back (default 24).",
        )
        parser.add_argument("--watch", action="store_true", help="Keep running; Ctrl-C stops.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between rounds with --watch (default 60)."
        )
        parser.add_argument(
            "--rounds", type=int, default=0, help="With --watch, stop after this many rounds."
        )

    def handle(self, *, overdue_minutes, lookback_hours, watch, interval, rounds, verbosity, **options):
        done = 0
        try:
            while True:
                report = transcripts_sync(
                    overdue=timedelta(minutes=overdue_minutes),
                    lookback=timedelta(hours=lookback_hours),
                    reconcilers=self.reconcilers,
                )
                if verbosity > 1:
                    for line in report.recovered + report.submitted + report.polled:
                        self.stdout.write(f"  {line}")
                for line in report.problems:
                    self.stderr.write(f"  {line}")
                self.stdout.write(f"sync_transcripts: {report.summary()}")
                done += 1
                if not watch or (rounds and done >= rounds):
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("sync_transcripts: stopped.")
