"""The tutorial's views, grown up: dial, the TwiML for recording, and a call's recording URLs.

Plus the Twilio callbacks that let the app follow a call without anyone copying SIDs.
"""

import functools
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf
from django.views.decorators.http import require_http_methods, require_POST
from twilio.twiml.voice_response import VoiceResponse

from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe.lib.db_unavailable import unavailable_when_database_is
from djtranscribe.lib.ids import CALL_SID_RE

from . import callbacks, conversation, dial_errors, selectors, services, webhook_input
from .dial_policy import DialRefused, check_destination
from .phone import InvalidNumber, parse_number
from .security import twilio_webhook, twiml_response
from .twilio_client import MissingSettings, TwilioError, missing_settings

logger = logging.getLogger(__name__)

GREETING = "Ahoy! Call recording starts now."


@login_required
@permission_required("caller.place_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def dial(request, phone_number):
    """GET shows the number to call and a button; POST places the call (a GET never rings a phone)."""
    try:
        number = parse_number(phone_number)
    except InvalidNumber as exc:
        return render(request, "caller/dial.html", {"error": str(exc), "raw": phone_number}, status=400)
    if request.method == "GET":
        # No button for a call that would fail: without TWILIO_PHONE_NUMBER every country is
        # refused, so the missing settings are named first, as the POST would name them.
        if missing := missing_settings(*services.DIAL_SETTINGS):
            return render(
                request,
                "caller/dial.html",
                {"raw": number.e164, "error": str(MissingSettings(missing)), "refused": True},
                status=503,
            )
        try:
            check_destination(number)
        except DialRefused as exc:
            return _dial_failed(request, number, exc)
        context = {"number": number, "own_number": conversation.profile_number(request.user)}
        return render(request, "caller/dial.html", context)
    # The second button, "Call them and connect me", has Twilio call the user first.
    connect = request.POST.get("how") == "connect"
    try:
        call = conversation.call_place_or_connect(number=number.e164, user=request.user, connect=connect)
    except dial_errors.DIAL_ERRORS as exc:
        return _dial_failed(request, number, exc)
    audit_record(
        request=request,
        action=AuditAction.CALL_PLACED,
        obj_kind="call",
        obj_id=call.sid,
        label=call.counterpart,
    )
    return render(request, "caller/dialed.html", {"number": number, "call": call, "connect": connect})


def _dial_failed(request, number, exc: Exception):
    """The dial page again, saying why; the status comes from dial_errors (the one mapping)."""
    if dial_errors.is_twilio_failure(exc):
        logger.warning("Dialing %s failed: %s", number.e164, exc)
    context = {"number": number, "error": str(exc)}
    if isinstance(exc, MissingSettings):
        context["missing"] = exc.names
    elif isinstance(exc, InvalidNumber):
        refused = isinstance(exc, DialRefused | conversation.NoOwnNumber)  # the digits are fine
        context = {"raw": number.e164, "error": str(exc), "refused": refused}
    response = render(request, "caller/dial.html", context, status=dial_errors.http_status(exc))
    for name, value in dial_errors.http_headers(exc).items():
        response[name] = value
    return response


@twilio_webhook
@require_http_methods(["GET", "POST"])
def record_twiml(request):
    """TwiML for the call: a greeting, a <Record>, a hang-up (the same for every call)."""
    return HttpResponse(
        _record_twiml(settings.BASE_URL, get_urlconf(), get_script_prefix()), content_type="application/xml"
    )


@functools.lru_cache(maxsize=8)
def _record_twiml(base_url: str, urlconf, script_prefix: str) -> str:
    """Built once per BASE_URL and URL layout (the arguments are the cache key, not inputs).

    `action` ends the call once recording stops (without it Twilio re-requests this
    URL and the greeting loops); `recordingStatusCallback` tells us when the file is ready.
    """
    response = VoiceResponse()
    response.say(GREETING)
    response.record(
        action=services.absolute_url("record-action"),
        method="POST",
        recording_status_callback=services.absolute_url("recording-status"),
        recording_status_callback_method="POST",
        # A space-separated string: a Python list would render as invalid TwiML.
        recording_status_callback_event="completed absent",
    )
    response.hangup()
    return str(response)


@twilio_webhook
@require_http_methods(["GET", "POST"])
def record_action(request):
    """Where Twilio goes when <Record> ends: hang up."""
    response = VoiceResponse()
    response.hangup()
    return twiml_response(response)


@login_required
def get_recording_url(request, call_sid):
    """Plain text: one media URL per line for the call's recordings (the tutorial's view)."""
    if not CALL_SID_RE.match(call_sid):
        return HttpResponse(
            f"{call_sid!r} is not a call SID: it is 'CA' followed by 32 hex digits.\n",
            status=404,
            content_type="text/plain",
        )
    if not selectors.call_listable_by(request.user, call_sid=call_sid):
        raise Http404("No such call.")
    try:
        recordings = services.recordings_for_call(call_sid)
    except MissingSettings as exc:
        return HttpResponse(f"{exc}\n", status=503, content_type="text/plain")
    except TwilioError as exc:
        if exc.status == 404 or exc.status is None and "Unable to fetch page" in str(exc):
            return HttpResponse(
                f"Twilio knows no call {call_sid} on this account.\n", status=404, content_type="text/plain"
            )
        return HttpResponse(f"{exc}\n", status=502, content_type="text/plain")
    visible = set(
        selectors.recordings_visible_to(request.user)
        .filter(sid__in=[r.sid for r in recordings])
        .values_list("sid", flat=True)
    )
    text = "".join(f"{r.media_url}\n" for r in recordings if r.sid in visible)
    return HttpResponse(text, status=200, content_type="text/plain; charset=utf-8")


def _bad_callback(problems: str) -> HttpResponse:
    return HttpResponse(f"Unusable callback: {problems}.\n", status=400, content_type="text/plain")


@twilio_webhook
@require_POST
@unavailable_when_database_is
def call_status(request):
    """Twilio's call-status callback: the call's status moves forward."""
    if problems := webhook_input.call_status_problems(request.POST):
        return _bad_callback(problems)
    sid = request.POST.get("CallSid", "")
    status = request.POST.get("CallStatus", "")
    if not sid or not status:
        return HttpResponse("CallSid and CallStatus are required.\n", status=400, content_type="text/plain")
    services.call_status_received(call_sid=sid, status=status, duration=request.POST.get("CallDuration"))
    return HttpResponse(status=204)


@twilio_webhook
@require_POST
@unavailable_when_database_is
def recording_status(request):
    """Twilio's recording-status callback: queue its fields for the worker (caller.callbacks), answer 204.

    One INSERT (the task row), committed before the answer; the worker stores the recording and
    queues its transcript. 400 names the fields that are wrong; 503 when the row cannot be written.
    """
    if problems := webhook_input.recording_status_problems(request.POST):
        return _bad_callback(problems)
    callbacks.recording_callback_queue(request.POST)
    return HttpResponse(status=204)
