"""Revisions through the API: a transcript's history, and submitting a correction, through the same
services as the transcript page's editor (transcription.revising). The service writes the revision,
the new words and the audit row; the API only parses and answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from transcription.models import Revision, RevisionKind
from transcription.revising.review import revisions_of
from transcription.revising.services import EditError, StaleEdit, may_edit, transcript_correct
from transcription.selectors import get_transcript_for

from .base import ApiViewSet
from .errors import Problem
from .transcripts import transcript_pk

PK = OpenApiParameter("id", int, OpenApiParameter.PATH)


class RevisionSerializer(serializers.ModelSerializer):
    """One saved state of the words: who, when, what changed (the engine's original is number 0)."""

    kind = serializers.ChoiceField(choices=RevisionKind.choices)
    author = serializers.CharField(source="author.username", allow_null=True, read_only=True)

    class Meta:
        model = Revision
        fields = ("number", "kind", "author", "created_at", "summary", "reverted_to")
        read_only_fields = fields


class HistorySerializer(serializers.Serializer):
    latest = serializers.IntegerField(help_text="The current revision's number (0: never corrected).")
    revisions = RevisionSerializer(many=True, help_text="Newest first.")


class CorrectionSerializer(serializers.Serializer):
    """Replace words `start` to `end` (indices into the detail's `words`, end excluded) by `text`;
    the other words keep their times. `revision` (the detail's) refuses a correction made from an
    older state with 409 instead of overwriting someone else's."""

    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    revision = serializers.IntegerField(required=False, min_value=0)


class CorrectedWordSerializer(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class CorrectedSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The new revision's number.")
    summary = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    words = CorrectedWordSerializer(
        many=True, help_text="The words that replaced start:end, with their times."
    )


class RevisionViewSet(ApiViewSet):
    """Revisions of one transcript: the history, and a new correction."""

    serializer_class = RevisionSerializer
    pagination_class = None  # one transcript's history: few rows, newest first

    @extend_schema(
        summary="A transcript's revisions, newest first", parameters=[PK], responses={200: HistorySerializer}
    )
    def history(self, request, pk):
        # Not named `list`: the answer is one object (latest, revisions), not a list of revisions.
        transcript = get_transcript_for(request.user, pk=transcript_pk(pk))
        revisions = revisions_of(transcript)
        latest = revisions[0].number if revisions else 0
        return Response({"latest": latest, "revisions": RevisionSerializer(revisions, many=True).data})

    @extend_schema(
        summary="Submit a correction (the transcript's owner, or a user who may change transcripts)",
        parameters=[PK],
        request=CorrectionSerializer,
        responses={201: CorrectedSerializer},
    )
    def create(self, request, pk):
        transcript = get_transcript_for(request.user, pk=transcript_pk(pk))
        if not may_edit(request.user, transcript):
            raise PermissionDenied("You may read this transcript but not correct it.")
        wanted = CorrectionSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        try:
            saved = transcript_correct(
                transcript_pk=transcript.pk,
                user=request.user,
                start=data["start"],
                end=data["end"],
                text=data["text"],
                base_revision=data.get("revision"),
            )
        except StaleEdit as exc:
            raise Problem(str(exc), status=409) from None
        except EditError as exc:
            raise ValidationError(str(exc)) from None
        body = {
            "revision": saved.revision.number,
            "summary": saved.revision.summary,
            "start": saved.start,
            "end": saved.end,
            "words": [{key: word[key] for key in ("text", "start", "end")} for word in saved.words],
        }
        return Response(body, status=status.HTTP_201_CREATED)
