"""Phone number parsing for dialing."""

from dataclasses import dataclass

import phonenumbers


class InvalidNumber(ValueError):
    """A number that cannot be dialed, with a message that says why."""


@dataclass(frozen=True)
class Number:
    e164: str
    international: str
    region: str | None
    number_type: int


def parse_number(raw: str) -> Number:
    """Parse digits with the country code first (the tutorial's 14155551234) or +E.164."""
    text = (raw or "").strip()
    if not text:
        raise InvalidNumber("Enter a phone number, with the country code first (e.g. 14155551234).")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or any(ch.isalpha() for ch in text):
        raise InvalidNumber(f"{text!r} is not a phone number: use digits only, country code first.")
    if len(digits) > 15:
        raise InvalidNumber(f"+{digits} has {len(digits)} digits; an international number has at most 15.")
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(
            f"+{digits} is not a valid phone number: "
            "start with the country code (1 for US/Canada, 44 for the UK...)."
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        region = phonenumbers.region_code_for_number(parsed)
        where = f" for {region}" if region and region != "ZZ" else ""
        raise InvalidNumber(
            f"+{digits} is not a valid phone number{where}: check the digits and the country code."
        )
    return Number(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        international=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        region=phonenumbers.region_code_for_number(parsed),
        number_type=phonenumbers.number_type(parsed),
    )
