"""A transcript's own archived audio (a sample, an upload), played by its page through this app."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_GET

from audio.models import PLAY_UNREDACTED, AudioAsset, OriginKind, Redaction
from audio.serve import asset_response, plain
from audit.models import AuditAction
from audit.services import audit_record

from .selectors import get_transcript_for

# Kinds whose archive this app made itself; a recording's audio goes through caller's media proxy.
OWN_KINDS = (OriginKind.UPLOAD, OriginKind.SAMPLE)


def own_audio_url(transcript) -> str:
    """The URL that plays the transcript's archived upload or sample; "" when it has none."""
    asset: AudioAsset | None = transcript.audio if transcript.audio_id is not None else None
    if asset is None or not asset.is_archived or asset.is_withheld:
        return ""
    # A redacted copy of a public URL's audio is this app's own archive too (a recording's plays
    # through caller's media proxy, which reads the same asset).
    redacted_url = asset.origin_kind == OriginKind.URL and asset.redaction == Redaction.REDACTED
    if asset.origin_kind not in OWN_KINDS and not redacted_url:
        return ""
    return reverse("transcription:audio", args=[transcript.pk])


@login_required
@require_GET
def transcript_audio(request, pk):
    """Stream the transcript's archived audio; byte ranges let the player seek."""
    return stream_own_audio(request, get_transcript_for(request.user, pk=pk))


def stream_own_audio(request, transcript, *, via: str = ""):
    """The transcript's archived upload or sample, with byte ranges (access is the caller's to check)."""
    if not own_audio_url(transcript):
        return plain(f"Transcript {transcript.pk} has no audio archived by this app.", 404)
    asset = transcript.audio
    suffix = asset.file.name.rsplit(".", 1)[-1] if "." in asset.file.name else "audio"
    response = asset_response(
        request,
        asset,
        name=f"audio of transcript {transcript.pk}",
        filename=f"transcript-{transcript.pk}.{suffix}",
    )
    wanted = request.headers.get("Range", "")
    # One row per playback, as for recordings: seeking (a later byte range) is not a new play.
    if response.status_code in (200, 206) and (not wanted or wanted.startswith("bytes=0-")):
        audit_record(
            request=request,
            action=AuditAction.PLAYED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            detail=via,
        )
    return response


def unredacted_audio_url(user, transcript) -> str:
    """The separate link to a kept unredacted original: only for holders of audio.play_unredacted."""
    asset = transcript.unredacted_audio if transcript.unredacted_audio_id is not None else None
    if asset is None or not asset.is_archived or not user.has_perm(PLAY_UNREDACTED):
        return ""
    return reverse("transcription:unredacted-audio", args=[transcript.pk])


@login_required
@require_GET
def transcript_unredacted_audio(request, pk):
    """The unredacted original KEEP_UNREDACTED_AUDIO kept; 404 to anyone without audio.play_unredacted."""
    transcript = get_transcript_for(request.user, pk=pk)
    if not unredacted_audio_url(request.user, transcript):
        return plain(f"Transcript {transcript.pk} has no unredacted audio you may play.", 404)
    asset = transcript.unredacted_audio
    response = asset_response(
        request,
        asset,
        name=f"unredacted audio of transcript {pk}",
        filename=f"transcript-{pk}-unredacted.wav",
    )
    if response.status_code in (200, 206) and request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        audit_record(
            request=request,
            action=AuditAction.PLAYED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            detail="unredacted original",
        )
    return response
