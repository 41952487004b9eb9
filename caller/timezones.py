"""Times in the user's own time zone: their profile's choice, else their browser's, else TIME_ZONE.

The browser's zone arrives in the `tz` cookie, set by caller/static/caller/timezone.js on every page
(the login page included, so the first page after signing in is already right). Whatever the cookie
or a form says is only used when it names a zone of the IANA database (zoneinfo), never as a path.
"""

from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone

from .models import CallerProfile

COOKIE = "tz"
MAX_LENGTH = 64  # the longest IANA name is about 32 characters


class InvalidTimeZone(ValueError):
    """A name that is not a time zone of the IANA database; the message says what to pick."""


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows, sorted (the profile page's choices)."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(zone_names())


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone called `name`, or None when it is empty or not an IANA zone name."""
    if not name or len(name) > MAX_LENGTH or name not in _known():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def browser_zone_name(request) -> str:
    """The browser's zone as its cookie names it, when valid; else ''."""
    raw = unquote(request.COOKIES.get(COOKIE, ""))
    return raw if zone_or_none(raw) else ""


def profile_zone_name(user) -> str:
    """The zone the user chose on their profile; '' when they follow their browser."""
    if user is None or not user.is_authenticated:
        return ""
    return CallerProfile.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""


def zone_for(*, profile_zone: str, browser_zone: str) -> ZoneInfo | None:
    """The profile's zone wins; else the browser's; None means the site's TIME_ZONE."""
    return zone_or_none(profile_zone) or zone_or_none(browser_zone)


def profile_time_zone_set(*, user, time_zone: str) -> CallerProfile:
    """Store the user's zone ('' follows the browser). Raises InvalidTimeZone for any other name."""
    name = time_zone.strip()
    if name and zone_or_none(name) is None:
        raise InvalidTimeZone(
            f"{name[:MAX_LENGTH]!r} is not a time zone: pick one from the list, "
            "e.g. Europe/Paris or America/New_York."
        )
    profile, _ = CallerProfile.objects.update_or_create(user=user, defaults={"time_zone": name})
    return profile


class UserTimeZoneMiddleware:
    """Activate the user's zone for the request, so every page, form and filter reads in it.

    After AuthenticationMiddleware. A request without a session (a webhook) reads no row: its
    user is anonymous, so only the cookie counts, and webhooks send none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = zone_for(
            profile_zone=profile_zone_name(getattr(request, "user", None)),
            browser_zone=browser_zone_name(request),
        )
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
