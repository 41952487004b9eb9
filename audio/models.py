"""Audio as a thing of its own: where it came from, and the copy this app keeps of it.

This app knows no vendor: `origin_url` and `origin_id` are what the app that made the
asset (caller, for Twilio recordings) says about it.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q


def recordings_storage():
    """The `recordings` storage alias (STORAGES): a folder under MEDIA_ROOT unless configured."""
    return storages["recordings"]


class OriginKind(models.TextChoices):
    TWILIO_RECORDING = "twilio_recording", "Twilio recording"
    UPLOAD = "upload", "Uploaded file"
    URL = "url", "URL"
    SAMPLE = "sample", "Sample audio"


class Redaction(models.TextChoices):
    # Which version of the audio the archived file is. `waiting`: a transcript of it asked for PII
    # redaction and the redacted copy is not archived yet, so the file (the original) is never served.
    NONE = "none", "Not redacted"
    WAITING = "waiting", "Withheld until redacted"
    REDACTED = "redacted", "Redacted"


# The one permission that lets a user play an unredacted original kept by KEEP_UNREDACTED_AUDIO.
PLAY_UNREDACTED = "audio.play_unredacted"


class AudioAsset(models.Model):
    """One piece of audio: its origin and, once archived, the verified copy in storage."""

    origin_kind = models.CharField(max_length=32, choices=OriginKind.choices)
    origin_url = models.URLField("origin URL", max_length=500, blank=True)
    origin_id = models.CharField("origin id", max_length=64, blank=True)  # e.g. a RecordingSid
    file = models.FileField(storage=recordings_storage, max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField("size (bytes)", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the app that made it says about it, for pages that show the audio without knowing that app:
    # a short label (e.g. the number called), a page about the origin, and a URL a browser may play
    # (never one that needs credentials).
    label = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200, blank=True)
    page_url = models.CharField("page URL", max_length=200, blank=True)
    player_url = models.CharField("player URL", max_length=200, blank=True)
    # The origin's owner (e.g. the call's): pages name the origin only to transcripts of the same owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audio_assets",
    )
    redaction = models.CharField(max_length=16, choices=Redaction.choices, default=Redaction.NONE)
    # Set once the stored file was read back and matched its size and SHA-256.
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("play_unredacted", "Can play the unredacted original of redacted audio")]
        constraints = [
            models.UniqueConstraint(
                fields=["origin_kind", "origin_id"],
                condition=~Q(origin_id=""),
                name="audioasset_unique_origin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_origin_kind_display()} {self.origin_id or self.pk}"

    @property
    def needs_archive(self) -> bool:
        """Whether the pipeline reads this audio from the archive (a plain URL is fetched by AssemblyAI)."""
        return self.origin_kind != OriginKind.URL

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None and bool(self.file)

    @property
    def is_withheld(self) -> bool:
        """The file is an original waiting for its redacted copy: no player or link may serve it."""
        return self.redaction == Redaction.WAITING
