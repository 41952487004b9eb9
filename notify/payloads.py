"""What an event says: the Standard Webhooks body ({type, timestamp, data}) and a Slack message.

Pure functions of rows already loaded, no queries but the call a transcript or recording belongs
to (for the Slack message's caller and number). Links are absolute, from BASE_URL.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from caller.models import Call, Recording
from transcription.models import Transcript

from .models import EventType

FIRST_LINES_CHARS = 300


def absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def call_data(call: Call) -> dict[str, Any]:
    return {
        "call_sid": call.sid,
        "status": call.status,
        "direction": call.direction,
        "to": call.to,
        "from": call.from_number,
        "other_party": call.other_party,
        "caller_name": call.caller_name,
        "duration": call.duration,
        "link": absolute(reverse("call-detail", args=[call.sid])),
    }


def recording_data(recording: Recording) -> dict[str, Any]:
    return {
        "recording_sid": recording.sid,
        "call_sid": recording.call_sid,
        "status": recording.status,
        "duration": recording.duration,
        "channels": recording.channels,
        "link": absolute(reverse("call-detail", args=[recording.call_sid])),
    }


def transcript_data(transcript: Transcript, *, revision_id=None) -> dict[str, Any]:
    data = {
        "transcript_id": transcript.pk,
        "status": transcript.status,
        "recording_sid": transcript.recording_sid,
        "call_sid": transcript.call_sid,
        "audio_duration": transcript.audio_duration,
        "language_code": transcript.language_code,
        "text": transcript.text,
        "link": absolute(transcript.get_absolute_url()),
    }
    if transcript.error:
        data["error"] = transcript.error
    if revision_id is not None:
        data["revision_id"] = revision_id
    return data


def event_body(event_type: str, data: dict[str, Any], *, now=None) -> str:
    """The JSON every standard endpoint receives, in the Standard Webhooks payload shape."""
    body = {"type": str(event_type), "timestamp": (now or timezone.now()).isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# -- Slack ---------------------------------------------------------------------------------------

HEADLINES = {
    EventType.CALL_COMPLETED: "Call completed",
    EventType.RECORDING_COMPLETED: "Recording ready",
    EventType.TRANSCRIPT_COMPLETED: "Transcript ready",
    EventType.TRANSCRIPT_FAILED: "Transcript failed",
    EventType.TRANSCRIPT_REVISED: "Transcript corrected",
    EventType.TEST: "Test message",
}


def _duration(seconds) -> str:
    if seconds in (None, ""):
        return ""
    seconds = round(float(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _first_lines(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= FIRST_LINES_CHARS:
        return text
    return text[:FIRST_LINES_CHARS].rsplit(" ", 1)[0] + " …"


def _escape(text: str) -> str:
    # Slack's mrkdwn treats these three as markup (links, mentions).
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _who(call: Call | None, data: dict[str, Any]) -> str:
    if call is None:
        number = data.get("other_party") or data.get("to") or ""
        return _escape(number)
    name = call.caller_name
    number = call.other_party or (call.from_number if call.direction == "inbound" else call.to)
    if name and number:
        return f"{_escape(name)} ({_escape(number)})"
    return _escape(name or number)


def slack_body(event_type: str, body: str) -> str:
    """A readable Slack message for an event's body: what happened, who, how long, first lines, link."""
    data = json.loads(body).get("data", {})
    call_sid = data.get("call_sid") or ""
    call = Call.objects.filter(sid=call_sid).first() if call_sid else None
    parts = [f"*{HEADLINES.get(event_type, event_type)}*"]
    who = _who(call, data)
    if who:
        parts.append(f"{'from' if call and call.direction == 'inbound' else 'with'} {who}")
    length = _duration(data.get("audio_duration") or data.get("duration") or (call and call.duration))
    if length:
        parts.append(f"({length})")
    lines = [" ".join(parts)]
    if data.get("error"):
        lines.append(f"Error: {_escape(data['error'])}")
    if data.get("text"):
        lines.append("> " + _escape(_first_lines(data["text"])))
    if data.get("message"):
        lines.append(_escape(data["message"]))
    if data.get("link"):
        lines.append(f"<{data['link']}|Open in djtranscribe>")
    return json.dumps({"text": "\n".join(lines)}, ensure_ascii=False)
