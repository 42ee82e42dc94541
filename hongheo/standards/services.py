"""Writers for published (provincial) standards. Published documents are never edited."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import Conflict, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.users.models import Role

from .models import PublishedStandard
from .rules.catalog import (
    StandardError,
    build_standard,
    resolve_document,
    shipped_documents,
    validate_document,
)
from .selectors import standards_cache_clear


def _bases() -> dict[str, Any]:
    bases = {d["code"]: d for d in shipped_documents()}
    for p in PublishedStandard.objects.filter(status=PublishedStandard.Status.PUBLISHED):
        bases[p.code] = p.document
    return bases


def _check_admin(actor: Any) -> None:
    if actor is not None and getattr(actor, "role", None) != Role.ADMINISTRATOR:
        raise PermissionDenied(_("Chỉ quản trị hệ thống được soạn và công bố chuẩn nghèo."))


@transaction.atomic
def standard_draft_save(*, actor: Any, document: dict[str, Any]) -> PublishedStandard:
    """Create or replace a draft standard. Validates the document fully (every error listed)."""
    _check_admin(actor)
    bases = _bases()
    try:
        errors = validate_document(resolve_document(document, bases))
    except StandardError as exc:
        errors = exc.errors or [str(exc)]
    if errors:
        raise ValidationError(
            _("Chuẩn nghèo không hợp lệ: %(errors)s") % {"errors": "; ".join(errors)},
            details={"errors": errors},
        )
    if document["code"] in {d["code"] for d in shipped_documents()}:
        raise Conflict(
            _("Mã %(code)s là chuẩn quốc gia đi kèm phần mềm; hãy chọn mã khác.") % {"code": document["code"]}
        )
    try:
        standard = build_standard(document, bases)
    except StandardError as exc:
        raise ValidationError(
            _("Chuẩn nghèo không hợp lệ: %(exc)s") % {"exc": exc}, details={"errors": exc.errors}
        )
    existing = PublishedStandard.objects.filter(code=standard.code).first()
    if existing is not None and existing.status != PublishedStandard.Status.DRAFT:
        raise Conflict(
            _("Chuẩn %(code)s đã công bố: không sửa được, hãy tạo phiên bản mới với mã mới.")
            % {"code": standard.code}
        )
    province = None
    if standard.scope == "province":
        province = Area.objects.filter(code=standard.province_code, level=Area.Level.PROVINCE).first()
        if province is None:
            raise ValidationError(
                _("Không có tỉnh mã %(province_code)s.") % {"province_code": standard.province_code}
            )
    fields = {
        "title": standard.title,
        "scope": standard.scope,
        "province": province,
        "based_on": standard.based_on or "",
        "effective_from": standard.effective_from,
        "effective_to": standard.effective_to or standard.effective_from.replace(year=9999),
        "document": copy.deepcopy(document),
    }
    if existing is None:
        draft = PublishedStandard.objects.create(code=standard.code, created_by=_user(actor), **fields)
        action = "standards.draft_create"
    else:
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.save()
        draft, action = existing, "standards.draft_update"
    audit_write(actor=actor, action=action, obj=draft, after={"code": draft.code, "document": document})
    return draft


@transaction.atomic
def standard_publish(*, actor: Any, standard: PublishedStandard) -> PublishedStandard:
    _check_admin(actor)
    locked = PublishedStandard.objects.select_for_update().get(pk=standard.pk)
    if locked.status != PublishedStandard.Status.DRAFT:
        raise Conflict(_("Chỉ công bố được bản nháp."))
    locked.status = PublishedStandard.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = _user(actor)
    locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit_write(
        actor=actor,
        action="standards.publish",
        obj=locked,
        before={"status": "draft"},
        after={"status": "published"},
    )
    transaction.on_commit(standards_cache_clear)
    return locked


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
