"""`Authorization: Bearer <token>`: a personal API token stands for its user, nothing more."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .tokens import token_authenticate

REALM = 'Bearer realm="djtranscribe API"'


class BearerTokenAuthentication(BaseAuthentication):
    """The user whose active token is in the Authorization header; 401 for a wrong or revoked one."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None  # no token: IsAuthenticated answers 401 with WWW-Authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`: one token, no spaces in it."
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = token_authenticate(raw)
        if token is None:
            # The same words for an unknown, malformed or revoked token: none of them says which.
            raise exceptions.AuthenticationFailed(
                "That API token is not valid (unknown or revoked): make a new one on the API tokens page."
            )
        return token.user, token

    def authenticate_header(self, request):
        return REALM


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: HTTP bearer."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token (`djt_…`) from the API tokens page or `manage.py create_api_token`."
            ),
        }
