"""Personal API tokens: made, found, used and revoked here (the page, the command and the API's
authentication all call these)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe.lib.keys import keyed_hash, keyed_hashes, rekeyed

from .models import ApiToken

PREFIX = "djt_"
# "djt_" and 40 URL-safe characters (secrets.token_urlsafe(30)): recognisable in a leaked log or
# a secret scanner, and the shape the log filter masks (djtranscribe.lib.redaction).
TOKEN_RE = re.compile(r"^djt_[A-Za-z0-9_-]{40}\Z")
NAME_LENGTH = ApiToken._meta.get_field("name").max_length
# last_used_at is written at most this often per token: a busy script must not turn every read
# into a write.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(ValueError):
    """A token cannot be made as asked; the message says what to change."""


SALT = "djtranscribe.api.token"


def token_hash(token: str) -> str:
    """A keyed hash of the token (SECRET_KEY): the database alone cannot make a working token."""
    return keyed_hash(SALT, token)


def clean_name(name: str) -> str:
    """The name as stored, or TokenRefused saying what is wrong with it."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenRefused("Give the token a name, e.g. what will use it (“nightly export”).")
    if len(name) > NAME_LENGTH:
        raise TokenRefused(f"A token's name has at most {NAME_LENGTH} characters.")
    return name


@transaction.atomic
def token_create(*, user, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token of `user`; answers it with the token itself, which is stored nowhere and must be
    shown now. Audited. Raises TokenRefused for a bad name."""
    name = clean_name(name)
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(raw), prefix=raw[:8])
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CREATED,
        obj_kind="api_token",
        obj_id=token.pk,
        label=name,
    )
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token of an active user with this value, or None (unknown and revoked look alike).

    Records its use (at most once a minute).
    """
    if not TOKEN_RE.match(raw):
        return None
    hashes = keyed_hashes(SALT, raw)
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash__in=hashes, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    rekeyed(ApiToken, token.pk, "token_hash", token.token_hash, hashes[0])  # after a SECRET_KEY rotation
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user):
    """The tokens `user` owns, newest first (revoked ones too: they say when they stopped)."""
    return ApiToken.objects.filter(user=user)


def token_of(user, *, pk) -> ApiToken | None:
    """`user`'s own token `pk`, or None: a token is its owner's alone (a lead sees no one else's)."""
    return tokens_of(user).filter(pk=pk).first() if user.is_authenticated else None


def token_revoke(*, token: ApiToken, request=None, user=None) -> bool:
    """Revoke a token now; True when it was active (a second revoke changes and records nothing)."""
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        return False
    audit_record(
        request=request,
        user=user,
        action=AuditAction.REVOKED,
        obj_kind="api_token",
        obj_id=token.pk,
        label=token.name,
    )
    return True
