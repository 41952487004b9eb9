"""AssemblyAI's webhook: authenticate, queue the delivery durably, answer 200 fast.

The view does no more than it must before answering: it checks the secret, the method and the
size, cleans the body, and commits it as one task row (store_webhook_delivery, an "inbox" run
before other work). The worker then stores the WebhookDelivery and queues the fetch when the
delivery is news (transcription.pipeline.inbound). A burst of deliveries costs one INSERT each.

What each answer means to AssemblyAI, which retries anything but a 2xx or 4xx (up to 10 times)
and never retries a 4xx:
- 401/403: a missing or wrong secret header (ASSEMBLYAI_WEBHOOK_SECRET, or when it is empty a
  value derived per transcript from SECRET_KEY: the webhook is never open). 405: not a POST. 413: a body over
  WEBHOOK_MAX_BODY. None of these can be a real delivery for a row we hold (real ones are
  authenticated POSTs of ~100 bytes), so no stored row is affected by refusing them.
- 200: the delivery is queued durably (its task row is committed). That is everything else that
  passes the secret check, even a body that is not JSON, has the wrong types, or names an unknown
  token: the worker stores it as it came (cleaned) and it harms nothing. A 4xx
  there could swallow a real delivery for an existing row, which AssemblyAI would never resend.
- 503: the database could not take the delivery's task row (locked, restarting): AssemblyAI
  tries again, and sync_transcripts polls the job anyway once its webhook is overdue.
"""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from djtranscribe.lib.db_unavailable import unavailable_when_database_is

from . import webhook_auth
from .pipeline.inbound import webhook_delivery_cleaned
from .queue import queue_webhook_delivery

logger = logging.getLogger(__name__)

# A real delivery is {"transcript_id": ..., "status": ...}: far below this.
WEBHOOK_MAX_BODY = 64 * 1024


def _secret_problem(request, token: str) -> HttpResponse | None:
    """401/403 unless the header carries this job's value (always checked: see webhook_auth)."""
    given = request.META.get(webhook_auth.META_KEY, "")  # not request.headers: it converts them all
    if not given:
        logger.warning("Rejected an AssemblyAI webhook without the %s header", webhook_auth.HEADER)
        return HttpResponse(f"Missing {webhook_auth.HEADER} header.\n", status=401, content_type="text/plain")
    if not webhook_auth.is_authentic(token, given):
        logger.warning("Rejected an AssemblyAI webhook with a wrong %s header", webhook_auth.HEADER)
        return HttpResponse(f"Wrong {webhook_auth.HEADER} header.\n", status=403, content_type="text/plain")
    return None


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _parse(raw: bytes):
    """The body as JSON, or its first 2,000 characters as text when it is not JSON."""
    try:
        return json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return raw[:2000].decode("utf-8", "replace")


@login_not_required  # AssemblyAI signs in with its secret header, not a session
@csrf_exempt
@require_POST
@unavailable_when_database_is
def assemblyai_webhook(request, token):
    """AssemblyAI says a job ended: queue the delivery for the worker (which fetches the result)."""
    problem = _secret_problem(request, token)
    if problem is not None:
        return problem
    # Refused before reading a byte when the sender says it is too big.
    if _declared_length(request) > WEBHOOK_MAX_BODY:
        return HttpResponse(
            f"Body over {WEBHOOK_MAX_BODY} bytes: not an AssemblyAI webhook.\n",
            status=413,
            content_type="text/plain",
        )
    raw = request.read(WEBHOOK_MAX_BODY + 1)
    if len(raw) > WEBHOOK_MAX_BODY:
        return HttpResponse(
            f"Body over {WEBHOOK_MAX_BODY} bytes: not an AssemblyAI webhook.\n",
            status=413,
            content_type="text/plain",
        )
    token, body = webhook_delivery_cleaned(token=token, body=_parse(raw))
    # Not on commit, not swallowed: a task row that cannot be written raises, and the sender,
    # answered 503, delivers again. A 200 means the delivery is in the database.
    queue_webhook_delivery(token=token, body=body, received_at=timezone.now())
    return HttpResponse("ok\n", content_type="text/plain")
