"""TwiML for two-party and inbound calls: the notice (and keypress consent), <Dial>, the whisper,
and voicemail. Every view here is a signed Twilio webhook.

The parent leg (the user Twilio called first, or the inbound caller) runs the <Dial>: its recording
is dual-channel, channel 1 the parent, channel 2 the dialed party. The dialed party hears the notice
in a <Number url> whisper before being connected. Nothing of a party is recorded before they heard
the notice; with CONSENT_MODE=keypress nothing is recorded before every party pressed 1.
"""

import logging
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_POST
from twilio.twiml.voice_response import VoiceResponse

from djtranscribe.lib.db_unavailable import unavailable_when_database_is
from djtranscribe.lib.ids import CALL_SID_RE

from . import conversation
from .models import Call, CallDirection, CallStatus, ConsentParty
from .phone import InvalidNumber, parse_number
from .security import twilio_webhook, twiml_response
from .services import absolute_url

logger = logging.getLogger(__name__)

PRESS_ONE = "To agree to the recording, press 1."
NOT_RECORDED = "This call is not recorded."
DECLINED_GOODBYE = "The call will not be recorded. Goodbye."
LEAVE_A_MESSAGE = "Nobody can take your call. Please leave a message after the tone."
VOICEMAIL_MAX_SECONDS = 300
GATHER_SECONDS = 8
# Twilio sends From as +E.164, or words like "anonymous" for a hidden number.
FROM_RE = re.compile(r"^[+A-Za-z0-9 ._()-]{0,32}\Z")
NOT_ANSWERED = {"no-answer", "busy", "failed", "canceled"}


def _say(response, text: str) -> None:
    response.say(text, language=settings.RECORDING_NOTICE_LANGUAGE)


def _keypress() -> bool:
    return settings.CONSENT_MODE == "keypress"


def _parent_party(call: Call) -> str:
    return ConsentParty.CALLER if call.direction == CallDirection.INBOUND else ConsentParty.USER


def _call_for(request, call_id: int, *, child: bool = False) -> Call:
    """The call a follow-up request is about: the posted CallSid (the dialed leg's ParentCallSid)
    must be its SID, so one call's URL cannot act on another. The signature proves the sender; a
    dialed leg's request without ParentCallSid is let through rather than leave the callee in silence."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        raise Http404("No such call.")
    posted = request.POST.get("ParentCallSid", "") if child else request.POST.get("CallSid", "")
    if posted != call.sid and (posted or not child):
        raise Http404("No such call.")
    return call


def _notice_or_gather(response, *, action: str) -> None:
    """The notice; in keypress mode inside a one-digit <Gather>, then on to `action` with no digit."""
    if _keypress():
        gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_SECONDS)
        gather.say(f"{settings.RECORDING_NOTICE} {PRESS_ONE}", language=settings.RECORDING_NOTICE_LANGUAGE)
        response.redirect(action, method="POST")  # no key pressed: the answer is "no"
    else:
        _say(response, settings.RECORDING_NOTICE)


def _voicemail(response, call: Call) -> None:
    """Leave a message: <Record> (mono, the caller only), on the same recording callback as every call."""
    _say(response, LEAVE_A_MESSAGE)
    response.record(
        action=absolute_url("record-action"),
        method="POST",
        max_length=VOICEMAIL_MAX_SECONDS,
        play_beep=True,
        recording_status_callback=absolute_url("recording-status"),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",  # a string: a list renders invalid TwiML
    )
    response.hangup()


def _dial(response, call: Call, number: str, *, recorded: bool) -> None:
    """<Dial> the other party; recorded dual-channel from the answer when the notice is all it takes
    (keypress: recording starts by API once the dialed party pressed 1 in the whisper)."""
    options = {
        "answer_on_bridge": True,
        "action": absolute_url("dial-action", call.pk),
        "method": "POST",
        "time_limit": settings.DIAL_TIME_LIMIT,
    }
    if call.direction == CallDirection.INBOUND:
        options["timeout"] = settings.INBOUND_RING_SECONDS
    else:
        options["timeout"] = settings.DIAL_RING_TIMEOUT
        options["caller_id"] = settings.TWILIO_PHONE_NUMBER
    if recorded and not _keypress():
        options.update(
            record="record-from-answer-dual",
            recording_status_callback=absolute_url("recording-status"),
            recording_status_callback_method="POST",
            recording_status_callback_event="completed absent",
        )
    dial = response.dial(**options)
    if recorded:
        dial.number(number, url=absolute_url("whisper", call.pk), method="POST")
    else:
        dial.number(number)


def _route(response, call: Call, *, recorded: bool, target=None) -> None:
    """After the parent leg heard the notice (and answered): reach the other party, or voicemail."""
    if call.direction == CallDirection.INBOUND:
        target = target or conversation.inbound_target_for(call)
        if target.number is not None:
            _dial(response, call, target.number.e164, recorded=recorded)
        elif recorded:
            _voicemail(response, call)
        else:
            _say(response, "Nobody can take your call. Goodbye.")
            response.hangup()
        return
    try:
        spoken = parse_number(call.other_party).international
    except InvalidNumber:
        spoken = call.other_party
    _say(response, f"Connecting you to {spoken}.")
    _dial(response, call, call.other_party, recorded=recorded)


def _parent_leg(call: Call, target=None) -> HttpResponse:
    response = VoiceResponse()
    conversation.consent_noted(call=call, party=_parent_party(call))
    _notice_or_gather(response, action=absolute_url("parent-consent", call.pk))
    if not _keypress():
        _route(response, call, recorded=True, target=target)
    return twiml_response(response)


@twilio_webhook
@require_POST
@unavailable_when_database_is
def inbound_voice(request):
    """A call comes in: store it, play the notice, then ring INBOUND_FORWARD_TO or take a message."""
    data = request.POST
    sid, from_number = data.get("CallSid", ""), data.get("From", "")
    to = data.get("To", "") or data.get("Called", "")
    if not CALL_SID_RE.match(sid) or not FROM_RE.match(from_number) or not FROM_RE.match(to):
        return HttpResponse(
            "Unusable call: CallSid must be 'CA' followed by 32 hex digits; From and To phone numbers.\n",
            status=400,
            content_type="text/plain",
        )
    caller_name = "".join(ch for ch in data.get("CallerName", "") if ch.isprintable())[:64]
    target = conversation.inbound_target()
    call = conversation.inbound_call_store(
        sid=sid,
        from_number=from_number,
        to=to,
        status=data.get("CallStatus", CallStatus.RINGING),
        caller_name=caller_name,
        owner=target.owner,
    )
    return _parent_leg(call, conversation.inbound_target_for(call, target))


@twilio_webhook
@require_POST
@unavailable_when_database_is
def connect_twiml(request, call_id: int):
    """The user answered Twilio's call: the notice, who is being called, then <Dial> the other party."""
    return _parent_leg(_call_for(request, call_id))


