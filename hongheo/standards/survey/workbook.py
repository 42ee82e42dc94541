"""The product's own xlsx template for Phiếu A and Phiếu B data: read (import) and write (download).

Layout, one sheet per part, each with a title row, a header row and one data row per
item × answer (criterion × answer for Phiếu A)::

    Hướng dẫn            instructions (says the official tables are NOT bundled)
    Phiếu A - Tiêu chí   Mã tiêu chí | Tiêu chí | Mã phương án | Phương án trả lời | Loại trừ ngay
    Phiếu B - Câu hỏi    Mã chỉ tiêu | Tên chỉ tiêu | Mã phương án | Phương án trả lời
    Phiếu B - Điểm       Mã chỉ tiêu | Mã phương án | Phương án trả lời (tham khảo) | one column per region

The header row is found by its first heading, so rows above it are free (title, notes). A sheet
whose rows above the header say "MẪU THỬ" is a sample file: it can never be imported as official.
Row numbers in errors are Excel's.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hongheo.core.text import fold
from hongheo.standards.rules.scoring import (
    CONSTANT_ITEM,
    FORM_REGIONS,
    POINT_SHEET,
    QUESTION_SHEET,
    REGION_NAMES_VI,
    SCREENING_SHEET,
    PointRow,
    QuestionRow,
    RowError,
    ScreeningRow,
)

INSTRUCTIONS_SHEET = "Hướng dẫn"
SAMPLE_MARK = "MẪU THỬ — không phải số liệu chính thức"
HEADER_SCAN_ROWS = 10
MAX_DATA_ROWS = 20_000
REGION_RE = re.compile(r"\b(urban|rural_nt[1-6])\b")

QUESTION_HEADERS = {
    "ma chi tieu": "item_code",
    "ten chi tieu": "item_label",
    "ma phuong an": "answer_code",
    "phuong an tra loi": "answer_label",
}
POINT_HEADERS = {"ma chi tieu": "item_code", "ma phuong an": "answer_code"}
SCREENING_HEADERS = {
    "ma tieu chi": "criterion_code",
    "tieu chi": "criterion_label",
    "ma phuong an": "answer_code",
    "phuong an tra loi": "answer_label",
    "loai tru ngay": "excludes",
}
HEADER_TITLES = {
    "item_code": "Mã chỉ tiêu",
    "item_label": "Tên chỉ tiêu",
    "answer_code": "Mã phương án",
    "answer_label": "Phương án trả lời",
    "criterion_code": "Mã tiêu chí",
    "criterion_label": "Tiêu chí",
    "excludes": "Loại trừ ngay",
}


class WorkbookUnreadable(ValueError):
    """The upload is not an xlsx workbook."""


def region_heading(region: str) -> str:
    return f"{REGION_NAMES_VI[region]} ({region})"


def _heading_key(value: Any) -> str:
    text = "" if value is None else str(value)
    return fold(re.sub(r"\(.*?\)", " ", text))


@dataclass
class _Sheet:
    name: str
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # key → 0-based column index
    regions: dict[str, int] = field(default_factory=dict)
    is_sample: bool = False
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass
class ParsedScore:
    questions: list[QuestionRow]
    points: list[PointRow]
    regions: list[str]
    header_row: int
    is_sample: bool
    errors: list[RowError]


@dataclass
class ParsedScreening:
    rows: list[ScreeningRow]
    is_sample: bool
    errors: list[RowError]


def _open(content: bytes) -> Any:
    from openpyxl import load_workbook

    from hongheo.core.xlsx import ArchiveRefused, NotAnArchive, archive_limits, check_archive

    try:
        check_archive(content, archive_limits())
    except NotAnArchive:
        pass  # openpyxl below says it cannot read the file
    except ArchiveRefused as exc:
        raise WorkbookUnreadable(str(exc)) from exc
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException…
        raise WorkbookUnreadable(
            "Không đọc được tệp: hãy dùng tệp Excel .xlsx tải từ trang này (mẫu nhập)."
        ) from exc


def _read_sheet(wb: Any, name: str, headers: dict[str, str], errors: list[RowError]) -> _Sheet | None:
    if name not in wb.sheetnames:
        errors.append(RowError(name, None, "", f"tệp không có trang {name!r}", "missing_sheet"))
        return None
    ws = wb[name]
    sheet = _Sheet(name)
    first_key = next(iter(headers))
    above: list[Any] = []
    it: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
    for number, values in enumerate(it, start=1):
        if sheet.header_row == 0:
            keys = [_heading_key(v) for v in values]
            if first_key in keys:
                sheet.header_row = number
                for index, (key, raw) in enumerate(zip(keys, values, strict=False)):
                    if key in headers and headers[key] not in sheet.columns:
                        sheet.columns[headers[key]] = index
                    match = REGION_RE.search(str(raw or ""))
                    if match and match.group(1) not in sheet.regions:
                        sheet.regions[match.group(1)] = index
                continue
            above.extend(values)
            if number >= HEADER_SCAN_ROWS:
                break
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(sheet.rows) >= MAX_DATA_ROWS:
            errors.append(RowError(name, number, "", f"quá {MAX_DATA_ROWS} dòng", "too_many_rows"))
            break
        sheet.rows.append((number, tuple(values)))
    sheet.is_sample = any("mau thu" in fold(str(v)) for v in above if v is not None)
    if sheet.header_row == 0:
        errors.append(
            RowError(
                name,
                None,
                "",
                f"không tìm thấy dòng tiêu đề (ô {HEADER_TITLES[headers[first_key]]!r}) "
                f"trong {HEADER_SCAN_ROWS} dòng đầu",
                "missing_header",
            )
        )
        return None
    for key in dict.fromkeys(headers.values()):
        if key not in sheet.columns:
            errors.append(RowError(name, sheet.header_row, HEADER_TITLES[key], "thiếu cột", "missing_column"))
    return sheet


def _cell(values: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    return values[index]


def read_score_workbook(content: bytes) -> ParsedScore:
    wb = _open(content)
    errors: list[RowError] = []
    try:
        qs = _read_sheet(wb, QUESTION_SHEET, QUESTION_HEADERS, errors)
        ps = _read_sheet(wb, POINT_SHEET, POINT_HEADERS, errors)
    finally:
        wb.close()
    questions = []
    if qs is not None:
        c = qs.columns
        questions = [
            QuestionRow(
                n,
                _cell(v, c.get("item_code")),
                _cell(v, c.get("item_label")),
                _cell(v, c.get("answer_code")),
                _cell(v, c.get("answer_label")),
            )
            for n, v in qs.rows
        ]
    points = []
    regions: list[str] = []
    header_row = 1
    if ps is not None:
        c = ps.columns
        regions = [r for r in FORM_REGIONS if r in ps.regions]
        header_row = ps.header_row
        points = [
            PointRow(
                n,
                _cell(v, c.get("item_code")),
                _cell(v, c.get("answer_code")),
                {r: _cell(v, ps.regions[r]) for r in regions},
            )
            for n, v in ps.rows
        ]
    is_sample = any(s is not None and s.is_sample for s in (qs, ps))
    return ParsedScore(questions, points, regions, header_row, is_sample, errors)


def read_screening_workbook(content: bytes) -> ParsedScreening:
    wb = _open(content)
    errors: list[RowError] = []
    try:
        sheet = _read_sheet(wb, SCREENING_SHEET, SCREENING_HEADERS, errors)
    finally:
        wb.close()
    if sheet is None:
        return ParsedScreening([], False, errors)
    c = sheet.columns
    rows = [
        ScreeningRow(
            n,
            _cell(v, c.get("criterion_code")),
            _cell(v, c.get("criterion_label")),
            _cell(v, c.get("answer_code")),
            _cell(v, c.get("answer_label")),
            _cell(v, c.get("excludes")),
        )
        for n, v in sheet.rows
    ]
    return ParsedScreening(rows, sheet.is_sample, errors)


# ---------------------------------------------------------------------------------------------
# Writing: the blank template and the clearly labelled sample
# ---------------------------------------------------------------------------------------------

NOT_BUNDLED = (
    "Bảng điểm Phiếu B chính thức (Thông tư 07/2021/TT-BLĐTBXH, Phụ lục III/IV) và các tiêu chí "
    "Phiếu A (Phụ lục II) KHÔNG được đóng gói sẵn trong phần mềm, vì chưa kiểm chứng được văn bản "
    "gốc. Hãy nhập từ văn bản chính thức (Công báo, vbpl.vn) và ghi số hiệu văn bản khi nhập."
)
INSTRUCTIONS = [
    NOT_BUNDLED,
    "Khi chưa có bảng điểm Phiếu B chính thức đã công bố, hệ thống xếp loại hộ theo thu nhập bình quân "
    "đo được.",
    "",
    "Trang 'Phiếu A - Tiêu chí': mỗi dòng là một phương án trả lời của một tiêu chí. Cột 'Loại trừ ngay' "
    "ghi 'Có' nếu chọn phương án này thì hộ bị loại khỏi danh sách rà soát ngay (quy tắc: loại nếu có "
    "bất kỳ phương án loại trừ nào), ngược lại ghi 'Không'.",
    "Trang 'Phiếu B - Câu hỏi': mỗi dòng là một phương án của một chỉ tiêu (mã chỉ tiêu, tên chỉ tiêu, "
    "mã phương án, nội dung phương án). Tên chỉ tiêu có thể chỉ ghi ở dòng đầu của chỉ tiêu.",
    "Trang 'Phiếu B - Điểm': mỗi dòng là điểm của một phương án (mã chỉ tiêu, mã phương án) ở từng "
    "vùng: cột Thành thị và sáu cột Nông thôn NT1…NT6. Ghi '-' nếu chỉ tiêu không có trong phiếu của "
    "vùng đó; không được để trống.",
    f"Hằng số (nếu bảng điểm có): một dòng với mã chỉ tiêu {CONSTANT_ITEM}, để trống mã phương án, "
    "ghi hằng số của từng vùng.",
    "Số hiệu vùng NT1 = Đồng bằng sông Hồng, NT2 = Trung du và miền núi phía Bắc theo Phụ lục 3b "
    "Thông tư 17/2016 (giai đoạn 2016–2020); đối chiếu lại với văn bản giai đoạn đang nhập.",
    "Không đổi tên trang, không đổi dòng tiêu đề. Số dòng trong thông báo lỗi là số dòng Excel.",
    "",
    "Mã vùng dùng trong tiêu đề cột:",
    *[f"  {r}: {REGION_NAMES_VI[r]}" for r in FORM_REGIONS],
]

# Invented numbers for trying the import and the preview. Never official; every sheet says so.
_SAMPLE_QUESTIONS = [
    ("SO_NGUOI", "Số nhân khẩu của hộ (mẫu thử)", "1", "1–2 người"),
    ("SO_NGUOI", "", "2", "3–4 người"),
    ("SO_NGUOI", "", "3", "5 người trở lên"),
    ("NHA_O", "Loại nhà ở (mẫu thử)", "1", "Nhà kiên cố"),
    ("NHA_O", "", "2", "Nhà bán kiên cố"),
    ("NHA_O", "", "3", "Nhà thiếu kiên cố, đơn sơ"),
    ("NHA_TIEU", "Loại nhà tiêu (mẫu thử)", "1", "Tự hoại, bán tự hoại"),
    ("NHA_TIEU", "", "2", "Loại khác, không có"),
    ("TIVI", "Hộ có ti vi (mẫu thử)", "1", "Có"),
    ("TIVI", "", "2", "Không"),
    ("THUYEN", "Hộ có tàu, thuyền (mẫu thử)", "1", "Có"),
    ("THUYEN", "", "2", "Không"),
]
_SAMPLE_POINTS: dict[tuple[str, str], list[Any]] = {
    # urban, nt1 … nt6
    (CONSTANT_ITEM, ""): [80, 60, 55, 58, 57, 65, 60],
    ("SO_NGUOI", "1"): [40, 35, 35, 35, 35, 38, 36],
    ("SO_NGUOI", "2"): [25, 20, 20, 20, 20, 22, 21],
    ("SO_NGUOI", "3"): [10, 5, 5, 5, 5, 6, 5],
    ("NHA_O", "1"): [40, 35, 30, 33, 32, 36, 34],
    ("NHA_O", "2"): [20, 18, 15, 16, 16, 18, 17],
    ("NHA_O", "3"): [0, 0, 0, 0, 0, 0, 0],
    ("NHA_TIEU", "1"): [20, 15, 12, 14, 13, 16, 14],
    ("NHA_TIEU", "2"): [0, 0, 0, 0, 0, 0, 0],
    ("TIVI", "1"): [15, 12, 10, 11, 10, 12, 11],
    ("TIVI", "2"): [0, 0, 0, 0, 0, 0, 0],
    ("THUYEN", "1"): ["-", "-", "-", 8, "-", "-", 10],
    ("THUYEN", "2"): ["-", "-", "-", 0, "-", "-", 0],
}
_SAMPLE_SCREENING = [
    ("LUONG_NS", "Có thành viên hưởng lương từ ngân sách nhà nước (mẫu thử)", "1", "Có", "Có"),
    ("LUONG_NS", "", "2", "Không", "Không"),
    ("O_TO", "Hộ có ô tô (mẫu thử)", "1", "Có", "Có"),
    ("O_TO", "", "2", "Không", "Không"),
]


def _style_sheet(ws: Any, header_row: int, widths: Sequence[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def build_template(*, sample: bool = False) -> bytes:
    """The blank import template, or (``sample=True``) a sample file marked MẪU THỬ on every sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from hongheo.core.xlsx import append_row

    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    title = "Mẫu nhập Phiếu A, Phiếu B (bảng điểm) — Hộ Nghèo"
    first = [SAMPLE_MARK, title] if sample else [title]
    for text in [*first, "", *INSTRUCTIONS]:
        append_row(ws, [text])
    ws["A1"].font = Font(bold=True, color="B3261E" if sample else "000000", size=13)
    ws.column_dimensions["A"].width = 120

    def titled(name: str, heading: str) -> Any:
        sheet = wb.create_sheet(name)
        append_row(sheet, [SAMPLE_MARK if sample else heading])
        sheet["A1"].font = Font(bold=True, color="B3261E" if sample else "000000")
        return sheet

    a = titled(SCREENING_SHEET, "Phiếu A — tiêu chí nhận diện nhanh (Phụ lục II Thông tư 07/2021)")
    append_row(a, [HEADER_TITLES[k] for k in SCREENING_HEADERS.values()])
    if sample:
        for criterion in _SAMPLE_SCREENING:
            append_row(a, list(criterion))
    _style_sheet(a, 2, [16, 60, 14, 30, 16])

    q = titled(QUESTION_SHEET, "Phiếu B — câu hỏi và phương án trả lời")
    append_row(q, [HEADER_TITLES[k] for k in QUESTION_HEADERS.values()])
    if sample:
        for row in _SAMPLE_QUESTIONS:
            append_row(q, list(row))
    _style_sheet(q, 2, [16, 50, 14, 40])

    p = titled(POINT_SHEET, "Phiếu B — điểm theo vùng (thành thị và nông thôn NT1…NT6)")
    append_row(
        p,
        ["Mã chỉ tiêu", "Mã phương án", "Phương án trả lời (tham khảo)"]
        + [region_heading(r) for r in FORM_REGIONS],
    )
    if sample:
        labels = {(i, c): lbl for i, _, c, lbl in _SAMPLE_QUESTIONS}
        for (item, code), values in _SAMPLE_POINTS.items():
            label = "Hằng số" if item == CONSTANT_ITEM else labels[(item, code)]
            append_row(p, [item, code or None, label, *values])
    _style_sheet(p, 2, [16, 14, 30] + [22] * len(FORM_REGIONS))

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
