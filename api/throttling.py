"""Throttling per API token (API_THROTTLE_RATE), counted in the database so that the limit holds
for a token across every server process and machine.

The count is per fixed window (a minute of "120/minute" runs from :00 to :59), one row per token
and window (api.ApiRequestCount), raised by one atomic statement per request; Retry-After says
when the window ends.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections, router, transaction
from rest_framework.throttling import BaseThrottle

from djtranscribe.lib.env import parse_rate

from .models import ApiRequestCount


def request_counted(token_key: str, window_start: int) -> int:
    """Count one request of the token in the window; answers the window's count, this one included."""
    connection = connections[router.db_for_write(ApiRequestCount)]
    quote = connection.ops.quote_name
    table = quote(ApiRequestCount._meta.db_table)
    key, window, count = (quote(name) for name in ("token_key", "window_start", "count"))
    # Names from the model, quoted; the values are parameters. SQLite and PostgreSQL alike.
    upsert = (
        f"INSERT INTO {table} ({key}, {window}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1"
    )
    params = [token_key, window_start]
    if connection.features.can_return_columns_from_insert:  # PostgreSQL, SQLite 3.35+
        with connection.cursor() as cursor:
            cursor.execute(upsert + f" RETURNING {count}", params)
            counted = cursor.fetchone()[0]
    else:
        # An older SQLite (Django 5.2 runs on 3.31): the same count, read back in the transaction
        # that wrote it, which holds SQLite's write lock until the read is done.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(upsert, params)
            cursor.execute(f"SELECT {count} FROM {table} WHERE {key} = %s AND {window} = %s", params)  # noqa: S608
            counted = cursor.fetchone()[0]
    if counted == 1:  # the token's first request in this window: its earlier windows are done with
        ApiRequestCount.objects.filter(token_key=token_key, window_start__lt=window_start).delete()
    return counted


class TokenRateThrottle(BaseThrottle):
    """At most API_THROTTLE_RATE requests per token and window; 429 with Retry-After beyond it.

    Keyed on the token, not the user: one runaway script does not lock its owner's other tokens out.
    """

    def __init__(self):
        self.retry_after: float | None = None

    def allow_request(self, request, view) -> bool:
        # Read per request, so a changed setting (tests, override_settings) applies at once. The
        # setting was checked at start-up (env_rate); 'off' gives None: no throttling.
        rate = parse_rate(settings.API_THROTTLE_RATE or "off", "API_THROTTLE_RATE")
        token = getattr(request, "auth", None)
        if rate is None or token is None or not getattr(token, "token_hash", ""):
            return True  # not authenticated by a token: refused before throttling matters
        limit, seconds = rate
        now = time.time()
        window_start = int(now // seconds) * seconds
        # The hash, not the row id: an id may be reused after a deletion, a token's hash never is.
        if request_counted(token.token_hash[:32], window_start) <= limit:
            return True
        self.retry_after = window_start + seconds - now
        return False

    def wait(self) -> float | None:
        return self.retry_after
