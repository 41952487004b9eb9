"""Reads of transcripts for a user: pages, exports, status endpoints, search and the admin ask here.

Functions take the user first; a transcript the user may not see is a 404, never a 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from audio.models import AudioAsset
from djtranscribe import access

from .models import Transcript, WebhookDelivery

# What a list of transcripts reads of each row (the page and the API): never the big
# text/words/utterances, which lists do not show.
TRANSCRIPT_LIST_FIELDS = (
    "pk",
    "redact_pii",
    "audio_deleted_at",
    "status",
    "created_at",
    "completed_at",
    "audio_duration",
    "confidence",
    "audio_url",
    "audio_source",
    "recording_sid",
    "call_sid",
    "audio",
    "owner",
    "error",
    "is_sample",
)


def transcripts_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The transcripts `user` may see (theirs; every one for a lead)."""
    return access.visible_to(user, Transcript.objects.all() if queryset is None else queryset)


def get_transcript_for(user, *, pk, queryset: QuerySet | None = None) -> Transcript:
    """The transcript `pk` if `user` may see it; Http404 otherwise."""
    transcript = transcripts_visible_to(user, queryset).filter(pk=pk).first()
    if transcript is None:
        raise Http404("No such transcript.")
    return transcript


def deliveries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """AssemblyAI's webhook deliveries `user` may see: those of their transcripts (all for a lead).

    A delivery matched to no transcript names no one's data but a job id: only leads see it.
    """
    queryset = WebhookDelivery.objects.all() if queryset is None else queryset
    return access.visible_to(user, queryset, field="transcript__owner")


def assets_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The audio assets `user` may see: theirs, or used by a transcript they may see (all for a lead).

    Here rather than in audio/, which knows nothing of transcripts.
    """
    queryset = AudioAsset.objects.all() if queryset is None else queryset
    if access.sees_all(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    used = Transcript.objects.filter(access.owned_by(user)).values("audio_id")
    return queryset.filter(access.owned_by(user) | Q(pk__in=used))
