"""Queueing deliveries, always on commit, and the backoff between tries.

The one module of this app that imports its tasks (see transcription.queue for why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from djtranscribe.lib.tasks import enqueue_on_commit

from .tasks import deliver_event

# Seconds to wait after the 1st, 2nd, ... failed try: about 27 hours in all (the Standard Webhooks
# providers' schedule), then the delivery has failed.
RETRY_SCHEDULE = (5, 60, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
# A Retry-After is honoured up to this: a receiver cannot park a delivery for a week.
MAX_RETRY_AFTER = 24 * 3600
RETRY_WINDOW = timedelta(seconds=sum(RETRY_SCHEDULE))


def retry_delay(*, attempts: int, retry_after: float | None = None) -> float | None:
    """Seconds until the next try after `attempts` failed ones (never sooner than a Retry-After);
    None once the schedule is spent."""
    if attempts < 1 or attempts > len(RETRY_SCHEDULE):
        return None
    delay = float(RETRY_SCHEDULE[attempts - 1])
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def queue_delivery(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Queue one delivery attempt once the current transaction commits."""
    enqueue_on_commit(deliver_event, delivery_id, run_after=run_after)
