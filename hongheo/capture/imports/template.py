"""The product's own template (mẫu nhập danh sách): a "Danh sách" sheet with the Vietnamese
headings, an instructions sheet ("Hướng dẫn") and the code lists ("Danh mục") with drop-downs."""

from __future__ import annotations

import io

from hongheo.registry import code_lists

from .fields import CLASS_CODES, LAYOUT_HOUSEHOLD, LAYOUTS, heading, layout_fields, required_keys

EXAMPLE = {
    "household_code": "4619969000001",
    "commune_code": "19969",
    "village_name": "Tổ dân phố 5",
    "address": "Tổ dân phố 5, Phường Thanh Thủy",
    "official_class": "Hộ nghèo",
    "decision_no": "15/QĐ-UBND",
    "decision_date": "20/12/2024",
    "full_name": "Hồ Văn Phát",
    "personal_id": "046066782876",
    "date_of_birth": "10/04/1966",
    "sex": "Nam",
    "relation_to_head": "Chủ hộ",
    "ethnicity": "Kinh",
    "housing_quality": "Nhà bán kiên cố",
    "income_per_capita": "1200000",
}


def template_workbook(layout: str) -> bytes:
    import xlsxwriter

    from hongheo.core.xlsx import new_workbook

    specs = layout_fields(layout)
    required = set(required_keys(layout))
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    must = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("Danh sách")
    lists = book.add_worksheet("Danh mục")
    guide = book.add_worksheet("Hướng dẫn")
    # code lists: one column per coded field
    col = 0
    ranges: dict[str, str] = {}
    for spec in specs:
        if spec.kind not in ("code", "class", "bool"):
            continue
        if spec.kind == "class":
            values = list(CLASS_CODES.values())
        elif spec.kind == "bool":
            values = ["Có", "Không"]
        else:
            values = list(code_lists.labels(spec.code_list).values())
        lists.write_string(0, col, heading(spec, layout), head)
        for i, value in enumerate(values, start=1):
            lists.write_string(i, col, value)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        ranges[spec.key] = f"='Danh mục'!${letter}$2:${letter}${len(values) + 1}"
        lists.set_column(col, col, 28)
        col += 1
    for i, spec in enumerate(specs):
        sheet.write_string(0, i, heading(spec, layout), must if spec.key in required else head)
        sheet.set_column(i, i, 22, text)
        if spec.key in ranges:
            sheet.data_validation(1, i, 100_000, i, {"validate": "list", "source": ranges[spec.key]})
        if spec.key in EXAMPLE:
            sheet.write_string(1, i, EXAMPLE[spec.key])
    sheet.freeze_panes(1, 0)
    guide.set_column(0, 0, 36)
    guide.set_column(1, 1, 100)
    lines = [
        ("MẪU NHẬP DANH SÁCH HỘ", LAYOUTS[layout]),
        (
            "Cách điền",
            "Mỗi dòng một hộ, chỉ ghi thông tin chủ hộ."
            if layout == LAYOUT_HOUSEHOLD
            else "Mỗi dòng một nhân khẩu; các nhân khẩu cùng hộ ghi cùng Mã hộ; "
            "đúng một dòng “Chủ hộ” mỗi hộ. "
            "Thông tin của hộ (địa chỉ, nhà ở, thu nhập…) ghi ở dòng chủ hộ là đủ.",
        ),
        ("Cột tô màu cam", "Bắt buộc. Phải có Mã xã/phường hoặc tên Xã/phường."),
        ("Ngày tháng", "dd/mm/yyyy (ví dụ 05/09/1980) hoặc yyyy-mm-dd."),
        (
            "Dòng bị lỗi",
            "Được trả lại trong tệp Excel kèm cột “Lý do”; hộ có một dòng lỗi bị từ chối toàn bộ.",
        ),
        (
            "Nhập lại",
            "Nhập lại cùng một tệp không thay đổi gì; hộ đã có mà tệp ghi khác được báo là xung đột.",
        ),
        ("", ""),
        ("Cột", "Ý nghĩa"),
    ]
    lines += [(heading(s, layout), s.note or s.heading) for s in specs]
    for row, (a, b) in enumerate(lines):
        guide.write_string(row, 0, a, head if row in (0, 7) else None)
        guide.write_string(row, 1, b)
    book.close()
    return buffer.getvalue()
