"""Read an uploaded list into a frame of text columns. Pure module: no Django.

CSV: the delimiter is sniffed (``,`` ``;`` tab); the text is decoded as UTF-8 (with or without
BOM) and, failing that, as Windows-1258 (the Vietnamese Windows code page, whose tone marks are
combining characters: the text is normalised to NFC); anything else is refused. XLSX: the sheet
named "Danh sách" (the template's) or else the first sheet; the heading row is the first of the
first 20 rows that is at least half as full as the fullest one (lists often have a title above).
Every value is text: Excel dates become ``yyyy-mm-dd``, whole numbers lose their ``.0``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from hongheo.core.errors import ValidationError
from hongheo.core.xlsx import ArchiveLimits, ArchiveRefused, archive_limits, check_archive

ROW = "_row"  # the row's number in the original file (as a spreadsheet shows it)
DEFAULT_MAX_BYTES = 300 * 1024 * 1024
XLSX_MAX_BYTES = 60 * 1024 * 1024  # openpyxl reads ~50 k rows/s: beyond this, ask for CSV
TEMPLATE_SHEET = "Danh sách"


class ImportFileError(ValidationError):
    """The file cannot be read as a list: nothing is written."""

    code = "import_file"


@dataclass
class ReadResult:
    frame: pl.DataFrame  # text columns named as the file's headings, plus ROW
    columns: list[str]
    kind: str  # csv | xlsx
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_kind(name: str, data: bytes) -> str:
    lower = name.lower()
    if data[:4] == b"PK\x03\x04":
        if not lower.endswith((".xlsx", ".xlsm")):
            raise ImportFileError(_("Tệp nén không phải bảng tính Excel (.xlsx)."))
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Tệp Excel cũ (.xls) chưa được hỗ trợ: mở bằng Excel và lưu lại dưới dạng .xlsx hoặc CSV.")
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("Tệp có đuôi .xlsx nhưng không phải bảng tính Excel hợp lệ."))
    if lower.endswith((".csv", ".txt")):
        if b"\x00" in data[:4096]:
            raise ImportFileError(
                _("Tệp CSV chứa ký tự nhị phân (có thể là UTF-16): hãy lưu lại dạng CSV UTF-8.")
            )
        return "csv"
    raise ImportFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def read_table(
    name: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limit: int | None = None,
    archive: ArchiveLimits | None = None,
) -> ReadResult:
    """Read the file (the first ``limit`` data rows only, for a preview: the encoding is still
    checked on the whole file). Raises :class:`ImportFileError` with a Vietnamese reason."""
    if not data or not data.strip():
        raise ImportFileError(_("Tệp rỗng: không có dòng nào."))
    if len(data) > max_bytes:
        raise ImportFileError(
            _("Tệp quá lớn (%(value)s MB); giới hạn là %(value2)s MB.")
            % {"value": format(len(data) / 1048576, ".0f"), "value2": format(max_bytes / 1048576, ".0f")}
        )
    kind = file_kind(name, data)
    if kind == "xlsx" and len(data) > XLSX_MAX_BYTES:
        raise ImportFileError(
            _("Tệp Excel quá lớn (%(value)s MB; giới hạn %(value2)s MB): hãy lưu dưới dạng CSV UTF-8.")
            % {"value": format(len(data) / 1048576, ".0f"), "value2": XLSX_MAX_BYTES // 1048576}
        )
    if kind == "xlsx":  # before any parser opens it: a few MB must not expand to gigabytes
        check_archive_or_refuse(data, archive or archive_limits())
    result = _read_xlsx(data, limit) if kind == "xlsx" else _read_csv(data, limit)
    if result.frame.height == 0:
        raise ImportFileError(_("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."))
    return result


def check_archive_or_refuse(data: bytes, limits: ArchiveLimits) -> None:
    try:
        check_archive(data, limits)
    except ArchiveRefused as exc:
        raise ImportFileError(str(exc)) from exc


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError:
            raise ImportFileError(
                _(
                    "Không đọc được bảng mã của tệp (không phải UTF-8 hay Windows-1258): hãy lưu lại "
                    "dưới dạng “CSV UTF-8”."
                )
            )
        encoding = "windows-1258"
    warnings = []
    if encoding != "utf-8":
        warnings.append(
            "Tệp không phải UTF-8: đã đọc theo bảng mã Windows-1258 (tiếng Việt). Kiểm tra lại dấu."
        )
    if "\ufffd" in text[:100_000]:
        raise ImportFileError(_("Tệp có ký tự lỗi bảng mã (�): hãy lưu lại dưới dạng “CSV UTF-8”."))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, encoding, warnings


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_headings(raw: list[Any]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(raw, 1):
        text = " ".join(str(value if value is not None else "").split())
        text = text or f"Cột {i}"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        names.append(text)
    return names


def _read_csv(data: bytes, limit: int | None = None) -> ReadResult:
    text, encoding, warnings = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    if not any(h.strip() for h in header):
        raise ImportFileError(_("Dòng đầu của tệp CSV phải là dòng tiêu đề cột."))
    names = _clean_headings(header)
    if not text[len(first_line) :].strip():
        raise ImportFileError(_("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."))
    widest = _check_widths(text, delimiter, len(header), limit)
    extra = [f"_extra_{i}" for i in range(widest - len(names))]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            has_header=False,
            skip_rows=1,
            n_rows=limit,
            new_columns=names + extra,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        raise ImportFileError(
            _(
                "Không đọc được tệp CSV: số cột của các dòng không khớp dòng tiêu đề. Hãy mở tệp bằng "
                "Excel, kiểm tra các cột và lưu lại dưới dạng “CSV UTF-8”."
            )
        )
    frame = _tidy(frame.drop(extra))
    return ReadResult(frame, names, "csv", encoding, warnings)


def _check_widths(text: str, delimiter: str, width: int, limit: int | None) -> int:
    """The widest row; a row with more (non-empty) values than headings is refused with its number,
    instead of a library error or silently cut values (issue 8)."""
    widest = width
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    for number, row in enumerate(reader, start=2):
        if limit is not None and number > limit + 2:
            break
        if len(row) > width:
            if any(v.strip() for v in row[width:]):
                raise ImportFileError(
                    _(
                        "Dòng %(number)s có %(count)s cột, nhiều hơn %(width)s cột ở dòng tiêu đề. Hãy "
                        "đặt tiêu đề cho các cột thừa hoặc xoá chúng, rồi nhập lại."
                    )
                    % {"number": number, "count": len(row), "width": width}
                )
            widest = max(widest, len(row))
    return widest


def _tidy(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim every value ('' → null), drop fully empty rows, number the rows as in the file."""
    frame = frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in frame.columns
    ).with_row_index(ROW, offset=2)
    values = [c for c in frame.columns if c != ROW]
    if values:
        frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in values))
    return frame.with_columns(pl.col(ROW).cast(pl.Int64))


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, limit: int | None = None) -> ReadResult:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("Không mở được bảng tính Excel: %(exc)s") % {"exc": exc})
    try:
        sheet = book[TEMPLATE_SHEET] if TEMPLATE_SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        head: list[tuple[Any, ...]] = []
        for row in rows:
            head.append(row)
            if len(head) >= 20:
                break
        filled = [sum(1 for v in r if v not in (None, "")) for r in head]
        if not filled or max(filled) == 0:
            raise ImportFileError(_("Bảng tính rỗng: không có dòng nào."))
        need = max(2, (max(filled) + 1) // 2) if max(filled) > 1 else 1
        at = next(i for i, n in enumerate(filled) if n >= need)
        header = list(head[at])
        while header and header[-1] in (None, ""):
            header.pop()
        names = _clean_headings(header)
        width = len(names)
        body: list[list[str | None]] = []
        numbers: list[int] = []
        for offset, row in enumerate(head[at + 1 :], start=at + 2):
            body.append([_cell_text(v) for v in (list(row) + [None] * width)[:width]])
            numbers.append(offset)
        number = at + 1 + len(head[at + 1 :])
        for row in rows:
            if limit is not None and len(body) >= limit:
                break
            number += 1
            body.append([_cell_text(v) for v in (list(row) + [None] * width)[:width]])
            numbers.append(number)
    finally:
        book.close()
    frame = pl.DataFrame(body, schema=[(n, pl.String) for n in names], orient="row")
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in names)
    frame = frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64)).select([ROW, *names])
    if names:
        frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in names))
    return ReadResult(frame, names, "xlsx", "", [])
