"""Creating, finding and revoking share links; who may share a transcript."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe.lib.keys import keyed_hash, keyed_hashes, rekeyed
from transcription.models import Transcript
from transcription.selectors import transcripts_visible_to

from .models import ShareLink

LIFETIMES = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
}
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}\Z")  # secrets.token_urlsafe(32)


SALT = "djtranscribe.sharing.token"


def token_hash(token: str) -> str:
    """A keyed hash of the token (SECRET_KEY): the database alone cannot make a working link."""
    return keyed_hash(SALT, token)


def may_share(user, transcript: Transcript) -> bool:
    """Whoever may see the transcript (its owner, a lead, a superuser) may share it."""
    return transcripts_visible_to(user).filter(pk=transcript.pk).exists()


@transaction.atomic
def share_create(
    *, request, transcript: Transcript, lifetime: str, include_audio: bool
) -> tuple[ShareLink, str]:
    """A new link; answers it with its token, which is stored nowhere and must be shown now."""
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        transcript=transcript,
        token_hash=token_hash(token),
        created_by=request.user,
        expires_at=timezone.now() + LIFETIMES[lifetime][1],
        include_audio=include_audio,
    )
    detail = f"share {link.pk}, {LIFETIMES[lifetime][0]}, {'with' if include_audio else 'without'} audio"
    audit_record(
        request=request,
        action=AuditAction.SHARE_CREATED,
        obj_kind="transcript",
        obj_id=transcript.pk,
        detail=detail,
    )
    return link, token


def share_find(token: str) -> ShareLink | None:
    """The active link with this token, or None (unknown, expired and revoked look the same)."""
    if not TOKEN_RE.match(token):
        return None
    hashes = keyed_hashes(SALT, token)
    link = (
        ShareLink.objects.select_related("transcript")
        .filter(token_hash__in=hashes, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is not None:  # made under a SECRET_KEY since rotated: under the current one from now on
        rekeyed(ShareLink, link.pk, "token_hash", link.token_hash, hashes[0])
    return link


def share_revoke(*, request, link: ShareLink) -> None:
    """Revoke a link now (idempotent: a second revoke changes and records nothing)."""
    if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit_record(
            request=request,
            action=AuditAction.SHARE_REVOKED,
            obj_kind="transcript",
            obj_id=link.transcript_id,
            detail=f"share {link.pk}",
        )


def links_for(transcript: Transcript):
    """The links of a transcript that still work, newest first."""
    return transcript.share_links.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("created_by")
