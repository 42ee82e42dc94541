"""Users, their areas and personal-data grants in /admin/, for the administrator role (docs/operations.md).

A non-superuser administrator manages the users of its own area only, cannot make superusers or
hand out Django permissions, and can assign only areas inside its own area."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hongheo.core.admin import AuditedModelAdmin, RoleAdministratorMixin
from hongheo.core.audit import audit_write

from .access import scope_paths
from .models import AreaAssignment, PersonalDataGrant, User
from .services import personal_data_grant, personal_data_revoke


def _in_scope(request: HttpRequest, path: str) -> bool:
    return bool(request.user.is_superuser) or any(path.startswith(p) for p in scope_paths(request.user))


class AreaAssignmentInline(RoleAdministratorMixin, admin.TabularInline):
    model = AreaAssignment
    raw_id_fields = ("area",)
    extra = 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)

        class ScopedForm(formset.form):  # type: ignore[name-defined,misc]
            def clean_area(self) -> Any:
                area = self.cleaned_data.get("area")
                if area is not None and not _in_scope(request, area.path):
                    raise forms.ValidationError(_("Chỉ giao địa bàn thuộc địa bàn bạn quản lý."))
                return area

        formset.form = ScopedForm
        return formset


@admin.register(User)
class UserAdmin(RoleAdministratorMixin, AuditedModelAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "position", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    inlines = [AreaAssignmentInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Hộ Nghèo", {"fields": ("role", "full_name", "position", "phone")}),
    )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Django admin's own "change password" page: it saves through the form, not
        ``save_model``, so it is audited here (``log_change`` runs right after the save), in the
        same transaction. The row never holds the password or its hash."""
        request._hongheo_password_form = True  # type: ignore[attr-defined]
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_hongheo_password_form", False):
            audit_write(
                actor=request.user,
                action="users.password_change",
                obj=obj,
                after={
                    "username": obj.username,
                    "via": "admin",
                    "password_login": obj.has_usable_password(),
                },
            )
        return super().log_change(request, obj, message)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        paths = scope_paths(request.user)
        q = Q(pk=request.user.pk)
        for p in paths:
            q |= Q(assignments__area__path__startswith=p)
        return qs.filter(q, is_superuser=False).distinct()


class GrantForm(forms.ModelForm):
    days = forms.IntegerField(label="Số ngày hiệu lực", min_value=1, max_value=90, initial=30)

    class Meta:
        model = PersonalDataGrant
        fields = ("user", "reason")


@admin.register(PersonalDataGrant)
class PersonalDataGrantAdmin(RoleAdministratorMixin, admin.ModelAdmin):
    """Grants are made and revoked through the services (audited), never edited."""

    list_display = ("user", "granted_by", "reason", "granted_at", "valid_until", "revoked_at")
    form = GrantForm
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        grant = personal_data_grant(
            actor=request.user, user=obj.user, reason=obj.reason, days=form.cleaned_data["days"]
        )
        obj.pk = grant.pk

    @admin.action(description="Thu hồi quyền đã chọn")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PersonalDataGrant]) -> None:
        for grant in queryset.filter(revoked_at__isnull=True):
            personal_data_revoke(actor=request.user, grant=grant)
