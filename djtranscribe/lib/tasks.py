"""Queueing background tasks (Django's Tasks API) so that they never see uncommitted rows."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits; run_after defers it where the backend can."""
    transaction.on_commit(partial(_enqueue, task, run_after, *args, **kwargs))


def _enqueue(task, run_after: datetime | None, *args: Any, **kwargs: Any) -> None:
    # Backends that run at once (ImmediateBackend) refuse run_after; the row's
    # next_attempt_at still holds the time, and the reconcile commands honour it.
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        # The row keeps the truth; a reconcile command picks it up when the queue is broken.
        logger.exception("Could not queue %s for %s", task.name, args[0] if args else "-")
