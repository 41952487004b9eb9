"""`manage.py transcribe`: the tutorial's transcribe.py, for a URL, a local file or a RecordingSid."""

from __future__ import annotations

import re
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audio.services import AudioUnavailable
from djtranscribe.lib.ids import RECORDING_SID_RE
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError
from transcription.models import AudioSource, Transcript, TranscriptStatus
from transcription.pipeline import direct
from transcription.pipeline.fetch import transcript_refresh

URL_RE = re.compile(r"^https?://", re.IGNORECASE)
FIRST_POLL_DELAY = 1.0
POLL_BACKOFF = 1.5

# Patched in tests so --wait does not really sleep.
_sleep = time.sleep
_monotonic = time.monotonic


class Command(BaseCommand):
    help = (
        "Submit audio to AssemblyAI and store a Transcript: an http(s) URL, a local audio file "
        "(streamed to AssemblyAI's upload) or a Twilio RecordingSid. Prints the job id; "
        "--wait follows the job and prints the text."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="audio URL, path to a local audio file, or RecordingSid (RE...)")
        parser.add_argument(
            "--wait", action="store_true", help="follow the job until done and print the text"
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="the user who may see the transcript (default: nobody but leads and superusers)",
        )
        parser.add_argument(
            "--sensitive",
            action="store_true",
            help="redact PII in this one (text and audio), as TRANSCRIPTION_REDACT_PII does for all",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600.0,
            help="with --wait: give up waiting after this many seconds (default 3600)",
        )

    def handle(self, *args, source: str, wait: bool, timeout: float, owner: str | None = None, **options):
        self.owner = self.find_owner(owner)
        self.sensitive = bool(options.get("sensitive"))
        try:
            client = AssemblyAIClient()
        except AssemblyAIError as exc:
            raise CommandError(str(exc)) from None
        transcript = self.submit(client, source)
        self.stdout.write(transcript.job_id)
        if wait:
            self.wait(client, transcript, timeout)

    def submit(self, client: AssemblyAIClient, source: str) -> Transcript:
        """Store a Transcript for `source` and submit it; nothing stays behind when that fails."""
        try:
            if URL_RE.match(source):
                return direct.transcript_submit_url(
                    audio_url=source, client=client, owner=self.owner, sensitive=self.sensitive
                )
            file = self.open_file(source)
            if file is None:
                return self.submit_other(client, source)
            with file:
                return direct.transcript_submit_file(
                    file=file, client=client, owner=self.owner, sensitive=self.sensitive
                )
        except (AssemblyAIError, AudioUnavailable, direct.TranscriptExists) as exc:
            raise CommandError(str(exc)) from None

    def find_owner(self, username: str | None):
        """The user named by --owner (None without it); an unknown name stops before anything is sent."""
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f"There is no user {username!r}: --owner takes an existing username."
            ) from None

    def open_file(self, source: str):
        """`source` opened for reading when it names an existing file; else None."""
        path = Path(source).expanduser()
        if not path.exists():
            return None
        try:
            if path.is_file() and path.stat().st_size == 0:
                raise CommandError(f"{source} is empty: there is no audio to transcribe.")
            return path.open("rb")
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc.strerror or exc}.") from None

    def submit_other(self, client: AssemblyAIClient, source: str) -> Transcript:
        """Neither a URL nor a file (caller's transcribe adds RecordingSids here)."""
        if RECORDING_SID_RE.match(source):
            raise CommandError(
                f"{source} looks like a Twilio RecordingSid, but nothing can resolve it: "
                "is the caller app in INSTALLED_APPS?"
            )
        raise CommandError(
            f"{source!r} is not an http(s) URL, an existing file or a RecordingSid (RE + 32 hex digits): "
            "no such file."
        )

    def wait(self, client: AssemblyAIClient, transcript: Transcript, timeout: float) -> None:
        """Poll with a bounded backoff until the job is final; progress goes to stderr."""
        delay = FIRST_POLL_DELAY
        deadline = _monotonic() + timeout
        shown = transcript.status
        self.stderr.write(shown, ending="")
        try:
            while not transcript.is_final:
                if _monotonic() >= deadline:
                    raise CommandError(
                        f"Still {transcript.status} after {timeout:g} s; check later with "
                        f"python manage.py print_transcription {transcript.job_id}"
                    )
                _sleep(delay)
                delay = min(delay * POLL_BACKOFF, max(settings.TRANSCRIPTION_POLL_INTERVAL, FIRST_POLL_DELAY))
                try:
                    transcript_refresh(transcript=transcript, client=client)
                except AssemblyAIError as exc:
                    if not exc.retryable:
                        raise CommandError(str(exc)) from None
                    self.stderr.write(f"\n{exc} Retrying.", ending="")
                    delay = max(delay, exc.retry_after or 0)
                    continue
                if transcript.status != shown:
                    shown = transcript.status
                    self.stderr.write(f"\n{shown}", ending="")
                else:
                    self.stderr.write(".", ending="")
                self.stderr.flush()
        except KeyboardInterrupt:
            raise CommandError(
                f"Stopped waiting; the job goes on at AssemblyAI: "
                f"python manage.py print_transcription {transcript.job_id}",
                returncode=130,
            ) from None
        finally:
            self.stderr.write("")
        if transcript.status == TranscriptStatus.ERROR:
            raise CommandError(
                f"Transcript {transcript.job_id} failed: {transcript.error}{_hint(transcript)}"
            )
        self.stdout.write("")
        self.stdout.write(transcript.text)


def _hint(transcript: Transcript) -> str:
    if "download" in transcript.error.lower() and transcript.audio_source == AudioSource.URL:
        return (
            " (AssemblyAI could not fetch the URL: if it needs credentials, as Twilio media with "
            "HTTP auth does, transcribe a local copy or set TRANSCRIPTION_AUDIO_SOURCE=upload.)"
        )
    return ""
