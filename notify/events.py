"""From a change in a domain app to outbox rows: one Event, one Delivery per endpoint that may hear of it.

The receivers run inside the transaction that saved the change (the signals are sent there), so an
event exists exactly when its change does; the deliveries are queued on commit. A failure here is
logged and never undoes the change it reports.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from . import payloads, selectors
from .models import SUBSCRIBABLE, Delivery, Endpoint, Event, EventType
from .queue import queue_delivery

logger = logging.getLogger(__name__)


def environment_endpoint() -> Endpoint | None:
    """The endpoint OUTBOUND_WEBHOOK_URL names, kept in step with the setting (None when unset)."""
    url = settings.OUTBOUND_WEBHOOK_URL
    existing = Endpoint.objects.filter(from_environment=True).first()
    if not url:
        if existing is not None and existing.active:
            Endpoint.objects.filter(pk=existing.pk).update(active=False)
        return None
    if existing is None:
        try:
            with transaction.atomic():
                return Endpoint.objects.create(
                    from_environment=True,
                    url=url,
                    events=[str(event) for event in SUBSCRIBABLE],
                    description="From OUTBOUND_WEBHOOK_URL",
                    secret="",
                )
        except IntegrityError:  # another event made it first (one environment endpoint: a constraint)
            existing = Endpoint.objects.get(from_environment=True)
    if existing.url != url:
        # A new URL is a new receiver: a health verdict about the old one does not apply.
        existing.url, existing.active = url, True
        existing.failing_since = existing.disabled_at = None
        existing.disabled_reason = ""
        existing.save()
    return existing


def _environment_in_step(endpoints: list[Endpoint]) -> bool:
    """Whether the listening endpoints already show the environment's endpoint as the setting says
    (present and at OUTBOUND_WEBHOOK_URL when it is set, absent when not): no query needed then."""
    url = settings.OUTBOUND_WEBHOOK_URL
    environment = [endpoint for endpoint in endpoints if endpoint.from_environment]
    if not url:
        return not environment
    return bool(environment) and environment[0].url == url


def anyone_may_listen() -> bool:
    """Whether any endpoint could hear an event: most installations have none, and one small query
    (no join, no payload) says so."""
    return bool(settings.OUTBOUND_WEBHOOK_URL) or Endpoint.objects.filter(active=True).exists()


def event_record(*, event_type: str, obj_kind: str, obj_id, data) -> Event | None:
    """Store the event and a delivery to every endpoint subscribed to it that may hear of the object.

    Nothing is stored when no endpoint listens. Deliveries are queued once the transaction commits.
    `data` may be a callable that builds the payload: it is only built when someone listens (storing a
    recording, once per callback, pays for one query and no payload).
    """
    if not anyone_may_listen():
        return None
    return _event_store(event_type=event_type, obj_kind=obj_kind, obj_id=obj_id, data=data)


def _event_store(*, event_type: str, obj_kind: str, obj_id, data) -> Event | None:
    endpoints = list(selectors.endpoints_listening(event_type))
    # The environment's endpoint is synced with the setting only when the listening ones show it
    # out of step (set, changed, unset, or disabled after failures): usually one query.
    if not _environment_in_step(endpoints):
        environment_endpoint()
        endpoints = list(selectors.endpoints_listening(event_type))
    hears: dict[int | None, bool] = {}  # per owner: one visibility check however many endpoints
    listening = []
    for endpoint in endpoints:
        if event_type not in endpoint.events:
            continue
        if endpoint.owner_id not in hears:
            hears[endpoint.owner_id] = selectors.may_hear_of(endpoint, obj_kind=obj_kind, obj_id=obj_id)
        if hears[endpoint.owner_id]:
            listening.append(endpoint)
    if not listening:
        return None
    event = Event.objects.create(
        type=event_type,
        message_id=f"msg_{uuid.uuid4().hex}",
        obj_kind=obj_kind,
        obj_id=str(obj_id),
        body=payloads.event_body(event_type, data() if callable(data) else data),
    )
    for delivery in Delivery.objects.bulk_create([Delivery(event=event, endpoint=e) for e in listening]):
        queue_delivery(delivery.pk)
    return event


def endpoint_test_event(*, endpoint: Endpoint) -> Delivery:
    """A test event for one endpoint (its "Send test event" button), queued on commit."""
    data = {
        "endpoint_id": endpoint.pk,
        "message": "A test event from djtranscribe: this endpoint receives its events.",
        "link": payloads.absolute(endpoint.get_absolute_url()),
    }
    with transaction.atomic():
        event = Event.objects.create(
            type=EventType.TEST,
            message_id=f"msg_{uuid.uuid4().hex}",
            obj_kind="endpoint",
            obj_id=str(endpoint.pk),
            body=payloads.event_body(EventType.TEST, data),
        )
        delivery = Delivery.objects.create(event=event, endpoint=endpoint)
        queue_delivery(delivery.pk)
    return delivery


def _record_safely(**kwargs) -> None:
    try:
        # The check reads only (no savepoint: on PostgreSQL that is two round trips per callback);
        # what may write is in a savepoint, so a failure there leaves the change itself alone.
        if not anyone_may_listen():
            return
        with transaction.atomic():
            _event_store(**kwargs)
    except Exception:
        logger.exception(
            "Could not record the %s event of %s %s",
            kwargs["event_type"],
            kwargs["obj_kind"],
            kwargs["obj_id"],
        )


# -- receivers (connected in apps.py) ------------------------------------------------------------


def on_call_completed(sender, call, **kwargs) -> None:
    """caller's call_completed → call.completed."""
    _record_safely(
        event_type=EventType.CALL_COMPLETED,
        obj_kind="call",
        obj_id=call.sid,
        data=lambda: payloads.call_data(call),
    )


def on_recording_completed(sender, recording, **kwargs) -> None:
    """caller's recording_completed → recording.completed."""
    _record_safely(
        event_type=EventType.RECORDING_COMPLETED,
        obj_kind="recording",
        obj_id=recording.sid,
        data=lambda: payloads.recording_data(recording),
    )


def _on_transcript(event_type: str, transcript, **extra) -> None:
    if transcript.is_sample:
        return  # the demo's own rows: no receiver wants them
    _record_safely(
        event_type=event_type,
        obj_kind="transcript",
        obj_id=transcript.pk,
        data=lambda: payloads.transcript_data(transcript, **extra),
    )


def on_transcript_completed(sender, transcript, **kwargs) -> None:
    """transcription's transcript_completed → transcript.completed (with the text)."""
    _on_transcript(EventType.TRANSCRIPT_COMPLETED, transcript)


def on_transcript_failed(sender, transcript, **kwargs) -> None:
    """transcription's transcript_failed → transcript.failed (with the error)."""
    _on_transcript(EventType.TRANSCRIPT_FAILED, transcript)


def on_transcript_revised(sender, transcript, revision=None, **kwargs) -> None:
    """transcription's transcript_revised → transcript.revised (with the corrected text)."""
    _on_transcript(EventType.TRANSCRIPT_REVISED, transcript, revision_id=getattr(revision, "pk", None))
