"""Writing and pruning the audit trail."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.utils import timezone

from djtranscribe.signin import client_ip

from .models import AuditAction, AuditEvent


def _address(value) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address as sign-in throttling sees it (trusted proxy aware), or None if not an IP."""
    return _address(client_ip(request))


def _clip(value, length: int) -> str:
    text = str(value or "")
    return text if len(text) <= length else text[: length - 1] + "…"


def audit_record(
    *,
    request=None,
    user=None,
    action: str,
    obj_kind: str,
    obj_id,
    label: str = "",
    detail: str = "",
    address: str | None = None,
) -> AuditEvent:
    """Store one audit row; the user and address come from `request` unless given."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        user=user,
        username=_clip(user.get_username(), 150) if user else "",
        action=AuditAction(action),
        obj_kind=_clip(obj_kind, 40),
        obj_id=_clip(obj_id, 64),
        label=_clip(label, 200),
        detail=_clip(detail, 500),
        address=_address(address) or (client_address(request) if request is not None else None),
    )


def audit_purge(*, older_than_days: int, dry_run: bool = False) -> int:
    """Delete (or with dry_run only count) the rows older than that many days; answers how many."""
    old = AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=older_than_days))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes' user_locked_out signal: the account name tried, and from where (axes' own view)."""
    audit_record(
        request=request,
        action=AuditAction.LOCKED_OUT,
        obj_kind="account",
        obj_id=username or "",
        address=ip_address,
    )
