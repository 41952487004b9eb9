"""Reads on the Twilio side, for a user: every page, export, media request and admin list asks here.

Functions take the user first; an object the user may not see is a 404 (never a 403: it does not
confirm that the object exists).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from djtranscribe import access
from transcription.selectors import transcripts_visible_to

from .models import Call, Recording


def calls_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The calls `user` may see (theirs; every one for a lead)."""
    return access.visible_to(user, Call.objects.all() if queryset is None else queryset)


def recordings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The recordings `user` may see (theirs; every one for a lead)."""
    return access.visible_to(user, Recording.objects.all() if queryset is None else queryset)


def transcripts_of_direction(direction: str) -> Q:
    """Transcripts of calls in `direction`: it narrows a queryset already limited to one user."""
    return Q(call_sid__in=Call.objects.filter(direction=direction).values("sid"))


def get_call_for(user, *, sid: str, queryset: QuerySet | None = None) -> Call:
    """The call `sid` if `user` may see it; Http404 otherwise."""
    call = calls_visible_to(user, queryset).filter(sid=sid).first()
    if call is None:
        raise Http404("No such call.")
    return call


def get_recording_for(user, *, sid: str) -> Recording:
    """The recording `sid` if `user` may see it; Http404 otherwise."""
    recording = recordings_visible_to(user).filter(sid=sid).first()
    if recording is None:
        raise Http404("No such recording.")
    return recording


def call_listable_by(user, *, call_sid: str) -> bool:
    """May `user` ask Twilio for this call's recordings? Its owner may; a lead may for any call,
    even one placed outside this app."""
    return access.sees_all(user) or calls_visible_to(user).filter(sid=call_sid).exists()


def media_url_for(user, *, sid: str) -> str | None:
    """Twilio's media URL of a recording `user` may hear: stored and visible, or named by a transcript
    they may see. None otherwise (the caller answers 404)."""
    recording = recordings_visible_to(user).filter(sid=sid).only("sid", "account_sid").first()
    if recording is not None:
        return recording.media_url
    if transcripts_visible_to(user).filter(recording_sid=sid).exists():
        # Whoever may read a transcript may hear its audio, stored here or not (e.g. transcribed
        # by RecordingSid before anyone listed the call's recordings).
        stored = Recording.objects.filter(sid=sid).only("sid", "account_sid").first()
        return (stored or Recording(sid=sid)).media_url
    return None
