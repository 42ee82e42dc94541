"""Helpers for the import tests: lists in the product's template built for the world's communes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import count

import pytest

_SERIAL = count(500_000)

HEADINGS = [
    "Mã hộ",
    "Mã xã/phường",
    "Thôn/tổ dân phố",
    "Địa chỉ",
    "Loại hộ hiện tại",
    "Số quyết định công nhận",
    "Ngày quyết định",
    "Họ và tên",
    "Số định danh cá nhân",
    "Ngày sinh",
    "Giới tính",
    "Quan hệ với chủ hộ",
    "Dân tộc",
    "Loại nhà ở",
    "Thu nhập bình quân (đồng/người/tháng)",
    "Nguyên nhân nghèo",
]


def pid(dob: dt.date, sex: str) -> str:
    digit = (dob.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    return f"046{digit}{dob.year % 100:02d}{next(_SERIAL):06d}"


def household_rows(
    code: str, commune_code: str, village: str = "Thôn 1", *, members: int = 3, cls: str = ""
) -> list[dict]:
    rows = []
    people = [
        ("Nguyễn Văn Hùng", dt.date(1975, 4, 3), "male", "Chủ hộ"),
        ("Trần Thị Lan", dt.date(1978, 11, 20), "female", "Vợ/chồng"),
        ("Nguyễn Minh Khang", dt.date(2005, 1, 9), "male", "Con"),
        ("Nguyễn Thị Hoa", dt.date(2010, 7, 30), "female", "Con"),
    ]
    for name, dob, sex, relation in people[:members]:
        rows.append(
            {
                "Mã hộ": code,
                "Mã xã/phường": commune_code,
                "Thôn/tổ dân phố": village,
                "Địa chỉ": f"{village}",
                "Loại hộ hiện tại": cls if relation == "Chủ hộ" else "",
                "Số quyết định công nhận": "15/QĐ-UBND" if cls and relation == "Chủ hộ" else "",
                "Ngày quyết định": "20/12/2024" if cls and relation == "Chủ hộ" else "",
                "Họ và tên": name,
                "Số định danh cá nhân": pid(dob, sex),
                "Ngày sinh": dob.strftime("%d/%m/%Y"),
                "Giới tính": "Nam" if sex == "male" else "Nữ",
                "Quan hệ với chủ hộ": relation,
                "Dân tộc": "Kinh",
                "Loại nhà ở": "Nhà bán kiên cố" if relation == "Chủ hộ" else "",
                "Thu nhập bình quân (đồng/người/tháng)": "1.200.000" if relation == "Chủ hộ" else "",
                "Nguyên nhân nghèo": "Thiếu vốn sản xuất, kinh doanh; Thiếu đất sản xuất"
                if relation == "Chủ hộ"
                else "",
            }
        )
    return rows


def to_csv(rows: list[dict], headings: list[str] | None = None, *, encoding: str = "utf-8") -> bytes:
    headings = headings or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headings, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run_import(user, name: str, data: bytes, **kwargs):
    from hongheo.capture.imports.services import import_upload
    from hongheo.core.jobs import run_pending_jobs

    batch = import_upload(actor=user, name=name, data=data, **kwargs)
    run_pending_jobs()
    batch.refresh_from_db()
    return batch


@pytest.fixture
def officer(world):
    from hongheo.users.models import Role

    return world.users[Role.COMMUNE_OFFICER]


@pytest.fixture
def imp():
    """The helpers above (test modules cannot import conftest under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        household_rows=household_rows, to_csv=to_csv, run=run_import, pid=pid, headings=HEADINGS
    )
