"""Reads of endpoints and deliveries for a user, and who may hear of an object.

Pages show a user their own endpoints only (a secret is on the page): another's, even for a lead,
is a 404. The admin follows the access model: a lead sees every endpoint (never its secret).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from caller.selectors import calls_visible_to, recordings_visible_to
from djtranscribe import access
from transcription.selectors import transcripts_visible_to

from .models import Delivery, Endpoint


def endpoints_of(user) -> QuerySet:
    """The endpoints `user` owns (the pages' list)."""
    return Endpoint.objects.filter(access.owned_by(user))


def get_endpoint_for(user, *, pk) -> Endpoint:
    """The endpoint `pk` if `user` owns it; Http404 otherwise."""
    endpoint = endpoints_of(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def endpoints_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Endpoints in the admin: the user's own; every one (the environment's too) for a lead."""
    return access.visible_to(user, Endpoint.objects.all() if queryset is None else queryset)


def deliveries_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Deliveries in the admin: those to the user's endpoints; every one for a lead."""
    queryset = Delivery.objects.all() if queryset is None else queryset
    return access.visible_to(user, queryset, field="endpoint__owner")


# What each kind of object an event is about is read through, for an endpoint's owner.
_VISIBLE = {
    "call": (calls_visible_to, "sid"),
    "recording": (recordings_visible_to, "sid"),
    "transcript": (transcripts_visible_to, "pk"),
}


def may_hear_of(endpoint: Endpoint, *, obj_kind: str, obj_id) -> bool:
    """May `endpoint` receive an event about this object? The environment's endpoint hears of all;
    a user's only of what that user may see, and nothing once they are deactivated."""
    if endpoint.owner_id is None:
        return endpoint.from_environment
    owner = endpoint.owner
    if not owner.is_active or obj_kind not in _VISIBLE:
        return False
    visible_to, field = _VISIBLE[obj_kind]
    return visible_to(owner).filter(**{field: obj_id}).exists()


def endpoints_listening(event_type: str) -> QuerySet:
    """Active endpoints subscribed to `event_type` whose owner (if any) is active."""
    # JSON containment is not on SQLite: the list is short, so filter subscriptions in Python.
    return (
        Endpoint.objects.filter(active=True)
        .filter(Q(owner__isnull=True, from_environment=True) | Q(owner__is_active=True))
        .select_related("owner")
    )
