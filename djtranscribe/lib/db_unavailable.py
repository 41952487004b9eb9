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
