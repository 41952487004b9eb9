"""Writes on endpoints and deliveries: what the pages, the admin and the worker change."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record

from .models import Delivery, DeliveryStatus, Endpoint, Event
from .queue import queue_delivery

OBJ_KIND = "webhook endpoint"


def _audit(*, request=None, endpoint: Endpoint, action=AuditAction.EDITED, detail: str) -> None:
    # The host, never the whole URL: a Slack webhook's path is its credential.
    audit_record(
        request=request,
        action=action,
        obj_kind=OBJ_KIND,
        obj_id=endpoint.pk,
        label=str(endpoint)[:200],
        detail=detail,
    )


def endpoint_save(*, request, endpoint: Endpoint, created: bool) -> Endpoint:
    """Store an endpoint a user created or edited (checked by EndpointForm); enabling it clears
    the notice of an automatic switch-off."""
    if endpoint.active:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    with transaction.atomic():
        endpoint.save()
        _audit(
            request=request,
            endpoint=endpoint,
            detail=f"{'created' if created else 'changed'}: {endpoint.kind} to {endpoint.host}, "
            f"{'active' if endpoint.active else 'inactive'}, events {', '.join(endpoint.events)}",
        )
    return endpoint


def endpoint_delete(*, request, endpoint: Endpoint) -> None:
    """Delete an endpoint with its deliveries and attempts."""
    with transaction.atomic():
        _audit(request=request, endpoint=endpoint, action=AuditAction.DELETED, detail=f"to {endpoint.host}")
        endpoint.delete()


def endpoint_disable(*, endpoint: Endpoint, reason: str, request=None) -> None:
    """Switch an endpoint off with a notice (shown on its page) and an audit row."""
    now = timezone.now()
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
        )
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason[:300]
        _audit(request=request, endpoint=endpoint, detail=f"disabled: {reason}")


def endpoint_enable(*, endpoint: Endpoint, request=None) -> None:
    """Switch an endpoint on again; its health starts afresh."""
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            active=True, disabled_at=None, disabled_reason="", failing_since=None, updated_at=timezone.now()
        )
        endpoint.active = True
        _audit(request=request, endpoint=endpoint, detail="enabled")


class ReplayRefused(Exception):
    """A delivery that cannot be sent again now (its endpoint is off, or it is being sent)."""


def delivery_replay(*, delivery: Delivery, request=None) -> Delivery:
    """Send a delivery again, with the same webhook-id (receivers dedupe on it), as a new round of
    retries. Raises ReplayRefused."""
    if not delivery.endpoint.active:
        raise ReplayRefused(f"{delivery.endpoint} is disabled: enable it before replaying.")
    now = timezone.now()
    with transaction.atomic():
        replayed = (
            Delivery.objects.filter(pk=delivery.pk)
            .exclude(status=DeliveryStatus.SENDING)
            .update(
                status=DeliveryStatus.PENDING,
                attempts=0,
                round_started_at=now,
                next_attempt_at=None,
                updated_at=now,
            )
        )
        if not replayed:
            raise ReplayRefused(f"Delivery {delivery.pk} is being sent right now: look again in a moment.")
        _audit(
            request=request,
            endpoint=delivery.endpoint,
            detail=f"replayed {delivery.event.type} (delivery {delivery.pk})",
        )
        queue_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def deliveries_requeue(*, now=None, stuck_after: int = 600) -> int:
    """Queue every delivery that is due, and those left `sending` by a worker that died mid-request
    (older than `stuck_after` seconds). Answers how many. `manage.py send_webhooks` runs it."""
    now = now or timezone.now()
    stuck = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, updated_at__lt=now - timedelta(seconds=stuck_after)
    )
    stuck.update(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__active=True)
        .exclude(next_attempt_at__gt=now)
        .values_list("pk", flat=True)
    )
    for pk in due:
        queue_delivery(pk)
    return len(due)


def events_purge(*, older_than_days: int, now=None) -> int:
    """Delete events (with their deliveries and attempts) older than that many days whose every
    delivery is final (delivered or failed). Answers how many events went."""
    now = now or timezone.now()
    old = Event.objects.filter(created_at__lt=now - timedelta(days=older_than_days)).exclude(
        deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    )
    count = old.count()
    Event.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
    return count
