"""Authenticating Twilio's webhooks."""

import functools
import hmac
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)


def public_url(request) -> str:
    """The URL Twilio requested: BASE_URL + the full path, not what Django sees behind a proxy."""
    return settings.BASE_URL + request.get_full_path()


def twilio_signature_is_valid(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    params = request.POST if request.method == "POST" else {}
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    url = public_url(request)
    # Twilio signs the URL it requested, which is this one: one HMAC settles the usual case.
    # validate() computes two (the URL with and without its default port) and stays the fallback.
    if hmac.compare_digest(validator.compute_signature(url, params), signature):
        return True
    return validator.validate(url, params, signature)


def twilio_webhook(view):
    """Let a request through only with a valid X-Twilio-Signature (403 otherwise, nothing stored).

    TWILIO_VALIDATE_SIGNATURES=false turns the check off (a warning is logged at start).
    """

    @login_not_required  # Twilio proves itself by its signature, not a session
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.TWILIO_VALIDATE_SIGNATURES and not twilio_signature_is_valid(request):
            logger.warning(
                "Rejected a Twilio webhook to %s: missing or invalid X-Twilio-Signature "
                "(the signature is checked against BASE_URL=%s)",
                request.path,
                settings.BASE_URL,
            )
            return HttpResponseForbidden(
                "Invalid or missing X-Twilio-Signature. The signature is checked against "
                "BASE_URL + the request path: BASE_URL must be the public URL Twilio calls "
                "and TWILIO_AUTH_TOKEN the account's auth token.\n",
                content_type="text/plain",
            )
        return view(request, *args, **kwargs)

    return wrapper


def twiml_response(twiml) -> HttpResponse:
    return HttpResponse(str(twiml), content_type="application/xml")
