"""A transcript's downloads (TXT, JSON, SRT, WebVTT) as HTTP responses, audited.

One code path for the signed-in export view and for share links: the access check is the caller's.
"""

from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse

from audit.models import AuditAction
from audit.services import audit_record

from . import exports
from .models import Transcript, TranscriptStatus
from .participants import participant_names
from .reading import named_stats, words_with_participants
from .sources import describe, public_audio_url


def export_data(transcript: Transcript) -> dict:
    """The JSON export's fields: no webhook token, upload URL or credential-guarded audio URL."""
    audio_url = public_audio_url(transcript)
    words = exports.timed_words(transcript.words)
    names = participant_names(transcript, words)
    return {
        "id": transcript.pk,
        "job_id": transcript.job_id,
        "status": transcript.status,
        "call_sid": transcript.call_sid,
        "recording_sid": transcript.recording_sid,
        "audio_url": audio_url,
        "language_code": transcript.language_code,
        "speech_model_used": transcript.speech_model_used,
        "audio_duration": transcript.audio_duration,
        "confidence": transcript.confidence,
        "text": transcript.text,
        "participants": [{"key": key, "name": name} for key, name in names.items() if key],
        "talk_stats": named_stats(transcript, words, names) or None,
        "words": words_with_participants(transcript, names),
        "utterances": transcript.utterances,
        "created_at": transcript.created_at,
        "completed_at": transcript.completed_at,
    }


STREAM_CHUNK = 64 * 1024


def _batched(pieces: Iterable[str]) -> Iterator[bytes]:
    """The pieces as UTF-8 chunks of about STREAM_CHUNK bytes (the JSON encoder yields tiny ones)."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= STREAM_CHUNK:
            yield "".join(batch).encode()
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode()


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def export_response(
    request, transcript: Transcript, kind: str, *, via: str = ""
) -> HttpResponse | StreamingHttpResponse:
    """The download of `transcript` as `kind` (409 while it cannot be built); a served one is audited."""
    if transcript.status != TranscriptStatus.COMPLETED:
        return _plain(
            f"Transcript {transcript.pk} is {transcript.get_status_display().lower()}: "
            "exports are ready once it is completed.",
            409,
        )
    if kind in ("srt", "vtt") and not exports.timed_words(transcript.words):
        return _plain(
            f"Transcript {transcript.pk} has no word timings to build subtitles from: "
            "download the TXT or JSON export instead.",
            409,
        )
    names = participant_names(transcript)
    if kind == "txt":
        pieces: Iterable[str] = [exports.to_txt(text=transcript.text, words=transcript.words, names=names)]
    elif kind == "json":
        pieces = exports.iter_json(export_data(transcript))
    elif kind == "srt":
        pieces = exports.iter_srt(transcript.words, names)
    else:
        pieces = exports.iter_vtt(transcript.words, names)
    name = exports.filename(
        kind=kind,
        date=transcript.completed_at or transcript.created_at,
        label=describe(transcript).label,
        fallback=transcript.job_id or str(transcript.pk),
    )
    # Streamed: a 3-hour call's JSON is megabytes, sent as it is encoded instead of built whole first.
    response = StreamingHttpResponse(_batched(pieces), content_type=exports.FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    detail = f"{kind}{f' via {via}' if via else ''}"
    audit_record(
        request=request,
        action=AuditAction.EXPORTED,
        obj_kind="transcript",
        obj_id=transcript.pk,
        detail=detail,
    )
    return response
