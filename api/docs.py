"""The OpenAPI schema and the interactive docs (Swagger UI, served by this app from the sidecar).

The docs page keeps the site's strict Content-Security-Policy for code: drf-spectacular's split view
serves Swagger UI's start-up script as a file of its own (`?script`), and this app's template loads
the stylesheet from a static file instead of drf-spectacular's inline <style>. One exception, on
this view only: Swagger UI's stylesheet draws its icons as `data:` SVG images, so `img-src` also
allows `data:` here (an image cannot run code; scripts and styles stay 'self' only).
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from .authentication import BearerTokenAuthentication


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; `?format=json` for JSON), for a token or a signed-in user."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI for signed-in users (the site's sign-in page otherwise); "Authorize" takes a token."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = "djtranscribe API"

    @classmethod
    def as_view(cls, **kwargs):
        # DRF marks its views login_not_required (it authenticates them itself); this one is a page
        # for people, so the site's sign-in redirect applies to it as to every other page.
        view = super().as_view(**kwargs)
        view.login_required = True
        return view
