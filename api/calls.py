"""Calls through the API: the call log's list and filters, a call's detail, and placing a call with
the dial page's checks (permission, dial policy, rate limit), through the same services."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from audit.models import AuditAction
from audit.services import audit_record
from caller import conversation, dial_errors, selectors
from caller import notes as call_notes
from caller.call_log import TRANSCRIPT_CHOICES, calls_filtered
from caller.models import NOTES_MAX_CHARS, Call, CallDirection, CallStatus
from caller.phone import InvalidNumber, parse_number
from djtranscribe.lib.ids import CALL_SID_RE
from transcription.selectors import transcripts_visible_to

from .base import NOT_MODIFIED, ApiViewSet, absolute, pattern_of, with_etag
from .errors import Problem
from .recordings import RecordingSerializer
from .summaries import TranscriptSummarySerializer

PLACE_CALL = "caller.place_call"


class CallSerializer(serializers.ModelSerializer):
    """A call as the call log shows it."""

    dialed_by = serializers.CharField(source="dialed_by.username", allow_null=True, read_only=True)
    counterpart = serializers.CharField(read_only=True, help_text="The number the user talked to.")
    url = serializers.SerializerMethodField(help_text="The call's page in the app.")

    class Meta:
        model = Call
        fields = (
            "sid",
            "direction",
            "status",
            "to",
            "from_number",
            "other_party",
            "counterpart",
            "caller_name",
            "duration",
            "dialed_by",
            "notes",
            "created_at",
            "updated_at",
            "url",
        )
        read_only_fields = fields

    def get_url(self, call: Call) -> str:
        return absolute(call.get_absolute_url())


class CallDetailSerializer(CallSerializer):
    """A call with the recordings and transcripts of it that the token's user may see."""

    recordings = RecordingSerializer(source="recordings_shown", many=True, read_only=True)
    transcripts = TranscriptSummarySerializer(source="transcripts_shown", many=True, read_only=True)

    class Meta(CallSerializer.Meta):
        fields = (*CallSerializer.Meta.fields, "recordings", "transcripts")
        read_only_fields = fields


class CallNotesSerializer(serializers.Serializer):
    """A call's new notes (the call page's form): the call's owner, or a user who may change calls."""

    notes = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"What the call was about, at most {NOTES_MAX_CHARS:,} characters; empty clears them. "
        "Searchable with the call's transcripts.",
    )

    def validate(self, attrs):
        # Only the notes change here: any other field (a status, a number) would be silently ignored.
        others = sorted(set(self.initial_data) - {"notes"}) if hasattr(self.initial_data, "keys") else []
        if others:
            raise serializers.ValidationError(
                {name: ["Only a call's notes can be changed: leave this field out."] for name in others}
            )
        return attrs

    def validate_notes(self, value: str) -> str:
        if not isinstance(self.initial_data.get("notes"), str):
            raise serializers.ValidationError("Send the notes as a string (text), not a number or a list.")
        return value


class PlaceCallSerializer(serializers.Serializer):
    """What to call: a number (E.164 or national digits of the home country); `connect` has Twilio
    call the user's own number first and then connect them (the dial page's second button)."""

    to = serializers.CharField(max_length=32)
    connect = serializers.BooleanField(default=False)

    def validate_to(self, value: str):
        try:
            return parse_number(value)
        except InvalidNumber as exc:
            raise ValidationError(str(exc)) from None


CALL_FILTERS = [
    OpenApiParameter(
        "q", str, description="Digits of a number, the caller's name, words of its notes, or who placed it."
    ),
    OpenApiParameter("direction", str, enum=CallDirection.values),
    OpenApiParameter("status", str, enum=CallStatus.values),
    OpenApiParameter("transcript", str, enum=[value for value, _ in TRANSCRIPT_CHOICES]),
    OpenApiParameter("since", OpenApiTypes.DATE, description="Calls from this day on (YYYY-MM-DD)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Calls up to this day, inclusive."),
]
CALL_SID = OpenApiParameter("call_sid", str, OpenApiParameter.PATH, pattern=pattern_of(CALL_SID_RE))


@extend_schema_view(
    list=extend_schema(summary="The calls the token's user may see, newest first", parameters=CALL_FILTERS),
    retrieve=extend_schema(
        summary="One call, its recordings and transcripts",
        parameters=[CALL_SID],
        responses={200: CallDetailSerializer, 304: NOT_MODIFIED},
    ),
    partial_update=extend_schema(
        summary="Change a call's notes (its owner, or a user who may change calls)",
        parameters=[CALL_SID],
        request=CallNotesSerializer,
        responses={200: CallSerializer},
    ),
    create=extend_schema(
        summary="Place a call (the dial page's checks: permission, allowed countries, rate limit)",
        request=PlaceCallSerializer,
        responses={201: CallSerializer},
    ),
)
class CallViewSet(ApiViewSet):
    """Calls: list (the call log's filters), detail, and placing one."""

    serializer_class = CallSerializer
    lookup_field = "sid"
    lookup_url_kwarg = "call_sid"

    def list(self, request):
        calls, wanted = calls_filtered(request.user, request.query_params)
        if wanted.problems:
            raise ValidationError(list(wanted.problems))
        page = self.paginate_queryset(calls)
        return self.get_paginated_response(CallSerializer(page, many=True).data)

    def retrieve(self, request, call_sid: str):
        call = selectors.get_call_for(
            request.user, sid=call_sid, queryset=Call.objects.select_related("dialed_by")
        )
        recordings = list(selectors.recordings_visible_to(request.user, call.recordings.all()))
        # Only what the user may see: the call's own related managers would list every row.
        call.recordings_shown = recordings
        call.transcripts_shown = list(
            transcripts_visible_to(request.user)
            .filter(Q(call_sid=call.sid) | Q(recording_sid__in=[r.sid for r in recordings]))
            .defer("words", "utterances")
            .order_by("created_at")
        )
        audit_record(
            request=request, action=AuditAction.VIEWED, obj_kind="call", obj_id=call.sid, label=call.to
        )
        data = CallDetailSerializer(call).data
        return with_etag(request, data)

    def partial_update(self, request, call_sid: str):
        call = selectors.get_call_for(
            request.user, sid=call_sid, queryset=Call.objects.select_related("dialed_by")
        )
        if not call_notes.may_edit_notes(request.user, call):
            raise PermissionDenied("You may read this call's notes but not change them.")
        wanted = CallNotesSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            changed = call_notes.call_notes_update(call=call, notes=wanted.validated_data["notes"])
        except call_notes.NotesError as exc:
            raise ValidationError({"notes": [str(exc)]}) from None
        if changed:
            audit_record(
                request=request,
                action=AuditAction.EDITED,
                obj_kind="call",
                obj_id=call.sid,
                detail="notes changed via api" if call.notes else "notes cleared via api",
            )
        return Response(CallSerializer(call).data)

    def create(self, request):
        if not request.user.has_perm(PLACE_CALL):
            raise PermissionDenied(
                "You may not place calls: ask an admin for the 'Can place outbound calls' permission."
            )
        wanted = PlaceCallSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        number = wanted.validated_data["to"]
        try:
            call = conversation.call_place_or_connect(
                number=number.e164, user=request.user, connect=wanted.validated_data["connect"]
            )
        except dial_errors.DIAL_ERRORS as exc:
            raise Problem(
                str(exc), status=dial_errors.http_status(exc), headers=dial_errors.http_headers(exc)
            ) from None
        audit_record(
            request=request,
            action=AuditAction.CALL_PLACED,
            obj_kind="call",
            obj_id=call.sid,
            label=call.counterpart,
            detail="via api",
        )
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)
