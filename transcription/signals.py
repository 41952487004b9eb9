"""What the transcription app tells others, without knowing who listens (it never imports caller).

transcript_completed and transcript_failed are sent inside the transaction that saved the change:
a receiver may write rows of its own in it (notify's outbox does, so an event exists exactly when
the change does), and one that calls out must do so on commit. transcript_revised is sent once the
revision is committed (transcription.revising.services).
"""

from django.dispatch import Signal

# Sent with `transcript=` once a transcript is completed and its result saved.
transcript_completed = Signal()
# Sent with `transcript=` once a transcript has ended in error (AssemblyAI's verdict or this app's).
transcript_failed = Signal()

# Sent (inside the transaction) once a redacted transcript's redacted audio is archived in place of
# the original: whoever keeps another copy of the original (caller: Twilio's) may delete it now.
redacted_audio_archived = Signal()

# Sent with `transcript=` and `revision=` (a Revision) once a correction, revert or speaker merge of
# a transcript is committed: the row then holds the new words and text.
transcript_revised = Signal()
