"""Personal API tokens: a user's key to the REST API, acting exactly as that user.

Only a keyed hash of each token is stored (like share links): the token is shown once, to its
owner, and a copy of the database cannot be turned back into working tokens.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """One named token of one user: revocable, its last use recorded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, shown in lists so its owner can tell tokens apart (never enough
    # to use: the rest is 40 random characters).
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiRequestCount(models.Model):
    """How many requests one API token made in one window of API_THROTTLE_RATE (api/throttling.py).

    One row per token and window, counted up by a single INSERT ... ON CONFLICT DO UPDATE
    statement: every server process and machine sees the same count, and two requests at once
    cannot both read 9 and write 10.
    """

    token_key = models.CharField(max_length=64)
    window_start = models.BigIntegerField()  # seconds since the epoch, a multiple of the window
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_key", "window_start"], name="api_request_count_once")
        ]
        verbose_name = "API request count"

    def __str__(self) -> str:
        return f"{self.token_key[:8]}… {self.count} from {self.window_start}"
