"""Used by `make run`: before serving, the settings' warnings once and (first run, in a terminal) an
offer to create an admin user; once the server answers (`--box URL`), the one box to read."""

import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from caller.startup import startup_box, startup_facts


def _can_draw_lines(stream) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "┌─┐│└┘".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class Command(BaseCommand):
    help = (
        "Show the settings' warnings and offer to create an admin user when there is none (only in a "
        "terminal); with --box URL, print what `make run` says once the server answers."
    )
    # The checks run once, in handle(): `make run`'s other commands skip theirs.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--box", metavar="URL", help="Print the box for a server answering at URL.")

    def handle(self, *args, box: str | None = None, **options):
        if box:
            self.stdout.write(startup_box(startup_facts(box), unicode=_can_draw_lines(sys.stdout)))
            return
        self.check()
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists() or not sys.stdin.isatty():
            return  # without a terminal, the box says how to make one
        answer = input("No admin user yet. Create one now to log in? [Y/n] ").strip().lower()
        if answer in ("", "y", "yes"):
            call_command("createsuperuser")
        else:
            self.stdout.write("Skipped: the box below says how to create one later.")
