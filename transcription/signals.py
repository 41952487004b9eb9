"""What the transcription app tells others, without knowing who listens (it never imports caller).

Every signal here is sent inside the transaction that saved the change: a receiver may write rows
of its own in it (notify's outbox does, so an event exists exactly when the change does), and one
that calls out must do so on commit.
"""

from django.dispatch import Signal

# Sent with `transcript=` once a transcript is completed and its result saved.
transcript_completed = Signal()
# Sent with `transcript=` once a transcript has ended in error (AssemblyAI's verdict or this app's).
transcript_failed = Signal()
# Sent with `transcript=` (and `revision=` when there is a revision row) once a correction of a
# completed transcript's text is saved. The editor sends it; notify listens.
transcript_revised = Signal()
