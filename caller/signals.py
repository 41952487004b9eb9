"""What the caller app tells others (notify), without knowing who listens.

Sent inside the transaction that saved the change, like transcription's signals: a receiver may
write rows of its own in it, and one that calls out must do so on commit.
"""

from django.dispatch import Signal

# Sent with `call=` when a call's status reaches `completed`.
call_completed = Signal()
# Sent with `recording=` when a recording's status reaches `completed` (first seen so, or moved there).
recording_completed = Signal()
