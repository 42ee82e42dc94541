"""Files this app gives out: an organisation's hand-off list (PDF from an HTML template, and
Excel), and a commune's support figures (Excel). Every text cell is written as text
(``write_string``) so a name starting with "=" never becomes a formula. Every export is audited
(``core.audit.audit_read`` with kind ``export``) by the ``*_export`` functions, which are the only
ones the pages call."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_read
from hongheo.core.errors import PermissionDenied
from hongheo.core.models import AuditEvent
from hongheo.core.xlsx import new_workbook

from . import lists
from .models import Organisation
from .selectors import EXPORT_ROLES, HELP_LINE_FIELDS, CommuneSupport, HelpLine, organisation_help_lines

CLASS_LABELS_VI = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}
HELP_HEADERS_VI = ("STT", "Họ tên chủ hộ", "Thôn/Tổ dân phố", "Loại hộ", "Nhu cầu hỗ trợ", "Hội viên giúp đỡ")


def _need_export(actor: Any) -> None:
    if str(getattr(actor, "role", "")) not in EXPORT_ROLES:
        raise PermissionDenied(_("Vai trò của bạn không được xuất danh sách này."))


def _needs_text(needs: Sequence[str]) -> str:
    return ", ".join(lists.label("support_need", n) for n in needs)


def _cells(line: HelpLine) -> list[str]:
    return [
        line.head_name,
        line.village,
        CLASS_LABELS_VI.get(line.classification, line.classification),
        _needs_text(line.needs),
        line.helper_name,
    ]


# --- an organisation's list -----------------------------------------------------------------------


def help_list_workbook(organisation: Organisation, lines: Sequence[HelpLine], *, on: dt.date) -> bytes:
    buf = io.BytesIO()
    wb = new_workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    text = wb.add_format({"border": 1, "text_wrap": True, "num_format": "@"})
    ws = wb.add_worksheet("Danh sach")
    ws.write_string(0, 0, f"DANH SÁCH HỘ GIAO {organisation.name.upper()} GIÚP ĐỠ", bold)
    ws.write_string(1, 0, f"{organisation.commune.name} — ngày {on:%d/%m/%Y}")
    for col, title in enumerate(HELP_HEADERS_VI):
        ws.write_string(3, col, title, head)
    for i, line in enumerate(lines, start=1):
        ws.write_number(3 + i, 0, i, text)
        for col, value in enumerate(_cells(line), start=1):
            ws.write_string(3 + i, col, value or "", text)
    for col, width in enumerate((5, 28, 22, 16, 40, 24)):
        ws.set_column(col, col, width)
    wb.close()
    return buf.getvalue()


def help_list_pdf(organisation: Organisation, lines: Sequence[HelpLine], *, on: dt.date) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "support/pdf/help_list.html",
        {
            "organisation": organisation,
            "commune": organisation.commune,
            "rows": [_cells(line) for line in lines],
            "headers": HELP_HEADERS_VI,
            "on": on,
        },
    )
    return bytes(HTML(string=html, base_url=".").write_pdf())


def help_list_export(*, actor: Any, organisation: Organisation, fmt: str) -> bytes:
    """The organisation's list as ``pdf`` or ``xlsx``, audited as an export."""
    _need_export(actor)
    lines = organisation_help_lines(user=actor, organisation=organisation)
    on = timezone.localdate()
    content = (
        help_list_pdf(organisation, lines, on=on)
        if fmt == "pdf"
        else help_list_workbook(organisation, lines, on=on)
    )
    audit_read(
        actor=actor,
        action=f"support.help_list_export.{fmt}",
        fields=HELP_LINE_FIELDS,
        object_type="support.organisation",
        object_id=str(organisation.pk),
        area_code=organisation.commune.code,
        kind=AuditEvent.Kind.EXPORT,
        rows=len(lines),
    )
    return content


# --- a commune's figures --------------------------------------------------------------------------------


def commune_workbook(summary: CommuneSupport) -> bytes:
    buf = io.BytesIO()
    wb = new_workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True})
    text = wb.add_format({"border": 1, "text_wrap": True, "num_format": "@"})
    num = wb.add_format({"border": 1})

    ws = wb.add_worksheet("Tong hop")
    ws.write_string(0, 0, f"HỖ TRỢ HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {summary.year} — {summary.commune.name}", bold)
    rows = [
        ("Số hộ nghèo, cận nghèo", summary.households),
        ("Số nhu cầu hỗ trợ", summary.needs_total),
        ("Số nhu cầu đã được đáp ứng", summary.needs_met),
        ("Số hộ có nhu cầu chưa có kế hoạch", len(summary.needs_without_plan)),
        ("Số mục kế hoạch quá hạn", len(summary.overdue)),
    ]
    for r, (label, value) in enumerate(rows, start=2):
        ws.write_string(r, 0, label, text)
        ws.write_number(r, 1, value, num)
    r = len(rows) + 3
    ws.write_string(r, 0, "Đã hỗ trợ theo loại", head)
    ws.write_string(r, 1, "Số lượt", head)
    for kind, count in summary.given_by_kind:
        r += 1
        ws.write_string(r, 0, lists.label("support_kind", kind), text)
        ws.write_number(r, 1, count, num)
    r += 2
    ws.write_string(r, 0, "Đã hỗ trợ theo chương trình, nguồn", head)
    ws.write_string(r, 1, "Số lượt", head)
    for programme, count in summary.given_by_programme:
        r += 1
        ws.write_string(r, 0, lists.label("support_programme", programme) if programme else "—", text)
        ws.write_number(r, 1, count, num)
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 12)

    ws = wb.add_worksheet("Chua co ke hoach")
    for col, title in enumerate(("Mã hộ", "Họ tên chủ hộ", "Thôn/Tổ dân phố", "Nhu cầu chưa có kế hoạch")):
        ws.write_string(0, col, title, head)
    for r, (household, missing) in enumerate(summary.needs_without_plan, start=1):
        ws.write_string(r, 0, household.code, text)
        ws.write_string(r, 1, household.head_name, text)
        ws.write_string(r, 2, household.village.name if household.village else "", text)
        ws.write_string(r, 3, _needs_text(missing), text)
    ws.set_column(0, 3, 26)

    ws = wb.add_worksheet("Qua han")
    titles = ("Mã hộ", "Họ tên chủ hộ", "Loại hỗ trợ", "Chương trình, nguồn", "Tổ chức", "Phụ trách", "Hạn")
    for col, title in enumerate(titles):
        ws.write_string(0, col, title, head)
    for r, item in enumerate(summary.overdue, start=1):
        values = (
            item.household.code,
            item.household.head_name,
            lists.label("support_kind", item.kind),
            lists.label("support_programme", item.programme),
            item.organisation.name if item.organisation else "",
            item.responsible,
            f"{item.due_on:%d/%m/%Y}",
        )
        for col, cell in enumerate(values):
            ws.write_string(r, col, cell, text)
    ws.set_column(0, 6, 22)
    wb.close()
    return buf.getvalue()


def commune_support_export(*, actor: Any, summary: CommuneSupport) -> bytes:
    _need_export(actor)
    content = commune_workbook(summary)
    audit_read(
        actor=actor,
        action="support.commune_export",
        fields=["head_name", "support_needs", "plan"],
        object_type="geography.area",
        object_id=str(summary.commune.pk),
        area_code=summary.commune.code,
        kind=AuditEvent.Kind.EXPORT,
        rows=len(summary.needs_without_plan) + len(summary.overdue),  # the sheets that name households
    )
    return content
