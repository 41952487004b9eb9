"""manage.py load_sample: the sample calls (tutorial and conversation), owned by a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

import samples
from transcription.sample_calls import sample_load


class Command(BaseCommand):
    help = (
        "Load the sample calls (the tutorial, mono; a two-party conversation) as completed transcripts "
        "with playable audio, owned by --user (default: the first superuser). No network needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", dest="username", help="Who owns the samples (a username).")
        parser.add_argument(
            "--only", choices=[s.name for s in samples.SAMPLES], help="Load just this sample."
        )

    def handle(self, *args, username: str | None = None, only: str | None = None, **options):
        users = get_user_model().objects
        if username:
            owner = users.filter(username=username).first()
            if owner is None:
                raise CommandError(f"No user {username!r}: create one with `manage.py createsuperuser`.")
        else:
            owner = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if owner is None:
                raise CommandError("No superuser yet: name the owner with --user USERNAME.")
        loaded = [
            sample_load(owner=owner, sample=sample)
            for sample in samples.SAMPLES
            if only in (None, sample.name)
        ]
        for transcript in loaded:
            self.stdout.write(
                f"Transcript {transcript.pk}: {transcript.audio.label} ({transcript.get_absolute_url()})"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {len(loaded)} sample call(s) for {owner.get_username()}.")
        )
