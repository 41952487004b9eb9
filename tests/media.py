"""Real audio for tests, and a fake Twilio media endpoint that honours Range like a CDN does."""

import io
import math
import re
import struct
import wave

ACCOUNT = "AC" + "a" * 32
RECORDING_SID = "RE" + "4" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}"


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


def mock_media(rsps, body: bytes, url: str = MEDIA_URL):
    """Serve `body` at Twilio's media URL (every request, any number of times)."""
    rsps.add_callback("GET", url, callback=range_server(body), content_type=None)
