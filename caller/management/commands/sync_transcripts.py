"""transcription's sync_transcripts, also finding Twilio recordings whose callback never came."""

from caller.services import recordings_reconcile
from transcription.management.commands import sync_transcripts


class Command(sync_transcripts.Command):
    reconcilers = (recordings_reconcile,)
