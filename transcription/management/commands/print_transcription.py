"""`manage.py print_transcription`: the tutorial's print_transcription.py, storing what it prints."""

import json

from django.core.management.base import BaseCommand, CommandError

from djtranscribe.lib.ids import is_transcript_id
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError
from transcription.models import TranscriptStatus
from transcription.pipeline.fetch import transcript_for_job


class Command(BaseCommand):
    help = (
        "Fetch an AssemblyAI transcript by its id, store it, and print its JSON, "
        "then a blank line and the text."
    )

    def add_arguments(self, parser):
        parser.add_argument("job_id", help="the AssemblyAI transcript id (what `transcribe` printed)")

    def handle(self, *args, job_id: str, **options):
        if not is_transcript_id(job_id):
            raise CommandError(f"{job_id!r} is not an AssemblyAI transcript id (letters, digits and dashes).")
        try:
            transcript, data = transcript_for_job(job_id, client=AssemblyAIClient())
        except AssemblyAIError as exc:
            if exc.status in (400, 404):
                raise CommandError(
                    f"{exc} Check the id: AssemblyAI knows no transcript {job_id} for this key and region."
                ) from None
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        self.stdout.write("")
        if transcript.status == TranscriptStatus.COMPLETED:
            self.stdout.write(transcript.text)
        elif transcript.status == TranscriptStatus.ERROR:
            raise CommandError(f"Transcript {job_id} failed: {transcript.error}")
        else:
            self.stderr.write(f"Not finished yet ({transcript.status}): run this again in a moment.")
