"""Sending one delivery: signed (Standard Webhooks), through the user-URL session (no internal
addresses, no redirects, timeouts), every attempt stored, retried with backoff when it can help,
and an endpoint that has failed for days switched off with a notice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook

from djtranscribe.lib import http
from djtranscribe.lib.redaction import redact

from . import payloads
from .models import Attempt, Delivery, DeliveryStatus, Endpoint, EndpointKind
from .queue import queue_delivery, retry_delay
from .services import endpoint_disable

logger = logging.getLogger(__name__)

RESPONSE_START = 500  # characters of the answer kept on the attempt
USER_AGENT = "djtranscribe-webhooks/1"


@dataclass
class Outcome:
    status_code: int | None = None
    response_start: str = ""
    error: str = ""
    retryable: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_request(endpoint: Endpoint, *, message_id: str, event_type: str, body: str, now=None):
    """(body bytes, headers) as sent to `endpoint`: a Slack message or the event, signed either way."""
    content = body if endpoint.kind == EndpointKind.STANDARD else payloads.slack_body(event_type, body)
    now = now or timezone.now()
    signature = Webhook(endpoint.signing_secret()).sign(message_id, now, content)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return content.encode(), headers


def _hide_path(text: str, url: str) -> str:
    """An error message without the URL's path and query: for Slack they are the credential."""
    parts = urlsplit(url)
    secret_part = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(secret_part) > 1:
        text = text.replace(secret_part, "/…")
    return redact(text)


def _send(endpoint: Endpoint, content: bytes, headers: dict) -> Outcome:
    try:
        with http.session(timeout=settings.OUTBOUND_WEBHOOK_TIMEOUT, user_url=True) as session:
            response = session.post(endpoint.url, data=content, headers=headers, stream=True)
            try:
                start = next(response.iter_content(RESPONSE_START * 4), b"")
            except requests.RequestException:
                start = b""
            finally:
                response.close()
    except requests.RequestException as exc:
        verdict = http.classify(exc=exc)
        reason = "refused" if isinstance(exc, http.BlockedAddress) else type(exc).__name__
        return Outcome(error=_hide_path(f"{reason}: {exc}", endpoint.url)[:500], retryable=verdict.retryable)
    outcome = Outcome(
        status_code=response.status_code,
        response_start=start.decode("utf-8", "replace")[:RESPONSE_START],
    )
    if outcome.ok:
        return outcome
    if 300 <= response.status_code < 400:
        outcome.error = (
            f"Answered {response.status_code}, a redirect: redirects are not followed. "
            "Save the URL it leads to instead."
        )
        return outcome
    verdict = http.classify(status=response.status_code, headers=response.headers)
    outcome.retryable, outcome.retry_after = verdict.retryable, verdict.retry_after
    outcome.error = f"Answered {response.status_code}."
    return outcome


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one delivery that is due; store the attempt, then deliver, retry later or give up."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, updated_at=now)
    )
    if not claimed:
        return "not due, or handled already"
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(delivery, DeliveryStatus.FAILED, "The endpoint is disabled: enable it, then replay.")
        return "endpoint disabled"
    attempt = Attempt.objects.create(delivery=delivery, started_at=now)
    delivery.attempts += 1
    content, headers = signed_request(
        endpoint,
        message_id=delivery.event.message_id,
        event_type=delivery.event.type,
        body=delivery.event.body,
    )
    started = time.monotonic()
    outcome = _send(endpoint, content, headers)
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    attempt.status_code, attempt.response_start = outcome.status_code, outcome.response_start
    attempt.error = outcome.error
    if outcome.ok:
        attempt.save()
        delivery.delivered_at = timezone.now()
        _finish(delivery, DeliveryStatus.DELIVERED, "")
        Endpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=None, last_success_at=delivery.delivered_at
        )
        return f"delivered ({outcome.status_code})"
    delay = (
        retry_delay(attempts=delivery.attempts, retry_after=outcome.retry_after)
        if outcome.retryable
        else None
    )
    if delay is not None:
        attempt.retry_at = timezone.now() + timedelta(seconds=delay)
        attempt.save()
        delivery.next_attempt_at = attempt.retry_at
        _finish(delivery, DeliveryStatus.PENDING, outcome.error)
        queue_delivery(delivery.pk, run_after=attempt.retry_at)
        verdict = f"retry in {round(delay)} s"
    else:
        attempt.save()
        _finish(delivery, DeliveryStatus.FAILED, outcome.error)
        verdict = "failed"
    _endpoint_failed(endpoint, outcome.error)
    logger.info(
        "Webhook delivery %s to endpoint %s: %s (%s)", delivery.pk, endpoint.pk, outcome.error, verdict
    )
    return verdict


def _finish(delivery: Delivery, status: str, error: str) -> None:
    delivery.status, delivery.last_error = status, error[:500]
    if status != DeliveryStatus.PENDING:
        delivery.next_attempt_at = None
    delivery.save(
        update_fields=["status", "attempts", "last_error", "next_attempt_at", "delivered_at", "updated_at"]
    )


def _endpoint_failed(endpoint: Endpoint, error: str) -> None:
    """Note since when the endpoint fails; switch it off once that is longer than allowed."""
    now = timezone.now()
    if Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now):
        return
    endpoint.refresh_from_db(fields=["failing_since", "active"])
    allowed = timedelta(seconds=settings.OUTBOUND_WEBHOOK_DISABLE_AFTER)
    if endpoint.active and endpoint.failing_since and now - endpoint.failing_since >= allowed:
        since = timezone.localtime(endpoint.failing_since).strftime("%Y-%m-%d %H:%M")
        endpoint_disable(
            endpoint=endpoint,
            reason=(
                f"Switched off automatically: every delivery since {since} failed "
                f"(the last: {error or 'no answer'}). Fix the receiver, then enable it again."
            ),
        )
