"""The outbox in the admin: read-only, filtered by state with counts (failed e-mails at a glance)."""

from django.contrib import admin

from fabriques.audit.admin import ReadOnlyModelAdmin
from fabriques.mail.models import OutgoingAttachment, OutgoingEmail


class OutgoingAttachmentInline(admin.TabularInline):
    """The files sent with the e-mail (names only: the files hold personal data)."""

    model = OutgoingAttachment
    fields = ["filename", "content_type", "renderer", "owned"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyModelAdmin):
    """Written only by `fabriques.mail.domain`; `python -m fabriques mail-status --retry-failed` re-queues."""

    list_display = ["created_at", "subject", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["state"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [OutgoingAttachmentInline]
