"""The "Webhooks" pages: a user's own endpoints (list, create, edit, delete), each with its recent
deliveries and attempts, a replay button per delivery and a "Send test event" button.

Only the owner reaches an endpoint's pages (its signing secret is shown there): anyone else,
a lead too, gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import events, services
from .forms import EndpointForm
from .models import SUBSCRIBABLE, Attempt, Delivery, Endpoint
from .selectors import endpoints_of, get_endpoint_for

RECENT_DELIVERIES = 25


@login_required
@require_GET
def endpoint_list(request):
    """The user's endpoints, with a link to add one."""
    endpoints = endpoints_of(request.user)
    return render(request, "notify/list.html", {"endpoints": endpoints})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    """GET: the form; POST: create the endpoint (URL checked against internal addresses) and open it."""
    every_event = [str(event) for event in SUBSCRIBABLE]  # the form starts with every box ticked
    return _edit(request, Endpoint(owner=request.user, events=every_event), created=True)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, endpoint_id):
    """GET: the endpoint's form; POST: save it. Switching it on clears an automatic switch-off."""
    return _edit(request, get_endpoint_for(request.user, pk=endpoint_id), created=False)


def _edit(request, endpoint: Endpoint, *, created: bool):
    form = EndpointForm(request.POST if request.method == "POST" else None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        endpoint = services.endpoint_save(request=request, endpoint=form.save(commit=False), created=created)
        messages.success(request, "Endpoint created." if created else "Endpoint saved.")
        return redirect(endpoint)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "endpoint": endpoint, "created": created}
    return render(request, "notify/edit.html", context, status=status)


@login_required
@require_GET
def endpoint_detail(request, endpoint_id):
    """One endpoint: its settings and secret, its recent deliveries with every attempt."""
    endpoint = get_endpoint_for(request.user, pk=endpoint_id)
    deliveries = (
        endpoint.deliveries.select_related("event")
        .prefetch_related(Prefetch("attempt_rows", queryset=Attempt.objects.order_by("-started_at", "-pk")))
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    return render(request, "notify/detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, endpoint_id):
    """GET: confirm; POST: delete the endpoint with its deliveries."""
    endpoint = get_endpoint_for(request.user, pk=endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(request=request, endpoint=endpoint)
        messages.success(request, f"Endpoint {endpoint} deleted.")
        return redirect("notify:list")
    return render(request, "notify/delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_test(request, endpoint_id):
    """Queue a test event to this endpoint only; its delivery shows on the page."""
    endpoint = get_endpoint_for(request.user, pk=endpoint_id)
    if not endpoint.active:
        messages.error(request, "The endpoint is disabled: enable it before sending a test event.")
    else:
        events.endpoint_test_event(endpoint=endpoint)
        messages.success(request, "Test event queued: its delivery appears below once the worker sends it.")
    return redirect(endpoint)


@login_required
@require_POST
def delivery_replay(request, endpoint_id, delivery_id):
    """Send one delivery of this endpoint again (same webhook-id)."""
    endpoint = get_endpoint_for(request.user, pk=endpoint_id)
    delivery = get_object_or_404(
        Delivery.objects.select_related("event", "endpoint"), pk=delivery_id, endpoint=endpoint
    )
    try:
        services.delivery_replay(delivery=delivery, request=request)
    except services.ReplayRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Delivery {delivery.pk} ({delivery.event.type}) queued again.")
    return redirect(endpoint)
