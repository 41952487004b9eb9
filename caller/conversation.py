"""Writes for two-party and inbound calls: the user's own number, "call them and connect me",
inbound calls, and the consent record of each party.

The TwiML these calls run is in caller/voice.py; the recordings they make arrive on the same
recording-status callback as the tutorial's (CallSid = the parent call: the user or the caller).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from djtranscribe.lib.env import parse_rate

from . import dial_policy, services, twilio_client
from .models import Call, CallDirection, CallerProfile, CallStatus, ConsentMode, ConsentRecord
from .phone import InvalidNumber, Number, parse_number

logger = logging.getLogger(__name__)


class NoOwnNumber(InvalidNumber):
    """The user has no phone number of their own for Twilio to call first."""


def profile_number(user) -> Number | None:
    """The user's own number, parsed; None when they have none (or it no longer parses)."""
    if user is None or not user.is_authenticated:
        return None
    raw = CallerProfile.objects.filter(user=user).values_list("phone_number", flat=True).first()
    if not raw:
        return None
    try:
        return parse_number(raw)
    except InvalidNumber:
        return None


def profile_set(*, user, phone_number: str) -> CallerProfile:
    """Store the user's own number (empty clears it). Raises InvalidNumber/DialRefused: the same
    dial policy as any number the app calls, since Twilio will ring it."""
    e164 = ""
    if phone_number.strip():
        number = parse_number(phone_number)
        dial_policy.check_destination(number)
        e164 = number.e164
    profile, _ = CallerProfile.objects.update_or_create(user=user, defaults={"phone_number": e164})
    return profile


def call_connect(*, number: str, user) -> Call:
    """Call the user first; when they answer, connect them to `number` (recorded, both sides).

    The dial policy applies to both numbers and the rate limit counts the call once.
    Raises NoOwnNumber, InvalidNumber (DialRefused) or TwilioError.
    """
    other = parse_number(number)
    own = profile_number(user)
    if own is None:
        raise NoOwnNumber(
            "Set your own phone number first (Your phone number, from the home page): "
            "Twilio calls you on it, then connects you."
        )
    twilio_client.require_settings(*services.DIAL_SETTINGS)
    dial_policy.check_destination(own)
    dial_policy.check_destination(other)
    return services.call_start(
        to=own,
        user=user,
        twiml_url=lambda call: services.absolute_url("connect-twiml", call.pk),
        direction=CallDirection.OUTBOUND_CONNECT,
        other_party=other.e164,
    )


def call_place_or_connect(*, number: str, user, connect: bool) -> Call:
    """The dial forms' one entry: connect the user to `number` (call them first), or just place the call.

    Raises what call_connect or services.call_place raise (dial_errors.DIAL_ERRORS).
    """
    if connect:
        return call_connect(number=number, user=user)
    return services.call_place(number=number, user=user)


@dataclass(frozen=True)
class InboundTarget:
    number: Number | None  # who rings; None: the caller leaves a message
    owner: object | None  # whose call it is; None: the team's inbox (leads see it)


def inbound_target() -> InboundTarget:
    """Where INBOUND_FORWARD_TO sends inbound calls: a user's own number, a number, or nobody."""
    target = settings.INBOUND_FORWARD_TO.strip()
    if not target:
        return InboundTarget(None, None)
    if target[0] == "+" or target.isdigit():
        try:
            number = parse_number(target)
            dial_policy.check_destination(number)
        except InvalidNumber as exc:
            logger.warning(
                "INBOUND_FORWARD_TO=%s cannot be called (%s): callers leave a message", target, exc
            )
            return InboundTarget(None, None)
        return InboundTarget(number, None)
    user = get_user_model().objects.filter(username=target, is_active=True).first()
    if user is None:
        logger.warning("INBOUND_FORWARD_TO=%s names no active user: callers leave a message", target)
        return InboundTarget(None, None)
    number = profile_number(user)
    if number is not None:
        try:
            dial_policy.check_destination(number)
        except InvalidNumber as exc:
            logger.warning("%s's number cannot be called (%s): callers leave a message", target, exc)
            number = None
    return InboundTarget(number, user)


