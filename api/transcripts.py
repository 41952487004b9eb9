"""Transcripts through the API: list and search (the app's search syntax), detail with words, turns,
participants and talk statistics, create from a link or a file, delete (here and at AssemblyAI)."""

from __future__ import annotations

import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from audio.services import AudioUnavailable
from audit.models import AuditAction
from audit.services import audit_record
from search.engine import MAX_QUERY, Search
from transcription import assemblyai_client
from transcription.assemblyai_client import AssemblyAIError
from transcription.finding import TranscriptFilter, direction_choices
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.direct import transcript_submit_upload, transcript_submit_url
from transcription.retention import TranscriptKept, transcript_delete
from transcription.selectors import get_transcript_for, transcripts_visible_to
from transcription.uploads import Refused, asset_discard, link_check, upload_receive

from .base import NOT_MODIFIED, ApiViewSet, with_etag
from .errors import Problem
from .transcript_data import LIST_FIELDS, TranscriptDetailSerializer, TranscriptSerializer, transcript_detail

logger = logging.getLogger(__name__)
DELETE_TRANSCRIPT = "transcription.delete_transcript"
PK = OpenApiParameter("id", int, OpenApiParameter.PATH)


class TranscribeUrlSerializer(serializers.Serializer):
    audio_url = serializers.CharField(
        max_length=2000, help_text="A public https link to audio or video; AssemblyAI downloads it."
    )


class TranscribeFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="An audio or video file (MP3, WAV, M4A, ...; up to UPLOAD_MAX_MB)."
    )


def transcript_pk(value) -> int:
    """The id in the URL, or 404 (an id is digits; anything else names no transcript)."""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise NotFound("No such transcript.")
    return int(text)


@extend_schema_view(
    list=extend_schema(
        summary="The transcripts the token's user may see; `q` searches them",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description='Full-text search, the app\'s syntax: words, "a phrase", -word, a OR b.',
            ),
            OpenApiParameter("status", str, enum=TranscriptStatus.values),
            OpenApiParameter(
                "direction",
                str,
                enum=[value for value, _ in direction_choices()] or None,
                description="The call's direction (transcripts of calls only).",
            ),
            OpenApiParameter(
                "who", str, description="A participant's name, or digits of the number talked to."
            ),
            OpenApiParameter(
                "since", OpenApiTypes.DATE, description="Created from this day on (YYYY-MM-DD)."
            ),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Created up to this day, inclusive."),
        ],
    ),
    retrieve=extend_schema(
        summary="One transcript: text, words, turns, participants, talk statistics",
        parameters=[PK],
        responses={200: TranscriptDetailSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Transcribe a public https link (JSON `audio_url`) or an uploaded file (multipart `file`)",
        request={
            "application/json": TranscribeUrlSerializer,
            "multipart/form-data": TranscribeFileSerializer,
        },
        responses={201: TranscriptDetailSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a transcript here and at AssemblyAI (needs the permission to delete transcripts)",
        parameters=[PK],
        responses={204: OpenApiResponse(description="Deleted, here and at AssemblyAI.")},
    ),
)
class TranscriptViewSet(ApiViewSet):
    """Transcripts: list and search, detail, create, delete."""

    serializer_class = TranscriptSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def list(self, request):
        query = request.query_params.get("q", "")
        # The transcript list's own filters (status, direction, who, since, until), checked alike.
        wanted = TranscriptFilter.parse(request.query_params)
        problems = list(wanted.problems)
        if len(query) > MAX_QUERY:
            problems.append(f"That search is {len(query)} characters long: search for at most {MAX_QUERY}.")
        if problems:
            raise ValidationError(problems)
        search = Search.parse(query)
        found = wanted.apply(search.filter(transcripts_visible_to(request.user)))
        if wanted.status:
            found = found.filter(status=wanted.status)
        found = found.only(*LIST_FIELDS).order_by(*search.order_by)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(TranscriptSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        transcript = get_transcript_for(request.user, pk=transcript_pk(pk))
        audit_record(request=request, action=AuditAction.VIEWED, obj_kind="transcript", obj_id=transcript.pk)
        return with_etag(request, transcript_detail(transcript))

    def create(self, request):
        if missing := assemblyai_client.missing_settings():
            raise Problem(f"Transcribing needs {', '.join(missing)} set on the server.", status=503)
        multipart = request.content_type.startswith("multipart/")
        wanted = (TranscribeFileSerializer if multipart else TranscribeUrlSerializer)(data=request.data)
        wanted.is_valid(raise_exception=True)
        upload = wanted.validated_data.get("file")
        try:
            transcript = self._submit(request, upload, wanted.validated_data.get("audio_url", ""))
        except Refused as exc:
            raise ValidationError({"file" if upload else "audio_url": str(exc)}) from None
        except (AssemblyAIError, AudioUnavailable) as exc:
            logger.warning("Transcribing through the API failed: %s", exc)
            raise Problem(
                f"AssemblyAI did not take it: {exc}. Nothing was kept: try again.", status=502
            ) from None
        audit_record(
            request=request,
            action=AuditAction.CREATED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            detail="via api, " + ("upload" if upload else "link"),
        )
        return Response(transcript_detail(transcript), status=status.HTTP_201_CREATED)

    def _submit(self, request, upload, audio_url: str) -> Transcript:
        """The same services as "Transcribe a file or a link": the file is checked and archived first."""
        if upload is not None:
            asset = upload_receive(file=upload, owner=request.user)
            try:
                return transcript_submit_upload(asset=asset, owner=request.user)
            except BaseException:
                asset_discard(asset)
                raise
        url = link_check(audio_url)
        return transcript_submit_url(audio_url=url, owner=request.user)

    def destroy(self, request, pk):
        transcript = get_transcript_for(request.user, pk=transcript_pk(pk))
        if not request.user.has_perm(DELETE_TRANSCRIPT):
            raise PermissionDenied(
                "You may not delete transcripts: ask an admin for the 'Can delete transcript' permission."
            )
        try:
            transcript_delete(transcript)
        except TranscriptKept as exc:
            raise Problem(str(exc), status=502) from None
        audit_record(
            request=request, action=AuditAction.DELETED, obj_kind="transcript", obj_id=pk, detail="via api"
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
