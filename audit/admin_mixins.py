"""A ModelAdmin mixin that audits the admin's edits and deletions of sensitive objects.

Domain admins inherit it (`class TranscriptAdmin(AuditedAdmin, admin.ModelAdmin)`). It hooks the
admin's own log calls, so it audits exactly what the admin's history records: a deletion that
rolls back (e.g. a transcript AssemblyAI would not delete) rolls its audit row back with it.
"""

from .models import AuditAction
from .services import audit_record


class AuditedAdmin:
    """Write an audit row beside each LogEntry of a change or deletion."""

    audit_kind = ""  # e.g. "transcript"; the model's name when empty

    def _audit_kind(self) -> str:
        return self.audit_kind or self.model._meta.model_name

    def _audit_id(self, obj) -> str:
        # Calls and recordings are known by their Twilio SID, not the row's number.
        return getattr(obj, "sid", None) or str(obj.pk)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(
            request=request,
            action=AuditAction.EDITED,
            obj_kind=self._audit_kind(),
            obj_id=self._audit_id(obj),
            label=str(obj),
        )
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        result = super().log_deletions(request, objects)
        for obj in objects:
            audit_record(
                request=request,
                action=AuditAction.DELETED,
                obj_kind=self._audit_kind(),
                obj_id=self._audit_id(obj),
                label=str(obj),
                detail="admin",
            )
        return result
