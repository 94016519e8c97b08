from django.contrib import admin

from fabriques.advice.models import Network, NetworkArea, NetworkMember


class AreaInline(admin.TabularInline):
    model = NetworkArea
    extra = 0


class MemberInline(admin.TabularInline):
    model = NetworkMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    """Staff check a registered network, then tick « proposé aux porteurs »; comments are never shown here."""

    list_display = ["name", "contact_email", "listed", "created_at"]
    list_filter = ["listed"]
    search_fields = ["name", "contact_email"]
    inlines = [AreaInline, MemberInline]
    readonly_fields = ["created_by", "created_at"]
    actions = ["list_networks", "unlist_networks"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "listed"]  # changed only through the audited actions below

    @admin.action(description="Proposer aux porteurs")
    def list_networks(self, request, queryset):
        from fabriques.advice.domain import network_list

        for network in queryset:
            network_list(network=network, listed=True, by=request.user)

    @admin.action(description="Ne plus proposer aux porteurs")
    def unlist_networks(self, request, queryset):
        from fabriques.advice.domain import network_list

        for network in queryset:
            network_list(network=network, listed=False, by=request.user)
