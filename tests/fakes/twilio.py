"""A fake Twilio: ids, the forms it posts, its REST answers, its media endpoint, its signature."""

import io
import math
import re
import struct
import wave

from django.conf import settings
from twilio.request_validator import RequestValidator

ACCOUNT = "AC" + "a" * 32
CALL_SID = "CA" + "2" * 32
RECORDING_SID = "RE" + "3" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}"
STORAGE_URL = "https://media.twiliocdn.example.net/recordings/abc.wav"
RECORDINGS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings.json"
CALLS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
AUDIO = b"RIFF" + bytes(range(256)) * 40  # a little fake WAV


def recording_callback(*, status="completed", sid=RECORDING_SID, error_code="0", call_sid=CALL_SID):
    """The form Twilio posts to recordingStatusCallback (a real capture's fields, all strings)."""
    return {
        "AccountSid": ACCOUNT,
        "CallSid": call_sid,
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
        "RecordingStatus": status,
        "RecordingDuration": "7" if status == "completed" else "0",
        "RecordingChannels": "1",
        "RecordingStartTime": "Tue, 24 Nov 2026 03:00:00 +0000",
        "RecordingSource": "RecordVerb",
        "ErrorCode": error_code,
    }


def twilio_recordings(status="completed"):
    """Twilio's answer to listing the recordings of CALL_SID: one recording."""
    return {
        "recordings": [
            {
                "sid": RECORDING_SID,
                "call_sid": CALL_SID,
                "account_sid": ACCOUNT,
                "status": status,
                "duration": "7",
                "channels": 1,
                "source": "RecordVerb",
                "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json",
            }
        ],
        "next_page_uri": None,
        "page": 0,
        "page_size": 50,
    }


def tone_wav(seconds: float = 4.0, rate: int = 8000, hz: float = 440.0) -> bytes:
    """A mono 16-bit WAV of a sine tone: long enough for a player to seek in."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def range_server(body: bytes, content_type: str = "audio/x-wav"):
    """A `responses` callback answering 200, 206 for `Range: bytes=a-b`, or 416 past the end."""

    def callback(request):
        headers = {"Accept-Ranges": "bytes", "Content-Type": content_type}
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("Range", ""))
        if not match:
            return 200, {**headers, "Content-Length": str(len(body))}, body
        first, last = match.groups()
        if first == "":
            start, end = max(0, len(body) - int(last)), len(body) - 1
        else:
            start, end = int(first), min(int(last) if last else len(body) - 1, len(body) - 1)
        if start >= len(body):
            return 416, {**headers, "Content-Range": f"bytes */{len(body)}"}, b""
        part = body[start : end + 1]
        headers.update(
            {"Content-Range": f"bytes {start}-{end}/{len(body)}", "Content-Length": str(len(part))}
        )
        return 206, headers, part

    return callback


def mock_media(
    rsps, body: bytes = AUDIO, *, url: str = MEDIA_URL, redirect_to: str | None = STORAGE_URL, status=200
):
    """Twilio's media endpoint at `url`, any number of times.

    By default it answers with a redirect to its storage, which serves `body` (or `status` alone);
    with `redirect_to=None` the file is served at `url` itself, honouring Range as a CDN does.
    """
    if redirect_to is not None:
        rsps.get(url, status=302, headers={"Location": redirect_to})
        rsps.get(redirect_to, body=body, status=status, content_type="audio/x-wav")
    else:
        rsps.add_callback("GET", url, callback=range_server(body), content_type=None)


def twilio_signature(path: str, params: dict, *, base_url: str | None = None) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of `params` to BASE_URL + path."""
    url = (base_url or settings.BASE_URL) + path
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
