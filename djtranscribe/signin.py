"""Sign-in throttling glue for django-axes: the client's address, and the lockout page.

Settings: AXES_FAILURE_LIMIT failures per account and, counted apart, per address within
AXES_COOLOFF_MINUTES lock that account or address out until the cool-off ends (README, "Security").
"""

import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address: the proxy's X-Forwarded-For entry when behind a trusted proxy.

    The same setting that trusts X-Forwarded-Proto (TRUST_X_FORWARDED_PROTO) trusts the proxy here.
    Only the right-most entry is the proxy's own: anything left of it the client may have sent.
    """
    if settings.TRUSTED_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def minutes_until_unlocked(request, username: str | None) -> int:
    """Whole minutes (at least 1) until the latest counted failure of this account or address expires."""
    cool_off = get_cool_off(request) or timedelta(0)
    now = timezone.now()
    matching = Q(ip_address=getattr(request, "axes_ip_address", None) or client_ip(request))
    if username:
        matching |= Q(username=username)
    latest = (
        AccessAttempt.objects.filter(matching, attempt_time__gte=now - cool_off)
        .aggregate(latest=Max("attempt_time"))
        .get("latest")
    )
    remaining = (latest or now) + cool_off - now
    return max(1, math.ceil(remaining.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page shown when an account or address is locked out: 429 with a Retry-After."""
    minutes = minutes_until_unlocked(request, get_client_username(request, credentials))
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
