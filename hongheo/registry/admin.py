from django.contrib import admin

from hongheo.core.admin import AuditedModelAdmin

from .models import Household, Member


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("full_name", "personal_id", "date_of_birth", "sex", "relation_to_head")
    readonly_fields = fields
    can_delete = False


@admin.register(Household)
class HouseholdAdmin(AuditedModelAdmin):
    """Read-mostly: households are changed through the registry pages and services."""

    list_display = ("code", "head_name", "size", "commune", "village")
    search_fields = ("code", "head_name")
    raw_id_fields = ("commune", "village")
    readonly_fields = ("area_path",)
    inlines = [MemberInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
