"""A transcript's downloads (TXT, JSON, SRT, WebVTT) through the API: the very files the export links
give, built and audited by transcription.downloads."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from transcription.downloads import export_response
from transcription.selectors import get_transcript_for

from .base import ApiViewSet
from .errors import Problem
from .transcript_data import EXPORT_KINDS
from .transcripts import transcript_pk


class AnyTypeRenderer(JSONRenderer):
    """Accepts whatever the client asks for (text/vtt, text/plain...): a file answers in its own type,
    and errors still render as problem details (JSON)."""

    media_type = "*/*"


FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment.")


class ExportViewSet(ApiViewSet):
    """Exports: one file per format."""

    renderer_classes = [JSONRenderer, AnyTypeRenderer]

    @extend_schema(
        summary="Download a completed transcript as TXT, JSON, SRT or WebVTT",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH),
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(EXPORT_KINDS)),
        ],
        responses={
            (200, "text/plain"): FILE,
            # The JSON export is an object (the transcript as `manage.py` and the pages export it).
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="The JSON export."),
            (200, "application/x-subrip"): FILE,
            (200, "text/vtt"): FILE,
            409: OpenApiResponse(description="Not completed yet, or (subtitles) no word timings."),
        },
    )
    def retrieve(self, request, pk, kind: str):
        if kind not in EXPORT_KINDS:
            raise NotFound(f"There is no export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}.")
        transcript = get_transcript_for(request.user, pk=transcript_pk(pk))
        response = export_response(request, transcript, kind, via="api")
        if response.status_code != 200:
            # The same words as the export links, in the API's one error shape.
            raise Problem(response.content.decode().strip(), status=response.status_code)
        return response
