"""Statuses that only move forward, for every app's rows (vendors deliver late and twice)."""

from __future__ import annotations

from collections.abc import Collection, Mapping


def status_moves_forward(
    current: str, new: str, ranks: Mapping[str, int], *, final: Collection[str] = ()
) -> bool:
    """True when `new` is a known status not behind `current` (an equal rank counts).

    A current status in `final` never moves; an unknown current one (e.g. empty) may.
    """
    if new not in ranks or current in final:
        return False
    return current not in ranks or ranks[new] >= ranks[current]


def status_advance(obj, field: str, new: str, ranks: Mapping[str, int]) -> bool:
    """Set `obj.<field>` to `new` when that moves it forward; True when it changed."""
    current = getattr(obj, field)
    if current == new or not status_moves_forward(current, new, ranks):
        return False
    setattr(obj, field, new)
    return True
