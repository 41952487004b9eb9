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

from . import selectors, twilio_client
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
    """Proxy Twilio's media at `url` (access is the caller's to check); a playback's start is audited."""
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
    if "Range" not in headers or headers["Range"].startswith("bytes=0-"):
        # One row per playback: seeking and the browser's follow-up Range requests are not new plays.
        audit_record(
            request=request, action=AuditAction.PLAYED, obj_kind="recording", obj_id=recording_sid, detail=via
        )
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
        if call is not None and transcript.owner_id not in (None, call.owner_id):
            # Pages get no user here: a transcript given to someone else (transcribe --owner)
            # must not show them the number called, nor link a call page that is not theirs.
            call = None
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
