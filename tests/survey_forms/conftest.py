"""Fixtures for the Phiếu A / Phiếu B tests: xlsx files written with openpyxl in tmp."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from hongheo.standards.rules.scoring import FORM_REGIONS

# A small table (invented numbers, test data only). Row numbers in Excel: title row 1, header row 2,
# so the first data row is 3.
QUESTIONS: list[tuple[Any, ...]] = [
    ("NHA", "Loại nhà", "1", "Kiên cố"),  # row 3
    ("NHA", "", "2", "Đơn sơ"),  # row 4
    ("TIVI", "Có ti vi", "1", "Có"),  # row 5
    ("TIVI", None, "2", "Không"),  # row 6
    ("THUYEN", "Có thuyền", "1", "Có"),  # row 7
    ("THUYEN", None, "2", "Không"),  # row 8
]
#           urban nt1 nt2 nt3 nt4 nt5 nt6
POINTS: list[tuple[Any, ...]] = [
    ("HANG_SO", None, 100, 80, 80, 80, 80, 80, 80),  # row 3
    ("NHA", "1", 50, 40, 40, 40, 40, 40, 40),  # row 4
    ("NHA", "2", 10, 5, 5, 5, 5, 5, 5),  # row 5
    ("TIVI", 1, 20, 15, 15, 15, 15, 15, 15),  # row 6 (answer code typed as a number)
    ("TIVI", "2", 0, 0, 0, 0, 0, 0, 0),  # row 7
    ("THUYEN", "1", "-", "-", "-", 12, "-", "-", 12),  # row 8
    ("THUYEN", "2", "-", "-", "-", 0, "-", "-", 0),  # row 9
]
SCREENING: list[tuple[Any, ...]] = [
    ("LUONG", "Có người hưởng lương ngân sách", "1", "Có", "Có"),  # row 3
    ("LUONG", "", "2", "Không", "Không"),  # row 4
    ("OTO", "Có ô tô", "1", "Có", "có"),  # row 5
    ("OTO", "", "2", "Không", "không"),  # row 6
]


def write_xlsx(
    path: Path,
    *,
    questions: Sequence[Sequence[Any]] = QUESTIONS,
    points: Sequence[Sequence[Any]] = POINTS,
    screening: Sequence[Sequence[Any]] = SCREENING,
    regions: Sequence[str] = FORM_REGIONS,
    title: str = "Bảng điểm nhập thử",
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    a = wb.create_sheet("Phiếu A - Tiêu chí")
    a.append([title])
    a.append(["Mã tiêu chí", "Tiêu chí", "Mã phương án", "Phương án trả lời", "Loại trừ ngay"])
    for row in screening:
        a.append(list(row))
    q = wb.create_sheet("Phiếu B - Câu hỏi")
    q.append([title])
    q.append(["Mã chỉ tiêu", "Tên chỉ tiêu", "Mã phương án", "Phương án trả lời"])
    for row in questions:
        q.append(list(row))
    p = wb.create_sheet("Phiếu B - Điểm")
    p.append([title])
    p.append(["Mã chỉ tiêu", "Mã phương án", *[f"Vùng ({r})" for r in regions]])
    for row in points:
        p.append(list(row))
    wb.save(path)
    return path


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1, 1000))

    def make(**kwargs: Any) -> Path:
        return write_xlsx(tmp_path / f"bang-{next(counter)}.xlsx", **kwargs)

    return make
