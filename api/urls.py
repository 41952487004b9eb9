"""The REST API under /api/v1/ (namespace "api"), its schema and docs, and the API tokens page."""

from django.urls import include, path

from . import (
    calls,
    docs,
    exports,
    pages,
    recordings,
    revisions,
    transcripts,
    webhook_deliveries,
    webhook_endpoints,
)

# Explicit paths rather than a router: readable URLs with the app's own parameter names, and no
# format-suffix variants to document.
api_patterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("calls/", calls.CallViewSet.as_view({"get": "list", "post": "create"}), name="call-list"),
    path(
        "calls/<str:call_sid>/",
        calls.CallViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="call-detail",
    ),
    path("recordings/", recordings.RecordingViewSet.as_view({"get": "list"}), name="recording-list"),
    path(
        "recordings/<str:recording_sid>/",
        recordings.RecordingViewSet.as_view({"get": "retrieve"}),
        name="recording-detail",
    ),
    path(
        "transcripts/",
        transcripts.TranscriptViewSet.as_view({"get": "list", "post": "create"}),
        name="transcript-list",
    ),
    path(
        "transcripts/<str:pk>/",
        transcripts.TranscriptViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="transcript-detail",
    ),
    path(
        "transcripts/<str:pk>/exports/<str:kind>/",
        exports.ExportViewSet.as_view({"get": "retrieve"}),
        name="transcript-export",
    ),
    path(
        "transcripts/<str:pk>/revisions/",
        revisions.RevisionViewSet.as_view({"get": "history", "post": "create"}),
        name="transcript-revisions",
    ),
    path(
        "webhook-endpoints/",
        webhook_endpoints.WebhookEndpointViewSet.as_view({"get": "list", "post": "create"}),
        name="webhook-endpoint-list",
    ),
    path(
        "webhook-endpoints/<int:endpoint_id>/",
        webhook_endpoints.WebhookEndpointViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhook-endpoints/<int:endpoint_id>/test/",
        webhook_deliveries.WebhookDeliveryViewSet.as_view({"post": "test"}),
        name="webhook-endpoint-test",
    ),
    path(
        "webhook-endpoints/<int:endpoint_id>/deliveries/",
        webhook_deliveries.WebhookDeliveryViewSet.as_view({"get": "list"}),
        name="webhook-delivery-list",
    ),
    path(
        "webhook-endpoints/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        webhook_deliveries.WebhookDeliveryViewSet.as_view({"post": "replay"}),
        name="webhook-delivery-replay",
    ),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("api-tokens/", pages.api_tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", pages.api_token_revoke, name="api-token-revoke"),
]
