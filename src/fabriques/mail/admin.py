"""The outbox in the admin: read-only, filtered by state with counts (failed e-mails at a glance)."""

from django.contrib import admin

from fabriques.audit.admin import ReadOnlyModelAdmin
from fabriques.mail.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyModelAdmin):
    """Written only by `fabriques.mail.domain`; `python -m fabriques mail-status --retry-failed` re-queues."""

    list_display = ["created_at", "subject", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["state"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"
    show_full_result_count = False
