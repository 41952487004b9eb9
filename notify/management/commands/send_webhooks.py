"""Queue every outbound webhook delivery that is due, and those a dead worker left half-sent."""

from django.core.management.base import BaseCommand

from notify.services import deliveries_requeue


class Command(BaseCommand):
    help = (
        "Queue outbound webhook deliveries that are due (their task was lost, or the task backend "
        "ran them early) and those left 'sending' by a worker that died. Safe to run from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck-after", type=int, default=600, help="Seconds after which a 'sending' row counts as lost."
        )

    def handle(self, *args, stuck_after: int, **options):
        count = deliveries_requeue(stuck_after=stuck_after)
        self.stdout.write(f"{count} deliver{'y' if count == 1 else 'ies'} queued.")
