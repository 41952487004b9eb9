"""Print a new Standard Webhooks secret (whsec_...), e.g. for OUTBOUND_WEBHOOK_SECRET."""

from django.core.management.base import BaseCommand

from notify.models import new_secret


class Command(BaseCommand):
    help = "Print a new outbound webhook signing secret (whsec_ + base64 of 32 random bytes)."

    def handle(self, *args, **options):
        self.stdout.write(new_secret())
