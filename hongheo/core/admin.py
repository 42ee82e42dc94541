from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .audit import audit_write, snapshot
from .models import AuditEvent, Job


def is_role_administrator(request: HttpRequest) -> bool:
    """A superuser, or a staff user with the product's administrator role (docs/operations.md)."""
    user = request.user
    return bool(
        user.is_active
        and (user.is_superuser or (user.is_staff and getattr(user, "role", "") == "administrator"))
    )


class RoleAdministratorMixin:
    """The administrator role manages this model in /admin/ without per-model Django permissions
    (the role is the permission; the pages that use this are listed in docs/security.md)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_role_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_role_administrator(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_role_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_role_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_role_administrator(request)


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin pages write through here, so admin edits land in the audit trail like any other write
    (Django admin runs save/delete inside its own transaction)."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_write(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        before = snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        audit_write(
            actor=request.user,
            action="admin.delete",
            object_type=obj._meta.label_lower,
            object_id=str(pk),
            before=before,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "kind", "action", "object_type", "object_id", "household_code")
    list_filter = ("kind", "action")
    search_fields = ("actor_username", "household_code", "personal_id", "object_id", "request_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "progress_done", "progress_total", "created_by", "created_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
