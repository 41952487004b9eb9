"""A transcript named in passing (in a call or a recording): its id, status and links."""

from rest_framework import serializers

from transcription.models import Transcript

from .base import absolute


class TranscriptSummarySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The transcript's page in the app.")
    api_url = serializers.SerializerMethodField(help_text="The transcript in this API.")

    class Meta:
        model = Transcript
        fields = ("id", "status", "created_at", "completed_at", "url", "api_url")
        read_only_fields = fields

    def get_url(self, transcript: Transcript) -> str:
        return absolute(transcript.get_absolute_url())

    def get_api_url(self, transcript: Transcript) -> str:
        return absolute(f"/api/v1/transcripts/{transcript.pk}/")
