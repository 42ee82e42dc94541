from django.contrib import admin

from hongheo.core.admin import AuditedModelAdmin, RoleAdministratorMixin

from .models import Area, LegacyAreaCode


@admin.register(Area)
class AreaAdmin(RoleAdministratorMixin, AuditedModelAdmin):
    list_display = ("code", "name", "level", "kind", "setting", "parent")
    list_filter = ("level", "kind", "setting", "historical")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)


@admin.register(LegacyAreaCode)
class LegacyAreaCodeAdmin(AuditedModelAdmin):
    list_display = ("level", "code", "name", "current_area")
    search_fields = ("code", "name")
    raw_id_fields = ("current_area",)
