"""manage.py create_api_token USERNAME [--name NAME]: a new personal API token, printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import TokenRefused, token_create


class Command(BaseCommand):
    help = (
        "Make a personal API token for USERNAME and print it, this once (only its hash is kept). "
        "The token acts exactly as that user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument("--name", default="", help="What the token is for (default: 'command line').")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}: create it first (manage.py createsuperuser).")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: a token of theirs would not work.")
        try:
            token, raw = token_create(user=user, name=name or "command line")
        except TokenRefused as exc:
            raise CommandError(str(exc)) from None
        # The token alone on stdout (scripts capture it); the note on stderr.
        self.stdout.write(raw)
        self.stderr.write(
            f"Token “{token.name}” for {username}: copy it now, it is not shown again. "
            "Send it as `Authorization: Bearer <token>`."
        )
