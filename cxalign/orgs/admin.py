from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cxalign.orgs.models import Invitation, Membership, Organization, OrgUnit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "title", "unit", "reports_to", "is_active"]
    raw_id_fields = ["user", "unit", "reports_to"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "unit", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    list_select_related = ["user", "organization", "unit"]
    search_fields = ["user__username", "user__email", "organization__slug"]
    raw_id_fields = ["user", "unit", "reports_to"]


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "kind", "parent", "leader"]
    list_filter = ["organization", "kind"]
    list_select_related = ["organization", "parent", "leader__user"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "leader"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["organization", "role"]
    list_select_related = ["organization"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "sent_at"]
    search_fields = ["email"]
