from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hongheo.core.admin import AuditedModelAdmin

from .models import AreaAssignment, User


class AreaAssignmentInline(admin.TabularInline):
    model = AreaAssignment
    raw_id_fields = ("area",)
    extra = 1


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "position", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    inlines = [AreaAssignmentInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Hộ Nghèo", {"fields": ("role", "full_name", "position", "phone")}),
    )
