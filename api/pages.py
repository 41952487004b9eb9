"""The "API tokens" page: a signed-in user makes, names and revokes their own tokens.

A new token is shown once, in the answer to the POST that made it (never in a session message,
which would store it); the page lists only the user's own tokens, and revoking another's is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .tokens import NAME_LENGTH, TokenRefused, token_create, token_of, token_revoke, tokens_of

# A page that may show a new token is never cached. (Not Referrer-Policy: no-referrer, as share pages
# have: a form posted from such a page sends "Origin: null", which Django's CSRF check refuses.)
NO_STORE = {"Cache-Control": "no-store"}


def _page(request, *, status=200, new_token="", problem="", name=""):
    context = {
        "tokens": list(tokens_of(request.user)),
        "new_token": new_token,
        "problem": problem,
        "name": name,
        "name_length": NAME_LENGTH,
        "base_url": settings.BASE_URL,
        "docs_url": reverse("api:docs"),
        "schema_url": reverse("api:schema"),
    }
    response = render(request, "api/tokens.html", context, status=status)
    for header, value in NO_STORE.items():
        response[header] = value
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """GET lists the user's tokens; POST makes a new one and shows it, this once."""
    if request.method == "GET":
        return _page(request)
    name = request.POST.get("name", "")
    try:
        _, raw = token_create(user=request.user, name=name, request=request)
    except TokenRefused as exc:
        return _page(request, status=400, problem=str(exc), name=name[:NAME_LENGTH])
    return _page(request, status=201, new_token=raw)


@login_required
@require_POST
def api_token_revoke(request, pk):
    """Revoke one of the user's own tokens (404 for anyone else's, a lead's too)."""
    token = token_of(request.user, pk=pk)
    if token is None:
        raise Http404("No such token.")
    if token_revoke(token=token, request=request):
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api-tokens", permanent=False)
