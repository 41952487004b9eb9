"""Throttling per API token (API_THROTTLE_RATE), read with the app's own rate syntax, counted in
the database so that the limit holds across server processes."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from djtranscribe.lib.env import parse_rate


class TokenRateThrottle(SimpleRateThrottle):
    """At most API_THROTTLE_RATE requests per token; 429 with Retry-After beyond it.

    Keyed on the token, not the user: one runaway script does not lock its owner's other tokens out.
    """

    scope = "api_token"

    @property
    def cache(self):
        # Counted in the database (settings.CACHES), not per process: every worker sees the same
        # count. Looked up each time, as Django's caches are per thread.
        return caches["api_throttle"]

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def parse_rate(self, rate):
        # The setting was checked at start-up (env_rate); 'off' gives (None, None): no throttling.
        parsed = parse_rate(rate or "off", "API_THROTTLE_RATE")
        return parsed if parsed is not None else (None, None)

    def allow_request(self, request, view):
        # The rate is read per request, so a changed setting (tests, override_settings) applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.num_requests is None:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not getattr(token, "token_hash", ""):
            return None  # not authenticated by a token: refused before throttling matters
        # The hash, not the row id: an id may be reused after a deletion, a token's hash never is.
        return self.cache_format % {"scope": self.scope, "ident": token.token_hash[:32]}
