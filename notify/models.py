"""Outbound webhooks: where events go (Endpoint), what happened (Event), its way to each endpoint
(Delivery, the outbox row written in the transaction of the change) and every try (Attempt).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class EventType(models.TextChoices):
    CALL_COMPLETED = "call.completed", "Call completed"
    RECORDING_COMPLETED = "recording.completed", "Recording completed"
    TRANSCRIPT_COMPLETED = "transcript.completed", "Transcript completed"
    TRANSCRIPT_FAILED = "transcript.failed", "Transcript failed"
    TRANSCRIPT_REVISED = "transcript.revised", "Transcript revised"
    # Sent to one endpoint on request ("Send test event"); nobody subscribes to it.
    TEST = "webhook.test", "Test event"


SUBSCRIBABLE = [choice for choice in EventType if choice != EventType.TEST]


class EndpointKind(models.TextChoices):
    STANDARD = "standard", "Standard Webhooks (signed JSON event)"
    SLACK = "slack", "Slack incoming webhook (a readable message)"


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    """A URL that receives events: a user's own (only about what they may see), or the one
    configured in the environment (no owner, every event)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    from_environment = models.BooleanField(
        default=False, editable=False, help_text="OUTBOUND_WEBHOOK_URL: kept in step with the setting."
    )
    url = models.URLField("URL", max_length=2000)
    kind = models.CharField(max_length=16, choices=EndpointKind.choices, default=EndpointKind.STANDARD)
    events = models.JSONField(default=list, help_text="Event types sent here.")
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # Never shown in the admin or logged; the owner sees it on the endpoint's page. Empty for the
    # environment's endpoint, signed with OUTBOUND_WEBHOOK_SECRET instead.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Health: since when every delivery has failed; why and when it was switched off automatically.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_environment"],
                condition=models.Q(from_environment=True),
                name="notify_one_environment_endpoint",
            )
        ]

    def __str__(self) -> str:
        return self.description or self.host

    def get_absolute_url(self) -> str:
        return reverse("notify:endpoint", args=[self.pk])

    @property
    def host(self) -> str:
        """The URL's host: what may be shown where the whole URL (a secret for Slack) may not."""
        return urlsplit(self.url).hostname or "?"

    def signing_secret(self) -> str:
        return settings.OUTBOUND_WEBHOOK_SECRET if self.from_environment else self.secret

    def event_labels(self) -> list[str]:
        names = dict(EventType.choices)
        return [names.get(event, event) for event in self.events]


class Event(models.Model):
    """Something that happened, once, with the body every standard endpoint receives."""

    type = models.CharField(max_length=40, choices=EventType.choices)
    # The webhook-id header: one per event, the same on every retry and replay (receivers dedupe on it).
    message_id = models.CharField(max_length=40, unique=True)
    obj_kind = models.CharField("object kind", max_length=20)
    obj_id = models.CharField("object id", max_length=64)
    body = models.TextField(help_text="The JSON sent, exactly as signed.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["obj_kind", "obj_id"], name="notify_event_object")]

    def __str__(self) -> str:
        return f"{self.type} {self.obj_kind} {self.obj_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event on its way to one endpoint: the outbox row. The truth about retries lives here."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Retries stop a day after this (the first try, or the last replay).
    round_started_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint}"


class Attempt(models.Model):
    """One request: stored before it is sent, its outcome written after."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_start = models.CharField("start of the answer", max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} ({self.status_code or self.error or 'sending'})"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
