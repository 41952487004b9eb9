"""What the transcription app tells others, without knowing who listens (it never imports caller)."""

from django.dispatch import Signal

# Sent with `transcript=` once a transcript is completed and its result saved (inside the
# saving transaction: receivers that call out should do so on commit).
transcript_completed = Signal()

# Sent (inside the transaction) once a redacted transcript's redacted audio is archived in place of
# the original: whoever keeps another copy of the original (caller: Twilio's) may delete it now.
redacted_audio_archived = Signal()

# Sent with `transcript=` and `revision=` (a Revision) once a correction, revert or speaker merge of
# a transcript is committed: the row then holds the new words and text.
transcript_revised = Signal()
