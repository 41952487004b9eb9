"""Settings read from the environment, strictly: a value that cannot be read stops the app.

Modelled on healthchecks' `envbool`/`envint`. An empty or unset variable gives the default; any
other value must parse, or `ImproperlyConfigured` names the variable and what it accepts. A typo
such as `TWILIO_VALIDATE_SIGNATURES=ture` must never quietly turn a check off.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DURATION_RE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\Z", re.IGNORECASE)
INT_RE = re.compile(r"[+-]?\d+\Z")
RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_RE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day|s|m|h|d)s?\s*\Z", re.IGNORECASE)


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


def env_duration(name: str, default: float, *, positive: bool = False) -> float:
    """Seconds: a plain number of seconds, or a number with a unit (ms, s, m, h, d), e.g. 1.5s or 5m.

    `positive` refuses zero (e.g. a timeout of 0 would fail every request at once).
    """
    value = _raw(name)
    if value is None:
        return default
    match = DURATION_RE.match(value)
    seconds = float(match.group(1)) * DURATION_UNITS[(match.group(2) or "s").lower()] if match else None
    if seconds is None or (positive and seconds <= 0):
        more = " of more than 0" if positive else ""
        raise _refuse(
            name, value, f"a duration{more}: seconds (e.g. {default:g}) or a number with ms, s, m, h or d"
        )
    return seconds


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (any case, answered in lower case)."""
    value = _raw(name)
    if value is None:
        return default
    if value.lower() not in choices:
        raise _refuse(name, value, " or ".join([", ".join(choices[:-1]), choices[-1]]))
    return value.lower()


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated; blanks around items and empty items are dropped."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        value = default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str) -> str:
    """An http(s) URL with a host, or "" when unset."""
    value = _raw(name)
    if value is None:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(name, value, "an http:// or https:// URL with a host, e.g. https://example.com/hooks")
    return value


def env_webhook_secret(name: str) -> str:
    """A Standard Webhooks secret: whsec_ and base64 of at least 24 bytes, or "" when unset.

    The value itself never appears in the error: it is a secret.
    """
    value = _raw(name)
    if value is None:
        return ""
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not value.startswith("whsec_") or len(key) < 24:
        raise ImproperlyConfigured(
            f"{name} cannot be read: it accepts whsec_ followed by base64 of at least 24 random bytes, "
            "e.g. what `python manage.py webhook_secret` prints"
        )
    return value


def parse_rate(text: str, name: str = "DIAL_RATE_LIMIT") -> tuple[int, int] | None:
    """'10/hour' → (10, 3600); 'off' or '' → None. Raises ImproperlyConfigured naming the setting."""
    if text.strip().lower() in {"", "off", "none", "0"}:
        return None
    match = RATE_RE.match(text)
    if not match:
        raise ImproperlyConfigured(
            f"{name}={text!r} is not a rate: write calls/period, e.g. 10/hour, 50/day or off."
        )
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3].lower()
    seconds = multiple * next(value for unit_name, value in RATE_UNITS.items() if unit_name.startswith(unit))
    return (count, seconds) if count > 0 else None


def env_rate(name: str, default: str) -> str:
    """A rate such as 10/hour (or off), checked now and kept as written (parse_rate reads it)."""
    value = env_str(name, default)
    parse_rate(value, name)
    return value


def env_multichoice(name: str, default: tuple[str, ...], choices: tuple[str, ...]) -> list[str]:
    """A comma-separated list whose every item is one of `choices` (any case; answered in lower case)."""
    items = [item.lower() for item in env_list(name)] or list(default)
    unknown = [item for item in items if item not in choices]
    if unknown:
        raise ImproperlyConfigured(
            f"{name} has {', '.join(map(repr, unknown))}, which "
            f"{'is not a known name' if len(unknown) == 1 else 'are not known names'}: "
            f"{name} accepts a comma-separated list of {', '.join(choices)}."
        )
    return list(dict.fromkeys(items))


def env_optional_int(name: str, *, minimum: int | None = None) -> int | None:
    """A whole number, or None when the variable is unset or empty (e.g. "keep forever")."""
    if _raw(name) is None:
        return None
    return env_int(name, 0, minimum=minimum)
