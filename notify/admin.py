"""Admin for outbound webhooks: endpoints (switch on/off, test) and deliveries (read-only, replay).

Both read through notify.selectors (a user's own; every row for a lead). A signing secret is never
shown here, and a URL only by its host: a Slack webhook's path is its credential.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import events, services
from .models import Attempt, Delivery, Endpoint
from .selectors import deliveries_visible_to, endpoints_visible_to


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "owner",
        "kind",
        "host",
        "active",
        "from_environment",
        "failing_since",
        "last_success_at",
    )
    list_filter = ("active", "kind", "from_environment")
    search_fields = ("description", "owner__username")
    list_select_related = ("owner",)
    fields = (
        "owner",
        "from_environment",
        "host",
        "kind",
        "events",
        "description",
        "active",
        "failing_since",
        "last_success_at",
        "disabled_at",
        "disabled_reason",
        "created_at",
    )
    readonly_fields = fields
    actions = ("enable", "disable", "send_test_event")

    def get_queryset(self, request):
        return endpoints_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # made on the Webhooks pages (URL checks, secret shown to the owner)

    @admin.action(description="Enable the selected endpoints", permissions=["change"])
    def enable(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_enable(endpoint=endpoint, request=request)
        self.message_user(request, f"{len(queryset)} endpoint(s) enabled.")

    @admin.action(description="Disable the selected endpoints", permissions=["change"])
    def disable(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_disable(
                endpoint=endpoint,
                reason=f"Disabled in the admin by {request.user.get_username()}.",
                request=request,
            )
        self.message_user(request, f"{len(queryset)} endpoint(s) disabled.")

    @admin.action(description="Send a test event", permissions=["change"])
    def send_test_event(self, request, queryset):
        sent = [events.endpoint_test_event(endpoint=endpoint) for endpoint in queryset if endpoint.active]
        self.message_user(request, f"{len(sent)} test event(s) queued (disabled endpoints skipped).")


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("started_at", "status_code", "duration_ms", "error", "response_start", "retry_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-started_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "event__type", "created_at")
    search_fields = ("event__message_id", "event__obj_id")
    list_select_related = ("event", "endpoint")
    date_hierarchy = "created_at"
    fields = (
        "event_type",
        "message_id",
        "subject",
        "endpoint_link",
        "status",
        "attempts",
        "round_started_at",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "body",
    )
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("replay",)

    def get_queryset(self, request):
        return deliveries_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # only events make these

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the replay action is the one change

    def has_replay_permission(self, request):
        return request.user.has_perm("notify.change_delivery")

    @admin.action(description="Replay the selected deliveries", permissions=["replay"])
    def replay(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("event", "endpoint"):
            try:
                services.delivery_replay(delivery=delivery, request=request)
                done += 1
            except services.ReplayRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(request, f"{done} deliver{'y' if done == 1 else 'ies'} queued again.")

    @admin.display(description="event", ordering="event__type")
    def event_type(self, obj):
        return obj.event.type

    @admin.display(description="webhook-id")
    def message_id(self, obj):
        return obj.event.message_id

    @admin.display(description="about")
    def subject(self, obj):
        return f"{obj.event.obj_kind} {obj.event.obj_id}"

    @admin.display(description="endpoint")
    def endpoint_link(self, obj):
        url = reverse("admin:notify_endpoint_change", args=[obj.endpoint_id])
        return format_html('<a href="{}">{}</a>', url, obj.endpoint)

    @admin.display(description="body sent")
    def body(self, obj):
        return format_html_join("", "<pre>{}</pre>", [(obj.event.body,)])
