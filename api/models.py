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


class ThrottleCacheEntry(models.Model):
    """The table of the `api_throttle` cache (Django's DatabaseCache, settings.CACHES): each token's
    recent requests, shared by every server process and machine. Declared as a model so that
    `migrate` creates it; only the cache reads and writes it, with these column names.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "api_throttle_cache"
        verbose_name = "API throttle cache entry"
        verbose_name_plural = "API throttle cache entries"

    def __str__(self) -> str:
        return self.cache_key
