"""Who is on each channel of a call's recording, named for its transcript.

In a two-channel recording of `<Dial>`, channel 1 is the parent call (the user Twilio called
first, or the inbound caller) and channel 2 the dialed party (API.md, two-party calls).
Transcription stores the names; it never reads calls, so caller hands them over.
"""

from __future__ import annotations

from .models import Call, CallDirection, Recording
from .phone import InvalidNumber, parse_number


def number_name(number: str) -> str:
    """A number as people read it (+1 415-555-1234); the raw text when it does not parse."""
    if not number:
        return ""
    try:
        return parse_number(number).international
    except InvalidNumber:
        return number


def user_name(user) -> str:
    """The user's full name, else their username ("" for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def call_participants(call: Call) -> dict[str, str]:
    """Channel "1" (parent leg) and "2" (dialed party) of the call's two-channel recordings, named."""
    if call.direction == CallDirection.INBOUND:
        # The caller ran the <Dial>; the person it rang is the call's owner (none for the inbox).
        return {"1": call.caller_name or number_name(call.from_number), "2": user_name(call.owner)}
    if call.direction == CallDirection.OUTBOUND_CONNECT:
        # Twilio called the user first (on `to`, their own number), then <Dial> reached the other party.
        user = call.dialed_by or call.owner
        return {"1": user_name(user) or number_name(call.to), "2": number_name(call.other_party)}
    return {"1": number_name(call.to)}  # a plain call: the person called is the parent leg


def recording_participants(recording: Recording) -> dict[str, str]:
    """The names of a recording's channels ({} for mono: its one voice, or diarized ones, stay unnamed)."""
    if recording.channels is None or recording.channels < 2 or recording.call_id is None:
        return {}
    call = Call.objects.select_related("dialed_by", "owner").filter(pk=recording.call_id).first()
    if call is None:
        return {}
    return {key: name for key, name in call_participants(call).items() if name}
