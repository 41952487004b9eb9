"""AssemblyAI's webhook: authenticate, store the delivery, queue a fetch, answer 200 fast.

AssemblyAI never retries after a 4xx, so only a bad secret gets one; anything that
passes the secret check answers 200, even for unknown jobs or odd bodies.
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services

logger = logging.getLogger(__name__)


def _secret_problem(request) -> HttpResponse | None:
    secret = settings.ASSEMBLYAI_WEBHOOK_SECRET
    if not secret:
        return None
    given = request.headers.get(services.WEBHOOK_SECRET_HEADER, "")
    if not given:
        logger.warning("Rejected an AssemblyAI webhook without the %s header", services.WEBHOOK_SECRET_HEADER)
        return HttpResponse(
            f"Missing {services.WEBHOOK_SECRET_HEADER} header.\n", status=401, content_type="text/plain"
        )
    if not hmac.compare_digest(given.encode(), secret.encode()):
        logger.warning(
            "Rejected an AssemblyAI webhook with a wrong %s header", services.WEBHOOK_SECRET_HEADER
        )
        return HttpResponse(
            f"Wrong {services.WEBHOOK_SECRET_HEADER} header.\n", status=403, content_type="text/plain"
        )
    return None


@csrf_exempt
@require_POST
def assemblyai_webhook(request, token):
    """AssemblyAI says a job ended: store the delivery and queue a fetch of the result."""
    problem = _secret_problem(request)
    if problem is not None:
        return problem
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = request.body[:2000].decode("utf-8", "replace")
    services.webhook_received(token=token, body=body)
    return HttpResponse("ok\n", content_type="text/plain")
