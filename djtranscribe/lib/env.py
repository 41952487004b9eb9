"""Settings read from the environment, strictly: a value that cannot be read stops the app.

Modelled on healthchecks' `envbool`/`envint`. An empty or unset variable gives the default; any
other value must parse, or `ImproperlyConfigured` names the variable and what it accepts. A typo
such as `TWILIO_VALIDATE_SIGNATURES=ture` must never quietly turn a check off.
"""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DURATION_RE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\Z", re.IGNORECASE)
INT_RE = re.compile(r"[+-]?\d+\Z")


def _raw(name: str) -> str | None:
    """The variable's value, stripped; None when it is unset or blank."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _refuse(name: str, value: str, accepts: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} cannot be read: {name} accepts {accepts}.")


def env_str(name: str, default: str = "") -> str:
    return _raw(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise _refuse(name, value, "true/false, 1/0, yes/no or on/off (any case)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    if not INT_RE.match(value) or (minimum is not None and int(value) < minimum):
        floor = f" of at least {minimum}" if minimum is not None else ""
        raise _refuse(name, value, f"a whole number{floor}, e.g. {default}")
    return int(value)


def env_float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):  # nan and inf are no settings
        raise _refuse(name, value, f"a number, e.g. {default:g}")
    return number


def env_duration(name: str, default: float) -> float:
    """Seconds: a plain number of seconds, or a number with a unit (ms, s, m, h, d), e.g. 1.5s or 5m."""
    value = _raw(name)
    if value is None:
        return default
    match = DURATION_RE.match(value)
    if not match:
        raise _refuse(
            name, value, f"a duration: seconds (e.g. {default:g}) or a number with ms, s, m, h or d"
        )
    return float(match.group(1)) * DURATION_UNITS[(match.group(2) or "s").lower()]


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated; blanks around items and empty items are dropped."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        value = default
    return [item.strip() for item in value.split(",") if item.strip()]
