"""Report services: exports (aggregate workbooks, the audited detailed list) and the record of a
report exported "as submitted" (đã nộp) for the reporting calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_read, audit_write
from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.users.access import personal_scope_paths, user_covers_area

from . import builders, xlsx
from .calendar import DueReport
from .catalog import catalog
from .models import ReportSubmission

SUBMIT_ROLES = {"commune_officer", "commune_chairman", "province_officer", "central_analyst", "administrator"}
LIST_FIELDS = ("code", "head_name", "address", "village", "size", "classification")


def report_workbook(
    *, actor: Any, area: Area, start: dt.date, end: dt.date, codes: list[str] | None = None
) -> bytes:
    """The aggregate tables as one workbook (no personal data, so no read log)."""
    if not user_covers_area(actor, area):
        raise NotFound(_("Không tìm thấy địa bàn."))
    tables = builders.report_tables(actor, area, start, end, codes)
    return xlsx.tables_workbook(tables)


def household_list_export(*, actor: Any, area: Area, on: dt.date, layout_code: str) -> bytes:
    """The detailed list of poor or near-poor households (personal data): built through the gate
    and logged as an export in the audit trail. An aggregate-only user without a personal-data
    grant has no personal scope: "not found", not an empty list that looks like "no household"."""
    if not user_covers_area(actor, area) or not any(
        area.path.startswith(p) for p in personal_scope_paths(actor)
    ):
        raise NotFound(_("Không tìm thấy địa bàn."))
    layout = catalog().layout(layout_code)
    if not layout.is_personal:
        raise ValidationError(_("Biểu này không phải danh sách hộ."))
    lines = builders.household_list(actor, area, on, layout.klass)
    data = xlsx.household_list_workbook(layout, lines, area, on)
    audit_read(
        actor=actor,
        action="reports.household_list_export",
        fields=LIST_FIELDS,
        object_type="reports.household_list",
        object_id=f"{layout.code}:{area.code}:{on.isoformat()}:{len(lines)}",
        area_code=area.code,
        kind="export",
        rows=len(lines),
    )
    return data


@transaction.atomic
def report_submission_record(
    *,
    actor: Any,
    area: Area,
    due: DueReport,
    data: bytes,
    reports: list[str],
    start: dt.date,
    end: dt.date,
    submitted_on: dt.date,
) -> ReportSubmission:
    """Record that the workbook ``data`` was exported as the submitted report ``due`` of ``area``."""
    if getattr(actor, "role", None) not in SUBMIT_ROLES or not user_covers_area(actor, area):
        raise PermissionDenied(_("Bạn không được nộp báo cáo của địa bàn này."))
    if start > end:
        raise ValidationError(_("Kỳ báo cáo không hợp lệ."))
    sub = ReportSubmission.objects.create(
        area=area,
        calendar_code=due.code,
        year=due.year,
        month=due.month,
        period_start=start,
        period_end=end,
        reports=reports,
        catalog_version=catalog().version,
        sha256=hashlib.sha256(data).hexdigest(),
        submitted_on=submitted_on,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_write(
        actor=actor,
        action="reports.submission_record",
        obj=sub,
        after={
            "calendar_code": due.code,
            "year": due.year,
            "month": due.month,
            "late": submitted_on > due.last_on_time,
            "sha256": sub.sha256,
        },
        area_code=area.code,
    )
    return sub