@twilio_webhook
@require_POST
@unavailable_when_database_is
def parent_consent(request, call_id: int):
    """The parent leg's key after the notice (keypress mode): 1 records; otherwise on unrecorded, or end."""
    call = _call_for(request, call_id)
    response = VoiceResponse()
    if conversation.consent_answered(
        call=call, party=_parent_party(call), digits=request.POST.get("Digits", "")
    ):
        _route(response, call, recorded=True)
    elif settings.CONSENT_DECLINED == "hangup":
        _say(response, DECLINED_GOODBYE)
        response.hangup()
    else:
        _say(response, NOT_RECORDED)
        _route(response, call, recorded=False)
    return twiml_response(response)


@twilio_webhook
@require_POST
@unavailable_when_database_is
def whisper(request, call_id: int):
    """The dialed party answered: the notice (keypress: and a one-digit <Gather>) before the bridge."""
    call = _call_for(request, call_id, child=True)
    response = VoiceResponse()
    conversation.consent_noted(call=call, party=ConsentParty.CALLEE)
    _notice_or_gather(response, action=absolute_url("whisper-consent", call.pk))
    return twiml_response(response)  # once this TwiML ends, the parties are connected


@twilio_webhook
@require_POST
@unavailable_when_database_is
def whisper_consent(request, call_id: int):
    """The dialed party's key (keypress mode): 1 starts the recording; else unrecorded, or not connected."""
    call = _call_for(request, call_id, child=True)
    response = VoiceResponse()
    if conversation.consent_answered(
        call=call, party=ConsentParty.CALLEE, digits=request.POST.get("Digits", "")
    ):
        conversation.recording_start(call)
    elif settings.CONSENT_DECLINED == "hangup":
        _say(response, "Goodbye.")
        response.hangup()  # ends this leg only: the parent's <Dial action> tells the other side
    else:
        _say(response, NOT_RECORDED)
    return twiml_response(response)


@twilio_webhook
@require_POST
@unavailable_when_database_is
def dial_action(request, call_id: int):
    """The <Dial> ended: nobody answered an inbound call → voicemail; otherwise say why, hang up."""
    call = _call_for(request, call_id)
    response = VoiceResponse()
    status = request.POST.get("DialCallStatus", "")
    if call.direction == CallDirection.INBOUND and status in NOT_ANSWERED:
        if _keypress() and conversation.consent_of(call, ConsentParty.CALLER) is not True:
            _say(response, "Nobody can take your call. Goodbye.")  # a message would be a recording
            response.hangup()
        else:
            _voicemail(response, call)
        return twiml_response(response)
    if call.direction == CallDirection.OUTBOUND_CONNECT and status in NOT_ANSWERED:
        _say(response, "The other party did not answer. Goodbye.")
    elif (
        conversation.consent_of(call, ConsentParty.CALLEE) is False and settings.CONSENT_DECLINED == "hangup"
    ):
        _say(response, "The other party did not agree to the recording. Goodbye.")
    response.hangup()
    return twiml_response(response)
