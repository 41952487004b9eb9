"""Recordings streamed to the browser through this app, and what transcript pages say about a call.

The browser never sees Twilio's media URL or credentials: this view fetches the media with
Basic auth (caller.twilio_client.open_media) and passes `Range` through so seeking works.
"""

import logging
import re

import requests
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from audio.serve import asset_response
from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe.lib.ids import RECORDING_SID_RE

from . import selectors, twilio_client
from .audio import archived_asset, audio_withheld

logger = logging.getLogger(__name__)

# One or more byte ranges, as browsers send them; anything else is dropped, not forwarded.
RANGE_RE = re.compile(r"^bytes=\d*-\d*(,\s*\d*-\d*)*$")
PASSED_BACK = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag")


class _UpstreamBody:
    """Iterates Twilio's response in chunks; Django calls close() when the download ends or stops."""

    def __init__(self, upstream: requests.Response, sid: str):
        self.upstream = upstream
        self.sid = sid

    def __iter__(self):
        try:
            yield from self.upstream.iter_content(chunk_size=twilio_client.MEDIA_CHUNK_SIZE)
        except requests.RequestException as exc:
            # Headers are sent by now: all we can do is end the body early (the player retries).
            logger.warning("Streaming recording %s stopped: %s", self.sid, type(exc).__name__)

    def close(self):
        self.upstream.close()


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def recording_media(request, recording_sid):
    """Stream a recording's audio from Twilio; Range requests pass through (206 + Content-Range)."""
    if not RECORDING_SID_RE.match(recording_sid):
        return _plain(f"{recording_sid!r} is not a recording SID: it is 'RE' followed by 32 hex digits.", 404)
    url = selectors.media_url_for(request.user, sid=recording_sid)
    if url is None:
        return _plain(f"No recording {recording_sid} is known to this app.", 404)
    return stream_recording(request, recording_sid, url)


def stream_recording(request, recording_sid: str, url: str, *, via: str = "") -> HttpResponse:
    """The recording's audio (access is the caller's to check); the start of a playback is audited."""
    response = _recording_response(request, recording_sid, url)
    wanted = request.headers.get("Range", "")
    # One row per playback: seeking and the browser's follow-up Range requests are not new plays.
    if response.status_code in (200, 206) and (not RANGE_RE.match(wanted) or wanted.startswith("bytes=0-")):
        audit_record(
            request=request, action=AuditAction.PLAYED, obj_kind="recording", obj_id=recording_sid, detail=via
        )
    return response


def _recording_response(request, recording_sid: str, url: str) -> HttpResponse:
    if audio_withheld(recording_sid):  # PII redaction: never the original, from the archive or Twilio
        return _plain(f"Recording {recording_sid} is withheld until its redacted copy is archived.", 404)
    asset = archived_asset(recording_sid)
    if asset is not None:  # the archive is the copy that stays: Twilio is asked only before it exists
        return _from_archive(request, recording_sid, asset)
    headers = {}
    wanted = request.headers.get("Range", "")
    if RANGE_RE.match(wanted):
        headers["Range"] = wanted
    try:
        upstream = twilio_client.open_media(url, headers=headers)
    except twilio_client.MissingSettings as exc:
        return _plain(str(exc), 503)
    except twilio_client.TwilioError as exc:
        logger.warning("Recording %s could not be streamed: %s", recording_sid, exc)
        return _plain(str(exc), 404 if exc.status == 404 else 502)
    response = StreamingHttpResponse(_UpstreamBody(upstream, recording_sid), status=upstream.status_code)
    for name in PASSED_BACK:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    if "Content-Encoding" in upstream.headers:
        # requests decodes the body, so the upstream length would be wrong.
        del response["Content-Length"]
    if "Content-Type" not in upstream.headers:
        response["Content-Type"] = "audio/wav"
    response["Content-Disposition"] = f'inline; filename="recording-{recording_sid}.wav"'
    # Only this user's browser may keep it; seeking back then costs no new download.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _from_archive(request, sid: str, asset) -> HttpResponse:
    """Serve the archived recording (audio.serve: byte ranges, 416 for an impossible one)."""
    return asset_response(request, asset, name=f"recording {sid}", filename=f"recording-{sid}.wav")


def player_url(recording_sid: str) -> str:
    return reverse("recording-media", args=[recording_sid])
