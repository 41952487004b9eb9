"""The audit trail: who did what to which object, when, from where.

This app sits at the bottom of the import graph and knows no domain app: the object is named
by plain strings (its kind, its id or SID, a short label), so a row outlives the object.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    PLAYED = "played", "Played"
    EXPORTED = "exported", "Exported"
    SHARE_CREATED = "share_created", "Share link created"
    SHARE_OPENED = "share_opened", "Share link opened"
    SHARE_REVOKED = "share_revoked", "Share link revoked"
    EDITED = "edited", "Edited"
    DELETED = "deleted", "Deleted"
    CALL_PLACED = "call_placed", "Call placed"
    LOCKED_OUT = "locked_out", "Sign-in locked out"
    # Generic verbs, the object kind saying what (an API token, a transcript made through the API).
    CREATED = "created", "Created"
    REVOKED = "revoked", "Revoked"


class AuditEvent(models.Model):
    """One sensitive action. Never edited: rows only come and (after a retention period) go."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The user may be deleted later: the username snapshot still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    obj_kind = models.CharField("object kind", max_length=40, blank=True)
    obj_id = models.CharField("object id", max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    address = models.GenericIPAddressField("client address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["obj_kind", "obj_id"], name="audit_object")]

    def __str__(self) -> str:
        who = self.username or "anonymous"
        return f"{who} {self.get_action_display().lower()} {self.obj_kind} {self.obj_id}".strip()
