"""Read-only share links for one transcript.

Only a keyed hash of each link's random token is stored: the full link is shown once, to its
creator, and a copy of the database cannot be turned back into working links.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from transcription.models import Transcript


class ShareLink(models.Model):
    """One link to one transcript: expires, may be revoked, carries the audio only when chosen."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    include_audio = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Share link {self.pk} of transcript {self.transcript_id}"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
