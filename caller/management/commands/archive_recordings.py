"""Archive the recordings an older install never archived: bounded, resumable, with progress."""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audio.services import AudioUnavailable
from caller import twilio_client
from caller.audio import recording_archive_now, recordings_lost_count, recordings_unarchived
from djtranscribe.lib.storage_url import describe


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class Command(BaseCommand):
    help = (
        "Stream completed recordings that are still only at Twilio into the archive and verify them "
        "(size and SHA-256). Verified recordings are skipped, so a rerun continues where the last "
        "stopped; a failure is reported and the batch goes on (exit status 1 at the end)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=positive,
            default=100,
            help="Archive at most this many recordings in this run (default 100).",
        )

    def handle(self, *args, limit: int, **options):
        waiting = recordings_unarchived()
        total = waiting.count()
        batch = list(waiting[:limit])
        where = describe(settings.STORAGES["recordings"])
        self.stdout.write(f"{total} recordings to archive; this run takes {len(batch)}, into {where}.")
        archived, failed, stored = 0, 0, 0
        for number, recording in enumerate(batch, 1):
            line = f"[{number}/{len(batch)}] {recording.sid}"
            try:
                asset = recording_archive_now(recording)
            except twilio_client.MissingSettings as exc:
                raise CommandError(str(exc)) from None  # every recording would fail the same way
            except (twilio_client.TwilioError, AudioUnavailable) as exc:
                failed += 1
                self.stderr.write(f"{line} failed: {exc}")
                continue
            archived += 1
            stored += asset.size or 0
            self.stdout.write(f"{line} archived ({megabytes(asset.size or 0)}, SHA-256 {asset.sha256[:12]}…)")
        left = recordings_unarchived().count()
        lost = recordings_lost_count()
        summary = (
            f"Archived {archived} recordings ({megabytes(stored)}), {failed} failed, {left} still to archive"
            + (f"; {lost} were deleted at Twilio before any archive and cannot be archived." if lost else ".")
        )
        self.stdout.write(summary)
        if failed:
            raise CommandError(
                f"{failed} recordings could not be archived (see above); run the command again to retry them."
            )
