"""What every API view shares: token authentication instead of the sign-in redirect, ETags, links."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiResponse
from rest_framework import viewsets
from rest_framework.response import Response

NOT_MODIFIED = OpenApiResponse(description="Not modified: the If-None-Match ETag is still current.")


class ApiViewSet(viewsets.GenericViewSet):
    """A viewset authenticated by its own token (not the site's sign-in redirect, which knows no tokens).

    LoginRequiredMiddleware runs before DRF reads the Authorization header, so DRF marks its views
    login_not_required itself; IsAuthenticated (REST_FRAMEWORK's default) answers 401 without a token.
    """


def absolute(path: str) -> str:
    """A link into the app, built from BASE_URL (never from the request's Host header)."""
    return settings.BASE_URL + path


def with_etag(request, data) -> Response:
    """`data` with an ETag of its content; 304 when the client's If-None-Match already holds it.

    The hash is of the representation, so it changes whenever anything shown changes (a renamed
    participant as much as a new status), and costs one pass over data already built.
    """
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in wanted or "*" in wanted:
        return Response(status=304, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


def pattern_of(regex) -> str:
    """A Python id pattern (`^CA[0-9a-f]{32}\\Z`) as the schema's ECMA pattern (`...$`)."""
    return regex.pattern.removesuffix(r"\Z") + "$"
