"""Phone numbers as people read them: national format at home, international otherwise.

Home is the country of TWILIO_PHONE_NUMBER (the number calls come from). Anything that is not a
valid number (a label, a file name) is shown as it is.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from django.conf import settings


@lru_cache(maxsize=32)
def region_of(number: str) -> str | None:
    """The region code (US, GB...) of an E.164 number, or None."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return region if region and region != "ZZ" else None


def home_region() -> str | None:
    """The country of TWILIO_PHONE_NUMBER; None when it is not set (every number shows international)."""
    return region_of(settings.TWILIO_PHONE_NUMBER or "")


@lru_cache(maxsize=4096)
def _display(value: str, home: str | None) -> str:
    if not value.startswith("+"):
        return value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(parsed):
        return value
    national = home is not None and phonenumbers.region_code_for_number(parsed) == home
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def display_number(value: object) -> str:
    """`value` formatted for people when it is an E.164 number; otherwise as it is."""
    text = "" if value is None else str(value)
    return _display(text.strip(), home_region())
