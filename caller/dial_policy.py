"""Who may be called, and how often: the guard against toll fraud on a public dial button.

`check_destination` refuses countries outside DIAL_ALLOWED_COUNTRIES and high-cost number types;
`check_rate` counts the user's stored calls, so the limit holds across processes and restarts;
caller.services reserves the call's row under a per-user lock before Twilio is asked, so
concurrent requests cannot all pass the count.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.utils import timezone

from djtranscribe.lib.env import parse_rate

from .models import Call
from .phone import InvalidNumber, Number

logger = logging.getLogger(__name__)

# Ordinary lines only. Premium-rate, shared-cost, UAN, personal, pager and voicemail numbers
# cost the caller more than a normal call, or forward to wherever their owner chooses.
DIALABLE_TYPES = {
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed line",
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed line or mobile",
    phonenumbers.PhoneNumberType.TOLL_FREE: "toll free",
    phonenumbers.PhoneNumberType.VOIP: "VoIP",
}
REFUSED_TYPE_NAMES = {
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    phonenumbers.PhoneNumberType.SHARED_COST: "a shared-cost number",
    phonenumbers.PhoneNumberType.UAN: "a universal access (UAN) number",
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER: "a personal (forwarding) number",
    phonenumbers.PhoneNumberType.PAGER: "a pager number",
    phonenumbers.PhoneNumberType.VOICEMAIL: "a voicemail access number",
}


class DialRefused(InvalidNumber):
    """The number parses but must not be called; `status` is the HTTP answer a view gives."""

    status = 403


class DialRateLimited(DialRefused):
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def allowed_countries() -> set[str]:
    """DIAL_ALLOWED_COUNTRIES, or the region of TWILIO_PHONE_NUMBER when it is empty."""
    if settings.DIAL_ALLOWED_COUNTRIES:
        return {code.upper() for code in settings.DIAL_ALLOWED_COUNTRIES}
    try:
        own = phonenumbers.parse(settings.TWILIO_PHONE_NUMBER or "", None)
    except phonenumbers.NumberParseException:
        return set()
    region = phonenumbers.region_code_for_number(own)
    if not region or region == "ZZ":
        # Twilio's test number +15005550006 is valid for no region; +1 means the US.
        region = phonenumbers.region_code_for_country_code(own.country_code)
    return {region} if region and region != "ZZ" else set()


# phonenumbers' region for numbers of no country: satellite phones (+870 Inmarsat, +881 Iridium
# and Globalstar), international networks (+882, +883), global services (+800, +808, +878, +979).
NON_GEOGRAPHIC_REGION = "001"


def check_destination(number: Number) -> None:
    """Refuse a number outside the allowed countries or of a high-cost type. Raises DialRefused."""
    if number.region in (None, "", "ZZ", NON_GEOGRAPHIC_REGION):
        # Never allowed, not even by DIAL_ALLOWED_COUNTRIES=*: these cost many times a normal call.
        _refuse(
            f"{number.e164} belongs to a satellite or international network, not to a country: "
            "such numbers can cost many times a normal call and are never dialed from this app."
        )
    allowed = allowed_countries()
    if "*" not in allowed and number.region not in allowed:
        where = ", ".join(sorted(allowed)) or "none (TWILIO_PHONE_NUMBER is not set)"
        _refuse(
            f"{number.e164} is in {number.region or 'no known country'}; calls are allowed only to "
            f"{where}. Add its region code to DIAL_ALLOWED_COUNTRIES to allow it."
        )
    if number.number_type not in DIALABLE_TYPES:
        kind = REFUSED_TYPE_NAMES.get(number.number_type, "not an ordinary fixed or mobile line")
        _refuse(
            f"{number.e164} is {kind}: such numbers can cost far more than a normal call "
            "and are never dialed from this app."
        )


def check_rate(user) -> None:
    """Refuse a user who has already placed DIAL_RATE_LIMIT calls in the window. Raises DialRateLimited."""
    rate = parse_rate(settings.DIAL_RATE_LIMIT)
    if rate is None or user is None or not user.is_authenticated:
        return
    count, seconds = rate
    now = timezone.now()
    recent = Call.objects.filter(dialed_by=user, created_at__gt=now - timedelta(seconds=seconds))
    placed = list(recent.order_by("-created_at").values_list("created_at", flat=True)[:count])
    if len(placed) < count:
        return
    # The call that frees a slot is the oldest of the last `count` calls.
    retry_after = max(1, math.ceil((placed[-1] + timedelta(seconds=seconds) - now).total_seconds()))
    logger.warning("Refused a call by %s: DIAL_RATE_LIMIT=%s reached", user, settings.DIAL_RATE_LIMIT)
    raise DialRateLimited(
        f"You have placed {len(placed)} calls in the last {_duration(seconds)}, the most "
        f"DIAL_RATE_LIMIT={settings.DIAL_RATE_LIMIT} allows. Try again in {_duration(retry_after)}.",
        retry_after=retry_after,
    )


def check(number: Number, *, user=None) -> None:
    """Everything that must hold before a call is placed. Raises DialRefused."""
    check_destination(number)
    check_rate(user)


def _refuse(message: str) -> None:
    logger.warning("Refused to dial: %s", message)
    raise DialRefused(message)


def _duration(seconds: int) -> str:
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            amount = math.ceil(seconds / size) if seconds % size else seconds // size
            return f"{amount} {name}{'s' if amount != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
