"""Share links: created and revoked by those who may share; opened by anyone holding one.

What a link opens is the transcript's page, its downloads and (only when chosen) its audio.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_record
from caller.media import player_url, stream_recording
from caller.models import Recording
from djtranscribe.lib.ids import RECORDING_SID_RE
from transcription import exports
from transcription.downloads import export_response
from transcription.media import own_audio_url, stream_own_audio
from transcription.models import TranscriptStatus
from transcription.reading import transcript_body
from transcription.selectors import get_transcript_for
from transcription.sources import describe

from . import services
from .forms import ShareForm
from .models import ShareLink

EXPORTS = {"txt": "Text", "json": "JSON", "srt": "SRT subtitles", "vtt": "WebVTT subtitles"}
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _private(response):
    # The link is a secret: no cache keeps the page, no Referer carries it to another site.
    for name, value in PRIVATE.items():
        response[name] = value
    return response


@login_required
@require_POST
def share_create(request, pk):
    """Make a share link for a transcript the user may share; the link is shown here, once."""
    transcript = get_transcript_for(request.user, pk=pk)
    form = ShareForm(request.POST)
    if transcript.status != TranscriptStatus.COMPLETED:
        form.add_error(None, "Only a completed transcript can be shared.")
    if not form.is_valid():
        return render(request, "sharing/created.html", {"transcript": transcript, "form": form}, status=400)
    link, token = services.share_create(
        request=request,
        transcript=transcript,
        lifetime=form.cleaned_data["lifetime"],
        include_audio=form.cleaned_data["include_audio"],
    )
    context = {
        "transcript": transcript,
        "source": describe(transcript),
        "link": link,
        "url": settings.BASE_URL + reverse("share", args=[token]),
    }
    return _private(render(request, "sharing/created.html", context, status=201))


@login_required
@require_POST
def share_revoke(request, pk):
    """Revoke one link of a transcript the user may share (its creator's or not); back to its page."""
    link = get_object_or_404(ShareLink.objects.select_related("transcript"), pk=pk)
    if not (link.created_by_id == request.user.pk or services.may_share(request.user, link.transcript)):
        raise Http404("No share link matches the given query.")
    services.share_revoke(request=request, link=link)
    return redirect(link.transcript.get_absolute_url())


def _open(token: str) -> ShareLink:
    link = services.share_find(token)
    if link is None:
        raise Http404("No such page.")
    return link


def _audio_source(link: ShareLink) -> str:
    """The transcript's own player URL when the link carries audio and there is audio to play."""
    return describe(link.transcript).player_url if link.include_audio else ""


@login_not_required
@require_GET
def shared_transcript(request, token):
    """The transcript page as a share link shows it: read-only, no links to the rest of the app."""
    link = _open(token)
    transcript = link.transcript
    audit_record(
        request=request,
        action=AuditAction.SHARE_OPENED,
        obj_kind="transcript",
        obj_id=transcript.pk,
        detail=f"share {link.pk}",
    )
    context = {
        "transcript": transcript,
        "link": link,
        "token": token,
        # The same named turns (or paragraphs) and talk statistics as the transcript page.
        **transcript_body(transcript, low=settings.TRANSCRIPTION_LOW_CONFIDENCE),
        "exports": {
            kind: name
            for kind, name in EXPORTS.items()
            if kind in ("txt", "json") or exports.timed_words(transcript.words)
        },
        "player_url": reverse("share-audio", args=[token]) if _audio_source(link) else "",
    }
    return _private(render(request, "sharing/transcript.html", context))


@login_not_required
@require_GET
def shared_export(request, token, kind):
    """A download of the shared transcript, as on its page."""
    link = _open(token)
    return _private(export_response(request, link.transcript, kind, via=f"share {link.pk}"))


@login_not_required
@require_GET
def shared_audio(request, token):
    """The shared transcript's audio, only when the link includes it: the media proxy, or the public URL."""
    link = _open(token)
    source = _audio_source(link)
    if not source:
        raise Http404("No such page.")
    sid = link.transcript.recording_sid
    if RECORDING_SID_RE.match(sid) and source == player_url(sid):
        # The link is the permission here: the recording is the shared transcript's own.
        stored = Recording.objects.filter(sid=sid).only("sid", "account_sid").first()
        return stream_recording(
            request, sid, (stored or Recording(sid=sid)).media_url, via=f"share {link.pk}"
        )
    if source == own_audio_url(link.transcript):
        # An upload's or a sample's archive: its own URL needs signing in, so the link streams it here.
        return stream_own_audio(request, link.transcript, via=f"share {link.pk}")
    return redirect(source)  # a public https URL the browser may fetch itself
