"""An outbound webhook endpoint's deliveries through the API: the recent ones with their attempts,
a replay (the same webhook-id, a new round of retries) and a test event, through notify's services
and only for the endpoint's owner, as on its page."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from audit.models import AuditAction
from audit.services import audit_record
from notify.events import endpoint_test_event
from notify.models import Attempt, Delivery, Endpoint
from notify.selectors import get_endpoint_for
from notify.services import OBJ_KIND, ReplayRefused, delivery_replay

from .base import ApiViewSet
from .errors import PROBLEM, Problem
from .schema import PROBLEM_REF

ENDPOINT_ID = OpenApiParameter("endpoint_id", int, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)
# The attempts shown with each delivery: the latest few say how it is going.
RECENT_ATTEMPTS = 5
DISABLED = "The endpoint is disabled: enable it (PATCH active=true) before sending it anything."
REFUSED = OpenApiResponse(
    PROBLEM_REF, description="Not now: the endpoint is disabled, or the delivery is being sent."
)


class AttemptSerializer(serializers.ModelSerializer):
    """One request to the endpoint: its answer's status and start, or the error."""

    class Meta:
        model = Attempt
        fields = ("started_at", "status_code", "duration_ms", "response_start", "error", "retry_at")
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One event on its way to the endpoint, with its latest attempts (newest first)."""

    event_type = serializers.CharField(source="event.type", read_only=True)
    webhook_id = serializers.CharField(
        source="event.message_id", read_only=True, help_text="The webhook-id header: the same on every retry."
    )
    recent_attempts = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event_type",
            "webhook_id",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "recent_attempts",
        )
        read_only_fields = fields

    @extend_schema_field(AttemptSerializer(many=True))
    def get_recent_attempts(self, delivery: Delivery) -> list:
        return AttemptSerializer(delivery.attempt_rows.all()[:RECENT_ATTEMPTS], many=True).data


def _delivery_of(endpoint: Endpoint, delivery_id: int) -> Delivery:
    """The delivery `delivery_id` to this endpoint (404 for another endpoint's)."""
    return get_object_or_404(
        Delivery.objects.select_related("event", "endpoint").prefetch_related(ATTEMPTS),
        pk=delivery_id,
        endpoint=endpoint,
    )


ATTEMPTS = Prefetch("attempt_rows", queryset=Attempt.objects.order_by("-started_at", "-pk"))


class WebhookDeliveryViewSet(ApiViewSet):
    """An endpoint's deliveries: the recent ones, a replay, a test event (its owner only)."""

    serializer_class = DeliverySerializer

    @extend_schema(
        summary="An endpoint's deliveries, newest first, each with its latest attempts",
        parameters=[ENDPOINT_ID],
    )
    def list(self, request, endpoint_id: int):
        endpoint = get_endpoint_for(request.user, pk=endpoint_id)
        deliveries = (
            endpoint.deliveries.select_related("event")
            .prefetch_related(ATTEMPTS)
            .order_by("-created_at", "-pk")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a delivery again (the same webhook-id, a new day of retries)",
        parameters=[ENDPOINT_ID, DELIVERY_ID],
        request=None,
        responses={202: DeliverySerializer, (409, PROBLEM): REFUSED},
    )
    def replay(self, request, endpoint_id: int, delivery_id: int):
        endpoint = get_endpoint_for(request.user, pk=endpoint_id)
        delivery = _delivery_of(endpoint, delivery_id)
        try:
            delivery = delivery_replay(delivery=delivery, request=request)  # audited by the service
        except ReplayRefused as exc:
            raise Problem(str(exc), status=409) from None
        return Response(
            DeliverySerializer(_delivery_of(endpoint, delivery.pk)).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        summary="Queue a test event (webhook.test) to this endpoint only",
        parameters=[ENDPOINT_ID],
        request=None,
        responses={202: DeliverySerializer, (409, PROBLEM): REFUSED},
    )
    def test(self, request, endpoint_id: int):
        endpoint = get_endpoint_for(request.user, pk=endpoint_id)
        if not endpoint.active:
            raise Problem(DISABLED, status=409)
        delivery = endpoint_test_event(endpoint=endpoint)
        audit_record(
            request=request,
            action=AuditAction.EDITED,
            obj_kind=OBJ_KIND,
            obj_id=endpoint.pk,
            label=str(endpoint)[:200],
            detail=f"test event queued (delivery {delivery.pk}) via api",
        )
        return Response(
            DeliverySerializer(_delivery_of(endpoint, delivery.pk)).data, status=status.HTTP_202_ACCEPTED
        )
