"""Excel output (openpyxl reads it back), the audited detailed list, the reporting calendar around
its dates, and the pages (scope, CSP-friendly markup)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from hongheo.core.models import AuditEvent
from hongheo.reports import builders, services, xlsx
from hongheo.reports.calendar import DueReport, calendar_for, due_reports, report_state, shipped_due_reports
from hongheo.reports.models import ReportSubmission
from hongheo.users.models import Role

from .conftest import add_change, add_household, set_status

D = dt.date


@pytest.fixture
def small(world):
    p1 = add_household(world.commune_a, world.village_a1, head_name="Hộ Nghèo Một", size=4)
    set_status(p1, "poor", D(2023, 1, 1))
    p2 = add_household(world.commune_a, world.village_a2, head_name="Hộ Nghèo Hai")
    add_change(p2, "near_poor", "poor", D(2024, 4, 1))
    n1 = add_household(world.commune_a, world.village_a2, head_name="Hộ Cận Nghèo")
    set_status(n1, "near_poor", D(2023, 1, 1))
    other = add_household(world.commune_b, None, head_name="Hộ Xã Khác")
    set_status(other, "poor", D(2023, 1, 1))
    return {"p1": p1, "p2": p2, "n1": n1, "other": other}


def _cells(ws):
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_excel_has_headings_units_footnotes_and_signatures(world, small):
    officer = world.users[Role.COMMUNE_OFFICER]
    tables = builders.report_tables(officer, world.commune_a, D(2024, 1, 1), D(2024, 12, 31))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.tables_workbook(tables)))
    assert wb.sheetnames[:3] == ["Kết quả", "Diễn biến hộ nghèo", "Diễn biến hộ cận nghèo"]
    ws = wb["Kết quả"]
    text = " | ".join(_cells(ws))
    assert ws["A4"].value == "TỔNG HỢP KẾT QUẢ HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ CÓ MỨC SỐNG TRUNG BÌNH"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Địa bàn: {world.commune_a.name}" in text and "từ ngày 01/01/2024 đến ngày 31/12/2024" in text
    assert "Đơn vị tính: hộ, người, %" in text
    assert "Số hộ (hộ)" in text and "Tỷ lệ (%)" in text and "Hộ nghèo" in text
    assert "Phiên bản biểu" in text  # the method notes stay; the layout's provenance does not
    assert "chưa đối chiếu" not in text.lower() and "addendum" not in text
    assert "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text and "(Ký tên, đóng dấu)" in text
    # the total row: poor households of the commune, as a number with a count format
    total_row = next(r for r in ws.iter_rows() if r[1].value == "Tổng cộng")
    headings = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "A")]
    poor_col = 2 + [c.measure for c in tables[0].columns].index("cls:poor")
    assert headings[poor_col] == str(poor_col - 1)
    assert total_row[poor_col].value == 2
    assert total_row[poor_col].number_format == "#,##0"
    rate = total_row[poor_col + 2]
    assert rate.number_format == "#,##0.00" and rate.value == pytest.approx(2 * 100 / 5)


def test_household_list_export_is_audited_and_scoped(world, small):
    officer = world.users[Role.COMMUNE_OFFICER]
    before = AuditEvent.objects.filter(kind="export").count()
    data = services.household_list_export(
        actor=officer, area=world.commune_a, on=D(2024, 12, 31), layout_code="danh_sach_ho_ngheo"
    )
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    text = " | ".join(_cells(ws))
    assert "Hộ Nghèo Một" in text and "Hộ Nghèo Hai" in text
    assert "Hộ Cận Nghèo" not in text and "Hộ Xã Khác" not in text
    assert "NGƯỜI LẬP BIỂU" in text and "Tổng cộng: 2 hộ" in text
    event = AuditEvent.objects.filter(kind="export").latest("at")
    assert AuditEvent.objects.filter(kind="export").count() == before + 1
    assert event.action == "reports.household_list_export" and event.actor_username == officer.username
    assert event.area_code == world.commune_a.code
    # on 1 March 2024 the second household was still near-poor
    data = services.household_list_export(
        actor=officer, area=world.commune_a, on=D(2024, 3, 1), layout_code="danh_sach_ho_can_ngheo"
    )
    text = " | ".join(_cells(openpyxl.load_workbook(io.BytesIO(data)).active))
    assert "Hộ Nghèo Hai" in text and "Hộ Cận Nghèo" in text and "Hộ Nghèo Một" not in text


def test_household_list_view_is_post_only_and_audited(client, world, small):
    officer = world.users[Role.COMMUNE_OFFICER]
    client.force_login(officer)
    url = reverse("web:reports_household_list")
    assert client.get(url).status_code == 405
    before = AuditEvent.objects.filter(kind="export", action="reports.household_list_export").count()
    r = client.post(
        url, {"dia_ban": world.commune_a.code, "den_ngay": "2024-12-31", "bieu": "danh_sach_ho_ngheo"}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        AuditEvent.objects.filter(kind="export", action="reports.household_list_export").count() == before + 1
    )
    # another commune looks like a missing one, and nothing is logged
    r = client.post(
        url, {"dia_ban": world.commune_b.code, "den_ngay": "2024-12-31", "bieu": "danh_sach_ho_ngheo"}
    )
    assert r.status_code == 404
    assert (
        AuditEvent.objects.filter(kind="export", action="reports.household_list_export").count() == before + 1
    )


def test_report_pages_scope_by_role(client, world, small):
    officer = world.users[Role.COMMUNE_OFFICER]
    client.force_login(officer)
    r = client.get(reverse("web:reports"), {"tu_ngay": "2024-01-01", "den_ngay": "2024-12-31"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Thôn 1" in html and world.commune_b.name not in html
    assert "<script>" not in html and " style=" not in html
    assert "chưa đối chiếu Phụ lục VII" not in html and "addendum" not in html  # no internal notes
    assert client.get(reverse("web:reports"), {"dia_ban": world.commune_b.code}).status_code == 404
    assert client.get(reverse("web:reports_export"), {"dia_ban": world.hue.code}).status_code == 404
    r = client.get(
        reverse("web:reports_export"), {"tu_ngay": "2024-01-01", "den_ngay": "2024-12-31", "bieu": "ket_qua"}
    )
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Kết quả"]
    province = world.users[Role.PROVINCE_OFFICER]
    client.force_login(province)
    html = client.get(reverse("web:reports"), {"den_ngay": "2024-12-31", "bieu": "ket_qua"}).content.decode()
    assert world.commune_a.name in html and world.commune_b.name in html and world.commune_c.name not in html


# --- calendar ---------------------------------------------------------------------------------------


SPEC = [
    {"code": "monthly", "title": "Tháng", "due": "monthly-05", "months": [2, 3, 4, 5, 6, 7, 8, 9]},
    {"code": "preliminary", "title": "Sơ bộ", "due": "11-15"},
    {"code": "official", "title": "Chính thức", "due": "12-20"},
]
INCL = {"monthly": True, "preliminary": False, "official": False}


def test_due_reports_of_a_year():
    dues = due_reports(2025, SPEC, inclusive=INCL)
    monthly = [d for d in dues if d.code == "monthly"]
    assert [d.due_on for d in monthly] == [D(2025, m, 5) for m in range(2, 10)]
    assert monthly[0].period_start == D(2025, 1, 1) and monthly[0].period_end == D(2025, 1, 31)
    prelim = next(d for d in dues if d.code == "preliminary")
    official = next(d for d in dues if d.code == "official")
    assert (prelim.due_on, prelim.last_on_time) == (D(2025, 11, 15), D(2025, 11, 14))
    assert (official.due_on, official.last_on_time) == (D(2025, 12, 20), D(2025, 12, 19))
    assert len(dues) == 10
    assert [d.code for d in shipped_due_reports(2025)] == [d.code for d in dues]


@pytest.mark.parametrize(
    ("code", "submitted", "today", "state"),
    [
        ("monthly", D(2025, 3, 5), D(2025, 3, 10), "on_time"),
        ("monthly", D(2025, 3, 6), D(2025, 3, 10), "late"),
        ("monthly", None, D(2025, 3, 5), "due_soon"),
        ("monthly", None, D(2025, 3, 6), "overdue"),
        ("monthly", None, D(2025, 2, 20), "pending"),
        ("preliminary", D(2025, 11, 14), D(2025, 12, 1), "on_time"),
        ("preliminary", D(2025, 11, 15), D(2025, 12, 1), "late"),
        ("preliminary", None, D(2025, 11, 14), "due_soon"),
        ("preliminary", None, D(2025, 11, 15), "overdue"),
        ("official", D(2025, 12, 19), D(2025, 12, 30), "on_time"),
        ("official", D(2025, 12, 20), D(2025, 12, 30), "late"),
        ("official", None, D(2025, 12, 20), "overdue"),
    ],
)
def test_report_state_around_the_dates(code, submitted, today, state):
    dues = [d for d in due_reports(2025, SPEC, inclusive=INCL) if d.code == code]
    due: DueReport = next(d for d in dues if d.month in (None, 3))
    assert report_state(due, submitted, today) == state


def test_submission_record_and_calendar_page(client, world, small):
    officer = world.users[Role.COMMUNE_OFFICER]
    area = world.commune_a
    due = next(d for d in shipped_due_reports(2025) if d.code == "monthly" and d.month == 3)
    services.report_submission_record(
        actor=officer,
        area=area,
        due=due,
        data=b"x",
        reports=["ket_qua"],
        start=due.period_start,
        end=due.period_end,
        submitted_on=D(2025, 3, 7),
    )
    lines = calendar_for(area, 2025, D(2025, 6, 1))
    states = {(line.due.code, line.due.month): line.state for line in lines}
    assert states[("monthly", 3)] == "late"
    assert states[("monthly", 2)] == "overdue"
    assert states[("monthly", 6)] == "due_soon"
    assert states[("preliminary", None)] == "pending"
    assert AuditEvent.objects.filter(action="reports.submission_record").exists()

    client.force_login(officer)
    html = client.get(reverse("web:reports_calendar"), {"nam": "2025"}).content.decode()
    assert 'class="deprived" data-state="late"' in html
    assert 'data-state="overdue"' in html
    # exporting a due report "as submitted" records it
    r = client.post(
        reverse("web:reports_submit"), {"dia_ban": area.code, "loai": "monthly", "nam": "2025", "thang": "4"}
    )
    assert r.status_code == 200
    sub = ReportSubmission.objects.get(area=area, calendar_code="monthly", year=2025, month=4)
    assert sub.period_start == D(2025, 3, 1) and sub.period_end == D(2025, 3, 31)
    assert "ket_qua" in sub.reports and len(sub.sha256) == 64
    # a surveyor may read reports of the commune but not submit them
    client.force_login(world.users[Role.SURVEYOR])
    r = client.post(reverse("web:reports_submit"), {"dia_ban": area.code, "loai": "official", "nam": "2025"})
    assert r.status_code == 403
