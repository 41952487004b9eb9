"""What the transcription app tells others, without knowing who listens (it never imports caller)."""

from django.dispatch import Signal

# Sent with `transcript=` once a transcript is completed and its result saved (inside the
# saving transaction: receivers that call out should do so on commit).
transcript_completed = Signal()

# Sent with `transcript=` and `revision=` (a Revision) once a correction, revert or speaker merge of
# a transcript is committed: the row then holds the new words and text.
transcript_revised = Signal()
