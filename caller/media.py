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

from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe.lib.ids import RECORDING_SID_RE
from transcription.models import Transcript
from transcription.sources import Source

from . import twilio_client
from .models import Call, Recording, RecordingStatus

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


def media_url_for(sid: str) -> str | None:
    """Twilio's media URL for a recording this app knows (stored, or named by a transcript)."""
    recording = Recording.objects.filter(sid=sid).only("sid", "account_sid").first()
    if recording is not None:
        return recording.media_url
    if Transcript.objects.filter(recording_sid=sid).exists():
        return Recording(sid=sid).media_url
    return None


@login_required
@require_GET
def recording_media(request, sid):
    """Stream a recording's audio from Twilio; Range requests pass through (206 + Content-Range)."""
    return stream_recording(request, sid)


def stream_recording(request, sid: str, *, via: str = "") -> HttpResponse:
    """The media proxy's answer (access is the caller's to check); the start of a playback is audited."""
    response = _recording_response(request, sid)
    wanted = request.headers.get("Range", "")
    # One row per playback: seeking and the browser's follow-up Range requests are not new plays.
    if response.status_code in (200, 206) and (not RANGE_RE.match(wanted) or wanted.startswith("bytes=0-")):
        audit_record(request=request, action=AuditAction.PLAYED, obj_kind="recording", obj_id=sid, detail=via)
    return response


def _recording_response(request, sid):
    if not RECORDING_SID_RE.match(sid):
        return _plain(f"{sid!r} is not a recording SID: it is 'RE' followed by 32 hex digits.", 404)
    url = media_url_for(sid)
    if url is None:
        return _plain(f"No recording {sid} is known to this app.", 404)
    headers = {}
    wanted = request.headers.get("Range", "")
    if RANGE_RE.match(wanted):
        headers["Range"] = wanted
    try:
        upstream = twilio_client.open_media(url, headers=headers)
    except twilio_client.MissingSettings as exc:
        return _plain(str(exc), 503)
    except twilio_client.TwilioError as exc:
        logger.warning("Recording %s could not be streamed: %s", sid, exc)
        return _plain(str(exc), 404 if exc.status == 404 else 502)
    response = StreamingHttpResponse(_UpstreamBody(upstream, sid), status=upstream.status_code)
    for name in PASSED_BACK:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    if "Content-Encoding" in upstream.headers:
        # requests decodes the body, so the upstream length would be wrong.
        del response["Content-Length"]
    if "Content-Type" not in upstream.headers:
        response["Content-Type"] = "audio/wav"
    response["Content-Disposition"] = f'inline; filename="recording-{sid}.wav"'
    # Only this user's browser may keep it; seeking back then costs no new download.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def player_url(recording_sid: str) -> str:
    return reverse("recording-media", args=[recording_sid])


def describe_transcript(transcript: Transcript) -> Source | None:
    """For transcript pages: the proxy URL of its recording, the number called, the call page."""
    return describe_transcripts([transcript])[0]


def describe_transcripts(transcripts: list[Transcript]) -> list[Source | None]:
    """describe_transcript() for many at once (the transcripts list): two queries whatever their number."""
    wanted = [t for t in transcripts if t.recording_sid or t.call_sid]
    recording_sids = {t.recording_sid for t in wanted if t.recording_sid}
    stored = (
        Recording.objects.filter(sid__in=recording_sids).values_list("sid", "call_sid", "status")
        if recording_sids
        else []
    )
    call_of_recording = {sid: call_sid for sid, call_sid, _ in stored}
    # Deleted at Twilio (TWILIO_DELETE_RECORDINGS): a player would only show an error.
    gone = {sid for sid, _, status in stored if status == RecordingStatus.DELETED}
    call_sids = {t.call_sid or call_of_recording.get(t.recording_sid, "") for t in wanted} - {""}
    calls = {call.sid: call for call in Call.objects.filter(sid__in=call_sids)} if call_sids else {}
    found: list[Source | None] = []
    for transcript in transcripts:
        call = calls.get(transcript.call_sid or call_of_recording.get(transcript.recording_sid, ""))
        playable = (
            bool(RECORDING_SID_RE.match(transcript.recording_sid)) and transcript.recording_sid not in gone
        )
        if call is None and not playable:
            found.append(None)
            continue
        found.append(
            Source(
                player_url=player_url(transcript.recording_sid) if playable else "",
                label=call.to if call else "",
                page_url=call.get_absolute_url() if call else "",
                page_title=f"Call to {call.to}" if call else "",
            )
        )
    return found
