"""The access model in one place: a user sees what they own; a lead (or a superuser) sees everything.

It knows no app: each app's `selectors.py` applies it to its own tables.
"""

from django.db.models import Q, QuerySet

# Granted through groups (the "Leads" group holds it); superusers have every permission implicitly.
VIEW_ALL_CALLS = "caller.view_all_calls"
VIEW_ALL_CALLS_CODENAME = VIEW_ALL_CALLS.split(".", 1)[1]
VIEW_ALL_CALLS_NAME = "Can view every call, recording and transcript"
LEADS_GROUP = "Leads"


def sees_all(user) -> bool:
    """True for a user who may see every call, recording and transcript."""
    return bool(user is not None and user.is_active and user.has_perm(VIEW_ALL_CALLS))


def owned_by(user, field: str = "owner") -> Q:
    """The condition for rows `user` owns (matches nothing for an anonymous user)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{field}_id": user.pk})


def visible_to(user, queryset: QuerySet, field: str = "owner") -> QuerySet:
    """`queryset` narrowed to what `user` may see."""
    if sees_all(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(owned_by(user, field))
