"""Times carried in task arguments, as JSON holds them: ISO 8601 text with its offset."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def aware_or_none(value) -> datetime | None:
    """`value` read as an aware datetime; None when absent, unreadable or without an offset
    (a task queued by older code, or a value nobody should trust as a time)."""
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return when if timezone.is_aware(when) else None
