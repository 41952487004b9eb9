"""Recordings through the API: the ones the token's user may see, and one by its SID."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from audit.models import AuditAction
from audit.services import audit_record
from caller import selectors
from caller.models import Recording
from djtranscribe.lib.ids import CALL_SID_RE, RECORDING_SID_RE
from transcription.selectors import transcripts_visible_to

from .base import NOT_MODIFIED, ApiViewSet, pattern_of, with_etag
from .summaries import TranscriptSummarySerializer


class RecordingSerializer(serializers.ModelSerializer):
    """A recording Twilio made (its audio plays on the call's page in the app)."""

    class Meta:
        model = Recording
        fields = (
            "sid",
            "call_sid",
            "status",
            "duration",
            "channels",
            "source",
            "error_code",
            "error",
            "started_at",
            "created_at",
        )
        read_only_fields = fields


class RecordingDetailSerializer(RecordingSerializer):
    transcript = TranscriptSummarySerializer(source="transcript_shown", allow_null=True, read_only=True)

    class Meta(RecordingSerializer.Meta):
        fields = (*RecordingSerializer.Meta.fields, "transcript")
        read_only_fields = fields


RECORDING_SID = OpenApiParameter(
    "recording_sid", str, OpenApiParameter.PATH, pattern=pattern_of(RECORDING_SID_RE)
)


@extend_schema_view(
    list=extend_schema(
        summary="The recordings the token's user may see, newest first",
        parameters=[OpenApiParameter("call_sid", str, description="Only this call's recordings.")],
    ),
    retrieve=extend_schema(
        summary="One recording and its transcript",
        parameters=[RECORDING_SID],
        responses={200: RecordingDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class RecordingViewSet(ApiViewSet):
    """Recordings: list (optionally of one call) and detail."""

    serializer_class = RecordingSerializer

    def list(self, request):
        recordings = selectors.recordings_visible_to(request.user).order_by("-created_at", "-pk")
        call_sid = request.query_params.get("call_sid", "")
        if call_sid:
            if not CALL_SID_RE.match(call_sid):
                raise ValidationError({"call_sid": "A call SID is 'CA' followed by 32 hex digits."})
            recordings = recordings.filter(call_sid=call_sid)
        page = self.paginate_queryset(recordings)
        return self.get_paginated_response(RecordingSerializer(page, many=True).data)

    def retrieve(self, request, recording_sid: str):
        recording = selectors.get_recording_for(request.user, sid=recording_sid)
        recording.transcript_shown = (
            transcripts_visible_to(request.user)
            .filter(recording_sid=recording.sid)
            .defer("words", "utterances")
            .first()
        )
        audit_record(request=request, action=AuditAction.VIEWED, obj_kind="recording", obj_id=recording.sid)
        return with_etag(request, RecordingDetailSerializer(recording).data)
