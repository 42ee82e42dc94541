"""Excel renderer (xlsxwriter): one sheet per table, in the shape of a Vietnamese administrative
report: issuing body and national motto, title, area and period, units, two-level column headings
with column numbers, a total row, footnotes with the layout's provenance, and signature blocks
(Người lập biểu / Thủ trưởng đơn vị).

Numbers are written as numbers with the formats ``#,##0`` (counts) and ``#,##0.00`` (rates in
%); Excel shows them with the reader's separators, i.e. ``1.234`` and ``12,34`` on a Vietnamese
system.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from hongheo.core.xlsx import new_workbook

from .builders import HouseholdLine, Table
from .catalog import Catalog, Layout, catalog

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def _d(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def issuer_name(area: Any) -> str:
    level = getattr(area, "level", "")
    if level == "central":
        return "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    return f"ỦY BAN NHÂN DÂN {area.name.upper()}"


class _Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "Times New Roman", "font_size": 11}
        self.plain = wb.add_format(base)
        self.bold_center = wb.add_format({**base, "bold": True, "align": "center"})
        self.center = wb.add_format({**base, "align": "center"})
        self.italic_center = wb.add_format({**base, "italic": True, "align": "center"})
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True}
        )
        self.right_italic = wb.add_format({**base, "italic": True, "align": "right"})
        cell = {**base, "border": 1, "valign": "vcenter"}
        self.head = wb.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#EEF2F7"}
        )
        self.colno = wb.add_format({**cell, "italic": True, "align": "center"})
        self.text = wb.add_format({**cell, "text_wrap": True})
        self.stt = wb.add_format({**cell, "align": "center"})
        self.count = wb.add_format({**cell, "num_format": COUNT_FORMAT})
        self.rate = wb.add_format({**cell, "num_format": RATE_FORMAT})
        self.date = wb.add_format({**cell, "num_format": DATE_FORMAT, "align": "center"})
        self.total_text = wb.add_format({**cell, "bold": True})
        self.total_count = wb.add_format({**cell, "bold": True, "num_format": COUNT_FORMAT})
        self.total_rate = wb.add_format({**cell, "bold": True, "num_format": RATE_FORMAT})
        self.note = wb.add_format(
            {**base, "italic": True, "font_size": 10, "text_wrap": True, "valign": "top"}
        )


# Sheet tabs are read by people: a short human title per layout (Excel allows 31 characters).
SHEET_TITLES = {
    "ket_qua": "Kết quả",
    "dien_bien_ngheo": "Diễn biến hộ nghèo",
    "dien_bien_can_ngheo": "Diễn biến hộ cận nghèo",
    "thieu_hut_ngheo": "Thiếu hụt - hộ nghèo",
    "thieu_hut_can_ngheo": "Thiếu hụt - hộ cận nghèo",
    "nhom_doi_tuong": "Nhóm đối tượng",
    "nguyen_nhan": "Nguyên nhân nghèo",
    "nhu_cau": "Nhu cầu hỗ trợ",
    "nlnd_trung_binh": "Hộ NLNDN mức sống TB",
    "danh_sach_ho_ngheo": "Danh sách hộ nghèo",
    "danh_sach_ho_can_ngheo": "Danh sách hộ cận nghèo",
}


def _sheet_name(code: str, used: set[str]) -> str:
    title = SHEET_TITLES.get(code, code)
    for ch in "[]:*?/\\":
        title = title.replace(ch, "-")
    name = title[:31]
    i = 2
    while name in used:
        name = f"{title[:27]} ({i})"
        i += 1
    used.add(name)
    return name


def _top(ws: Any, f: _Formats, area: Any, width: int) -> None:
    left = max(2, min(3, width // 2))
    ws.merge_range(0, 0, 0, left - 1, issuer_name(area), f.bold_center)
    ws.merge_range(0, left, 0, max(left, width - 1), MOTTO[0], f.bold_center)
    ws.merge_range(1, left, 1, max(left, width - 1), MOTTO[1], f.bold_center)


def _footer(ws: Any, f: _Formats, row: int, width: int, notes: Sequence[str], cat: Catalog, area: Any) -> int:
    ws.write(row, 0, "Ghi chú:", f.note)
    row += 1
    for text in notes:
        ws.merge_range(row, 0, row, max(1, width - 1), text, f.note)
        ws.set_row(row, 30 if len(text) > 120 else None)
        row += 1
    row += 1
    left = max(2, min(3, width // 2))
    right_first, right_last = left, max(left, width - 1)
    ws.merge_range(row, right_first, row, right_last, "…………, ngày …… tháng …… năm ……", f.italic_center)
    row += 1
    sig_left, sig_right = cat.signatures[0], cat.signatures[-1]
    ws.merge_range(row, 0, row, left - 1, sig_left["title_vi"], f.bold_center)
    ws.merge_range(row, right_first, row, right_last, sig_right["title_vi"], f.bold_center)
    row += 1
    ws.merge_range(row, 0, row, left - 1, sig_left.get("hint_vi", ""), f.italic_center)
    ws.merge_range(row, right_first, row, right_last, sig_right.get("hint_vi", ""), f.italic_center)
    return row + 5


def _notes(layout: Layout, cat: Catalog, extra: Sequence[str]) -> list[str]:
    """The footnotes printed under a table: method and reading notes only. The layout's provenance
    (where the layout came from, whether it was checked against the legal text) stays in the
    catalogue data and on the administrators' pages; an official output never carries it."""
    return [
        f"Phiên bản biểu: {layout.version} (danh mục biểu {cat.version}).",
        *extra,
        *layout.notes_vi,
    ]


