"""What the API says about a transcript: a list row, and the detail built from the same readers as
the transcript page and the JSON export (transcription.reading, participants, exports)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from transcription.conversation.names import default_name
from transcription.conversation.turns import build_turns, default_participant
from transcription.models import Transcript, TranscriptStatus
from transcription.participants import participant_names
from transcription.reading import named_stats
from transcription.revising.services import editable_words, latest_revision
from transcription.selectors import TRANSCRIPT_LIST_FIELDS
from transcription.sources import public_audio_url

from .base import absolute

EXPORT_KINDS = ("txt", "json", "srt", "vtt")
# What a list row reads (the preview is cut by the database): the same fields as the page's list.
LIST_FIELDS = TRANSCRIPT_LIST_FIELDS
PREVIEW_CHARS = 200


def api_url(transcript: Transcript) -> str:
    return absolute(f"/api/v1/transcripts/{transcript.pk}/")


class TranscriptSerializer(serializers.ModelSerializer):
    """A transcript in a list: its status and figures, no words."""

    url = serializers.SerializerMethodField(help_text="The transcript's page in the app.")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Transcript
        fields = (
            "id",
            "status",
            "call_sid",
            "recording_sid",
            "audio_duration",
            "confidence",
            "error",
            "is_sample",
            "created_at",
            "completed_at",
            "url",
            "api_url",
        )
        read_only_fields = fields

    def get_url(self, transcript: Transcript) -> str:
        return absolute(transcript.get_absolute_url())

    def get_api_url(self, transcript: Transcript) -> str:
        return api_url(transcript)


class ParticipantSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='A channel ("1", "2") or a diarized speaker ("A", "B").')
    name = serializers.CharField()


class WordSerializer(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="Milliseconds from the start of the audio.")
    end = serializers.IntegerField()
    confidence = serializers.FloatField(allow_null=True)
    participant = serializers.CharField(allow_blank=True)
    participant_name = serializers.CharField(allow_blank=True)


class TurnSerializer(serializers.Serializer):
    participant = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    overlaps_with = serializers.ListField(child=serializers.CharField())


class ParticipantStatsSerializer(serializers.Serializer):
    participant = serializers.CharField()
    name = serializers.CharField()
    talk_s = serializers.FloatField()
    share = serializers.FloatField()
    longest_monologue_s = serializers.FloatField()
    interruptions = serializers.IntegerField()
    words = serializers.IntegerField()


class TalkStatsSerializer(serializers.Serializer):
    duration_s = serializers.FloatField()
    speech_s = serializers.FloatField()
    silence_s = serializers.FloatField()
    overlap_s = serializers.FloatField()
    overlaps = serializers.IntegerField()
    participants = ParticipantStatsSerializer(many=True)


class TranscriptDetailSerializer(serializers.Serializer):
    """A transcript in full. Only the schema uses it: `transcript_detail` builds the data."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TranscriptStatus.choices)
    revision = serializers.IntegerField(
        help_text="The current revision (0: as the engine wrote it); send it with a correction."
    )
    job_id = serializers.CharField(allow_null=True, help_text="AssemblyAI's transcript id.")
    call_sid = serializers.CharField(allow_blank=True)
    recording_sid = serializers.CharField(allow_blank=True)
    audio_url = serializers.CharField(allow_blank=True, help_text="The public link transcribed, if any.")
    language_code = serializers.CharField(allow_blank=True)
    speech_model_used = serializers.CharField(allow_blank=True)
    audio_duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    confidence = serializers.FloatField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    participants = ParticipantSerializer(many=True)
    talk_stats = TalkStatsSerializer(
        allow_null=True, help_text="Only for a conversation (two voices or more)."
    )
    turns = TurnSerializer(many=True)
    words = WordSerializer(many=True, help_text="In time order; a correction's start/end index this list.")
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()
    api_url = serializers.CharField()
    exports = serializers.DictField(
        child=serializers.CharField(),
        help_text="Download links by format (txt, json, srt, vtt), once completed.",
    )


def _word(word: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    key = default_participant(word)
    confidence = word.get("confidence")
    return {
        "text": word["text"],
        "start": word["start"],
        "end": word["end"],
        "confidence": float(confidence) if isinstance(confidence, int | float) else None,
        "participant": key,
        "participant_name": names.get(key) or default_name(key),
    }


def transcript_detail(transcript: Transcript) -> dict[str, Any]:
    """The detail's data: the same words, names, turns and statistics as the page and the JSON export.

    The words are numbered as the page's editor numbers them (timed, in time order), so a correction
    sent to the revisions URL names the same words.
    """
    words = editable_words(transcript.words)
    names = participant_names(transcript, words)
    turns = [
        {
            "participant": turn.participant,
            "name": names.get(turn.participant) or default_name(turn.participant),
            "start": turn.start,
            "end": turn.end,
            "text": turn.text(words),
            "overlaps_with": sorted(names.get(p) or default_name(p) for p in turn.overlaps_with),
        }
        for turn in build_turns(words)
    ]
    completed = transcript.status == TranscriptStatus.COMPLETED
    return {
        "id": transcript.pk,
        "status": transcript.status,
        "revision": latest_revision(transcript),
        "job_id": transcript.job_id,
        "call_sid": transcript.call_sid,
        "recording_sid": transcript.recording_sid,
        "audio_url": public_audio_url(transcript),
        "language_code": transcript.language_code,
        "speech_model_used": transcript.speech_model_used,
        "audio_duration": transcript.audio_duration,
        "confidence": transcript.confidence,
        "error": transcript.error,
        "text": transcript.text,
        "participants": [{"key": key, "name": name} for key, name in names.items() if key],
        "talk_stats": named_stats(transcript, words, names) or None,
        "turns": turns,
        "words": [_word(word, names) for word in words],
        "created_at": transcript.created_at,
        "completed_at": transcript.completed_at,
        "url": absolute(transcript.get_absolute_url()),
        "api_url": api_url(transcript),
        "exports": {
            kind: absolute(reverse("api:transcript-export", args=[transcript.pk, kind]))
            for kind in EXPORT_KINDS
        }
        if completed
        else {},
        "revisions_url": absolute(reverse("api:transcript-revisions", args=[transcript.pk])),
    }
