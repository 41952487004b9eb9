"""The audit trail in the admin: read-only, for staff with the view permission only."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "obj_kind", "obj_id", "label", "address")
    list_filter = ("action", "at", "obj_kind", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("obj_id", "username", "label")
    date_hierarchy = None
    list_select_related = ()
    readonly_fields = ("at", "user", "username", "action", "obj_kind", "obj_id", "label", "detail", "address")
    ordering = ("-at", "-pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # `manage.py purge_audit` is the only way rows go