def write_table(wb: Any, f: _Formats, table: Table, used: set[str], cat: Catalog) -> None:
    ws = wb.add_worksheet(_sheet_name(table.layout.code, used))
    cols = table.columns
    width = 2 + len(cols)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 28)
    ws.set_column(2, width - 1, 12)
    _top(ws, f, table.area, width)
    ws.merge_range(3, 0, 3, width - 1, table.layout.title_vi, f.title)
    ws.set_row(3, 36)
    period = (
        f"Địa bàn: {table.area.name}. Kỳ báo cáo: từ ngày {_d(table.start)} đến ngày {_d(table.end)} "
        f"(số liệu tại ngày {_d(table.end)})."
    )
    ws.merge_range(4, 0, 4, width - 1, period, f.center)
    ws.merge_range(5, 0, 5, width - 1, f"Đơn vị tính: {table.layout.units_vi}", f.right_italic)
    h1, h2, nos = 7, 8, 9
    ws.merge_range(h1, 0, h2, 0, "STT", f.head)
    ws.merge_range(h1, 1, h2, 1, table.row_label, f.head)
    c = 2
    for group, span in table.header_groups:
        if group:
            if span > 1:
                ws.merge_range(h1, c, h1, c + span - 1, group, f.head)
            else:
                ws.write(h1, c, group, f.head)
            for j in range(span):
                col = cols[c - 2 + j]
                ws.write(h2, c + j, f"{col.label_vi} ({col.unit})", f.head)
        else:
            col = cols[c - 2]
            ws.merge_range(h1, c, h2, c, f"{col.label_vi} ({col.unit})", f.head)
        c += span
    ws.set_row(h2, 48)
    ws.write(nos, 0, "A", f.colno)
    ws.write(nos, 1, "B", f.colno)
    for j in range(len(cols)):
        ws.write(nos, 2 + j, str(j + 1), f.colno)
    r = nos + 1
    stt = 0
    for row in table.rows:
        if row.is_total:
            ws.write(r, 0, "", f.total_text)
            ws.write(r, 1, row.name, f.total_text)
        else:
            stt += 1
            ws.write_number(r, 0, stt, f.stt)
            ws.write(r, 1, row.name, f.text)
        for j, (col, value) in enumerate(zip(cols, row.values, strict=True)):
            fmt = (
                (f.total_rate if row.is_total else f.rate)
                if col.unit == "%"
                else (f.total_count if row.is_total else f.count)
            )
            if value is None:
                ws.write_blank(r, 2 + j, None, fmt)
            else:
                ws.write_number(r, 2 + j, value, fmt)
        r += 1
    extra = list(cat.method_vi)
    if table.standard_code:
        extra.append(f"Chỉ số thiếu hụt theo chuẩn {table.standard_code} áp dụng tại ngày {_d(table.end)}.")
    ws.freeze_panes(nos + 1, 2)
    ws.fit_to_pages(1, 0)
    ws.set_landscape()
    _footer(ws, f, r + 1, width, _notes(table.layout, cat, extra), cat, table.area)


def tables_workbook(tables: Sequence[Table], *, cat: Catalog | None = None) -> bytes:
    cat = cat or catalog()
    buf = io.BytesIO()
    wb = new_workbook(buf, {"in_memory": True})
    wb.set_properties({"title": "Báo cáo hộ nghèo, hộ cận nghèo"})
    f = _Formats(wb)
    used: set[str] = set()
    for table in tables:
        write_table(wb, f, table, used, cat)
    wb.close()
    return buf.getvalue()


def household_list_workbook(
    layout: Layout, lines: Sequence[HouseholdLine], area: Any, on: dt.date, *, cat: Catalog | None = None
) -> bytes:
    """The detailed list (danh sách hộ): personal data; the caller logs the export."""
    cat = cat or catalog()
    buf = io.BytesIO()
    wb = new_workbook(buf, {"in_memory": True, "constant_memory": False})
    f = _Formats(wb)
    ws = wb.add_worksheet(_sheet_name(layout.code, set()))
    cols = list(layout.list_columns)
    width = 1 + len(cols)
    ws.set_column(0, 0, 6)
    ws.set_column(1, width - 1, 18)
    _top(ws, f, area, width)
    ws.merge_range(3, 0, 3, width - 1, layout.title_vi, f.title)
    ws.merge_range(4, 0, 4, width - 1, f"Địa bàn: {area.name}. Tại ngày {_d(on)}.", f.center)
    ws.merge_range(5, 0, 5, width - 1, f"Đơn vị tính: {layout.units_vi}", f.right_italic)
    ws.write(7, 0, "STT", f.head)
    for j, col in enumerate(cols):
        unit = f" ({col['unit']})" if col.get("unit") else ""
        ws.write(7, 1 + j, col["label_vi"] + unit, f.head)
    r = 8
    for i, line in enumerate(lines, start=1):
        ws.write_number(r, 0, i, f.stt)
        for j, col in enumerate(cols):
            value = getattr(line, col["field"])
            if isinstance(value, dt.date):
                ws.write_datetime(r, 1 + j, dt.datetime.combine(value, dt.time()), f.date)
            elif isinstance(value, int):
                ws.write_number(r, 1 + j, value, f.count)
            else:
                ws.write_string(r, 1 + j, value or "", f.text)
        r += 1
    ws.write(r, 1, f"Tổng cộng: {len(lines)} hộ", f.total_text)
    notes = [
        *_notes(layout, cat, []),
        "Danh sách có dữ liệu cá nhân: chỉ dùng cho công việc rà soát, không công bố ngoài phạm vi quy định; "
        "việc xuất danh sách đã được ghi nhật ký.",
    ]
    _footer(ws, f, r + 2, max(width, 4), notes, cat, area)
    wb.close()
    return buf.getvalue()
