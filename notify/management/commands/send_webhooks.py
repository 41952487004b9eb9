"""Queue every outbound webhook delivery that is due, and those a dead worker left half-sent."""

from django.core.management.base import BaseCommand, CommandError

from notify.services import deliveries_requeue, events_purge


class Command(BaseCommand):
    help = (
        "Queue outbound webhook deliveries that are due (their task was lost, or the task backend "
        "ran them early) and those left 'sending' by a worker that died. Safe to run from cron. "
        "With --purge-older-than DAYS it also deletes finished events (and their attempts) older than that."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck-after", type=int, default=600, help="Seconds after which a 'sending' row counts as lost."
        )
        parser.add_argument(
            "--purge-older-than",
            type=int,
            metavar="DAYS",
            help="Delete finished events older than DAYS days.",
        )

    def handle(self, *args, stuck_after: int, purge_older_than: int | None, **options):
        if purge_older_than is not None and purge_older_than < 1:
            raise CommandError("--purge-older-than takes a number of days of at least 1.")
        count = deliveries_requeue(stuck_after=stuck_after)
        line = f"{count} deliver{'y' if count == 1 else 'ies'} queued."
        if purge_older_than is not None:
            purged = events_purge(older_than_days=purge_older_than)
            line += f" {purged} finished event(s) older than {purge_older_than} days deleted."
        self.stdout.write(line)
