"""Outbound webhook endpoints through the API: the token's user's own, as on the Webhooks pages
(another's is a 404, a lead's token's too), with the pages' URL check (internal addresses refused)
and notify's services (audit rows, test events, replays).

The signing secret is in the answer to the creation only: a token that leaks later cannot read it
back (the owner still sees it on the endpoint's page in the app).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from djtranscribe.lib.http import user_url_refusal
from notify.models import SUBSCRIBABLE, Endpoint, EndpointKind
from notify.selectors import endpoints_of, get_endpoint_for
from notify.services import endpoint_delete, endpoint_save

from .base import NOT_MODIFIED, ApiViewSet, absolute, with_etag
from .errors import PROBLEM
from .schema import PROBLEM_REF

ENDPOINT_ID = OpenApiParameter("endpoint_id", int, OpenApiParameter.PATH)
EVENT_CHOICES = [str(choice) for choice in SUBSCRIBABLE]
REFUSED_URL = OpenApiResponse(
    PROBLEM_REF,
    description="Invalid input, or a URL refused: it resolves to a loopback, private, link-local or "
    "metadata address (or to nothing); `errors` names the field and the reason.",
)


class EndpointSerializer(serializers.ModelSerializer):
    """An endpoint, without its signing secret (only the answer to its creation holds that)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), read_only=True)
    page = serializers.SerializerMethodField(help_text="The endpoint's page in the app.")

    class Meta:
        model = Endpoint
        fields = (
            "id",
            "url",
            "kind",
            "events",
            "description",
            "active",
            "failing_since",
            "last_success_at",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
            "page",
        )
        read_only_fields = fields

    def get_page(self, endpoint: Endpoint) -> str:
        return absolute(endpoint.get_absolute_url())


class CreatedEndpointSerializer(EndpointSerializer):
    """A new endpoint with its Standard Webhooks signing secret (`whsec_…`), shown this once."""

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields
        extra_kwargs = {"secret": {"help_text": "Verify deliveries with it; it is not shown again."}}


class EndpointInputSerializer(serializers.Serializer):
    """What an endpoint is: a public http(s) URL, its kind, the events it wants, a description."""

    url = serializers.URLField(max_length=2000, help_text="Where events are POSTed: a public address.")
    kind = serializers.ChoiceField(choices=EndpointKind.choices, default=EndpointKind.STANDARD)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        default=lambda: list(EVENT_CHOICES),
        help_text="The events sent here (all of them unless given).",
    )
    description = serializers.CharField(max_length=200, allow_blank=True, default="")
    active = serializers.BooleanField(default=True, help_text="Off: nothing is sent.")

    def validate_url(self, value: str) -> str:
        # The pages' own check (EndpointForm): refused here, and again by the worker when it connects.
        value = value.strip()
        reason = user_url_refusal(value)
        if reason:
            raise ValidationError(reason)
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # the order given, each once


@extend_schema_view(
    list=extend_schema(summary="The token's user's outbound webhook endpoints, newest first"),
    create=extend_schema(
        summary="Add an endpoint; the answer holds its signing secret, shown this once",
        request=EndpointInputSerializer,
        responses={201: CreatedEndpointSerializer, (400, PROBLEM): REFUSED_URL},
    ),
    retrieve=extend_schema(
        summary="One of the user's endpoints (with an ETag)",
        parameters=[ENDPOINT_ID],
        responses={200: EndpointSerializer, 304: NOT_MODIFIED},
    ),
    update=extend_schema(
        summary="Replace an endpoint's settings (fields left out take their defaults)",
        parameters=[ENDPOINT_ID],
        request=EndpointInputSerializer,
        responses={200: EndpointSerializer, (400, PROBLEM): REFUSED_URL},
    ),
    partial_update=extend_schema(
        summary="Change some of an endpoint's settings (switching it on clears an automatic switch-off)",
        parameters=[ENDPOINT_ID],
        request=EndpointInputSerializer(partial=True),
        responses={200: EndpointSerializer, (400, PROBLEM): REFUSED_URL},
    ),
    destroy=extend_schema(
        summary="Delete an endpoint with its deliveries", parameters=[ENDPOINT_ID], responses={204: None}
    ),
)
class WebhookEndpointViewSet(ApiViewSet):
    """Outbound webhook endpoints: list, add, read, change, delete (the Webhooks pages' rules)."""

    serializer_class = EndpointSerializer

    def get_object(self) -> Endpoint:
        # DRF's OPTIONS answer calls this for PUT's description: the same owner-only read (404).
        return get_endpoint_for(self.request.user, pk=self.kwargs["endpoint_id"])

    def list(self, request):
        page = self.paginate_queryset(endpoints_of(request.user).order_by("-created_at", "-pk"))
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    def create(self, request):
        wanted = EndpointInputSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        endpoint = Endpoint(owner=request.user, **wanted.validated_data)
        endpoint_save(request=request, endpoint=endpoint, created=True)
        return Response(CreatedEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, endpoint_id: int):
        return with_etag(request, EndpointSerializer(self.get_object()).data)

    def update(self, request, endpoint_id: int):
        return self._change(request, endpoint_id, partial=False)

    def partial_update(self, request, endpoint_id: int):
        return self._change(request, endpoint_id, partial=True)

    def _change(self, request, endpoint_id: int, *, partial: bool) -> Response:
        endpoint = get_endpoint_for(request.user, pk=endpoint_id)
        wanted = EndpointInputSerializer(data=request.data, partial=partial)
        wanted.is_valid(raise_exception=True)
        for field, value in wanted.validated_data.items():
            setattr(endpoint, field, value)
        endpoint_save(request=request, endpoint=endpoint, created=False)
        return Response(EndpointSerializer(endpoint).data)

    def destroy(self, request, endpoint_id: int):
        endpoint = get_endpoint_for(request.user, pk=endpoint_id)
        endpoint_delete(request=request, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