def inbound_target_for(call: Call, target: InboundTarget | None = None) -> InboundTarget:
    """Where this inbound call goes: INBOUND_FORWARD_TO's target, or a message instead when its
    caller had already called INBOUND_FORWARD_RATE_LIMIT times in the window before it.

    Forwarding costs an outbound leg and rings a person's phone: one number calling again and
    again (a robot, a prank, toll fraud) must not ring it without end. The caller can still leave
    a message, which the owner sees as usual; calls from other numbers ring as before. Callers
    who withhold their number arrive with the same placeholder (e.g. "anonymous") and so share one
    count; and a caller ID can be forged, so someone could send a number to voicemail this way.
    """
    target = target or inbound_target()
    rate = parse_rate(settings.INBOUND_FORWARD_RATE_LIMIT, "INBOUND_FORWARD_RATE_LIMIT")
    if target.number is None or rate is None:
        return target
    count, seconds = rate
    earlier = (
        Call.objects.filter(
            direction=CallDirection.INBOUND,
            other_party=call.other_party,
            # The calls before this one: the answer stays the same when it is asked again later
            # (keypress mode routes after the caller answers), whatever came in meanwhile.
            created_at__gte=call.created_at - timedelta(seconds=seconds),
            created_at__lt=call.created_at,
        )
        .exclude(pk=call.pk)
        .count()
    )
    if earlier < count:
        return target
    logger.warning(
        "Inbound call %s: its caller called %d times within %d s before it, over "
        "INBOUND_FORWARD_RATE_LIMIT=%s: taking a message instead of ringing",
        call.sid,
        earlier,
        seconds,
        settings.INBOUND_FORWARD_RATE_LIMIT,
    )
    return InboundTarget(None, target.owner)


def inbound_call_store(
    *, sid: str, from_number: str, to: str, status: str, caller_name: str = "", owner=None
) -> Call:
    """Store an inbound call once (Twilio may ask twice); its owner is the user it rings, or nobody."""
    fields = {
        "to": to,
        "from_number": from_number,
        "other_party": from_number,
        "caller_name": caller_name,
        "status": status if status in CallStatus.values else CallStatus.RINGING,
        "direction": CallDirection.INBOUND,
        "owner": owner,
    }
    try:
        with transaction.atomic():
            return Call.objects.create(sid=sid, **fields)
    except IntegrityError:
        return Call.objects.get(sid=sid)


def consent_noted(*, call: Call, party: str) -> ConsentRecord:
    """Record that `party` is being played the notice now (in the current consent mode)."""
    record, _ = ConsentRecord.objects.update_or_create(
        call=call,
        party=party,
        defaults={
            "notice": settings.RECORDING_NOTICE,
            "mode": settings.CONSENT_MODE,
            "played_at": timezone.now(),
            "consented": None,
            "digits": "",
            "answered_at": None,
        },
    )
    return record


def consent_answered(*, call: Call, party: str, digits: str) -> bool:
    """Record what `party` pressed after the notice: 1 agrees to be recorded, anything else declines."""
    digits = "".join(ch for ch in digits if ch in "0123456789*#")[:8]
    consented = digits == "1"
    updated = ConsentRecord.objects.filter(call=call, party=party).update(
        consented=consented, digits=digits, answered_at=timezone.now()
    )
    if not updated:  # the notice's row is missing (e.g. a replayed request): keep the answer anyway
        ConsentRecord.objects.create(
            call=call,
            party=party,
            notice=settings.RECORDING_NOTICE,
            mode=ConsentMode.KEYPRESS,
            played_at=timezone.now(),
            consented=consented,
            digits=digits,
            answered_at=timezone.now(),
        )
    return consented


def consent_of(call: Call, party: str) -> bool | None:
    """What `party` answered (None: no answer asked or none yet)."""
    return ConsentRecord.objects.filter(call=call, party=party).values_list("consented", flat=True).first()


def recording_start(call: Call) -> str | None:
    """Every party agreed (keypress): record the call now, both legs. None when Twilio refused."""
    try:
        return twilio_client.start_call_recording(
            call.sid, status_callback=services.absolute_url("recording-status")
        )
    except twilio_client.TwilioError as exc:
        logger.warning("Could not start recording call %s after consent: %s", call.sid, exc)
        return None
