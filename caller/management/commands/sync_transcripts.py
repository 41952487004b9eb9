"""transcription's sync_transcripts, also finding Twilio recordings whose callback never came."""

from caller.services import recordings_reconcile, reservations_expire
from transcription.management.commands import sync_transcripts


class Command(sync_transcripts.Command):
    reconcilers = (reservations_expire, recordings_reconcile)
