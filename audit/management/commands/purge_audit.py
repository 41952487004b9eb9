"""Delete audit rows older than N days (cron it for a retention policy)."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit trail rows recorded more than DAYS days ago."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="age in days")
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, older_than: int, dry_run: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 days or more.")
        count = audit_purge(older_than_days=older_than, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"Would delete {count} audit rows older than {older_than} days (dry run).")
        else:
            self.stdout.write(f"Deleted {count} audit rows older than {older_than} days.")
