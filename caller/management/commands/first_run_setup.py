"""Used by `make run`: on a first run in a terminal, offer to create an admin user."""

import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Offer to create an admin user when there is none (only when run in a terminal)."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        if not sys.stdin.isatty():
            self.stdout.write(
                "No admin user yet: create one with `.venv/bin/python manage.py createsuperuser`."
            )
            return
        answer = input("No admin user yet. Create one now to log in? [Y/n] ").strip().lower()
        if answer in ("", "y", "yes"):
            call_command("createsuperuser")
        else:
            self.stdout.write("Skipped. Later: `.venv/bin/python manage.py createsuperuser`.")
