"""What a webhook answers when the database cannot take its write right now."""

import functools
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# Seconds a sender is asked to wait before trying again.
RETRY_AFTER = 10


def unavailable_when_database_is(view):
    """Answer 503 (with Retry-After) when the database is locked, restarting or unreachable.

    A 5xx, not a 200 that pretends success: senders that retry (AssemblyAI) deliver again,
    and the reconcile of sync_transcripts recovers what senders that do not retry (Twilio) lost.
    The view's own atomic blocks have rolled back by then, so nothing is half-written.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            logger.warning(
                "Database unavailable during %s (%s: %s): answered 503",
                request.path,
                type(exc).__name__,
                str(exc).splitlines()[0] if str(exc) else "",
            )
            response = HttpResponse(
                "The database is busy or restarting: try again shortly.\n",
                status=503,
                content_type="text/plain",
            )
            response["Retry-After"] = str(RETRY_AFTER)
            return response

    return wrapped


class RefuseNulCharacters:
    """400 for a page (GET/HEAD) whose URL or query string carries a NUL character.

    PostgreSQL refuses NUL in text, so such a value (`?q=%00`, `/calls/%00/`, an admin search)
    could only end as a 500 deep in a query; SQLite takes it, so both backends now answer alike.
    Webhooks (POST) check their own input: AssemblyAI's must answer 200 to whatever it sends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponse(
                "NUL characters are not allowed in URLs: remove them and try again.\n",
                status=400,
                content_type="text/plain",
            )
        return self.get_response(request)
