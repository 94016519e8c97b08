"""The audit log in the admin: readable by staff with the view permission, never editable."""

from django.contrib import admin

from fabriques.audit.models import AuditEntry


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """An admin list nobody can add to, change or delete from (superusers included): for tables written
    only by their domain functions (the audit log, the e-mail outbox)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """Read-only for everyone, superusers included: the log is written only by `audit_record`."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "dossier_id", "call_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = False
    show_full_result_count = False
