"""Official outputs carry no internal notes: every PDF the product prints and every workbook it
exports is scanned for the provenance notes kept in the data (legal-source remarks, "unverified",
"addendum §…", "fact sheet §…", third-party remarks). Provenance is for administrators' pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pypdf
import pytest

from hongheo.reviews import documents
from hongheo.reviews import services as s
from hongheo.reviews.models import Application, Certificate, CommunityMeeting, Decision
from hongheo.users.models import Role

pytestmark = pytest.mark.django_db

MARKERS = re.compile(
    r"CHƯA XÁC MINH|chưa xác minh|addendum|fact sheet|3RD-PARTY|third-party|bên thứ ba|"
    r"unverified|verified-weak|chưa kiểm chứng|theo trí nhớ|chưa đối chiếu|Nguồn bố cục|"
    r"KHÔNG CHÍNH THỨC|\bnguồn\b.*status",
    re.IGNORECASE,
)
D = dt.date(2026, 10, 1)


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    parts = [book.properties.title or "", book.properties.description or ""]
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    book.close()
    return "\n".join(parts)


def _clean(name: str, text: str) -> None:
    assert text.strip(), f"{name}: empty"
    found = MARKERS.findall(text)
    assert not found, f"{name} carries internal notes: {found}"


@pytest.fixture
def signed(world):
    """A yearly round of commune A taken to a signed decision with a certificate."""
    u = world.users
    officer, surveyor, chairman = u[Role.COMMUNE_OFFICER], u[Role.SURVEYOR], u[Role.COMMUNE_CHAIRMAN]
    s.status_baseline_set(
        actor=None, household=world.hh_a1, classification="poor", since=dt.date(2025, 12, 20), source="DS"
    )
    s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=D,
    )
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    entries = {e.household.code: e for e in rnd.entries.select_related("household")}
    s.screening_record(actor=surveyor, entry=entries["HH-A2"], excluded=False)
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_survey")
    s.survey_record(actor=surveyor, entry=entries["HH-A1"], facts={"income_per_capita": 2_900_000})
    s.survey_record(actor=surveyor, entry=entries["HH-A2"], facts={"income_per_capita": 1_100_000})
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    for village, code in ((world.village_a1, "HH-A1"), (world.village_a2, "HH-A2")):
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=village,
            held_on=D,
            attendees=30,
            chair_name="Trưởng thôn",
            secretary_name="Thư ký",
            votes={entries[code].pk: 20},
        )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    s.posting_record(actor=officer, review_round=rnd, posted_from=dt.date(2026, 11, 2), places="Nhà văn hóa")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    s.decision_sign(actor=chairman, review_round=rnd, number="12/QĐ-UBND", signed_on=dt.date(2026, 11, 20))
    return rnd


def test_pdfs_carry_no_internal_notes(world, signed):
    meeting = CommunityMeeting.objects.filter(round=signed).first()
    _clean("biên bản họp", _pdf_text(documents.minutes_pdf(meeting)))
    decision = Decision.objects.get()
    _clean("Mẫu 02", _pdf_text(documents.decision_pdf(decision)))
    certificates = list(Certificate.objects.all())
    assert certificates
    _clean("Mẫu 03", _pdf_text(documents.certificates_pdf(certificates, lambda c: f"https://x/{c.token}")))
    _clean("danh sách niêm yết", _pdf_text(documents.posting_list_pdf(signed, world.village_a1)))
    officer = world.users[Role.COMMUNE_OFFICER]
    application = s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Nguyễn Văn Khánh",
        household=world.hh_a1,
        received_on=D,
    )
    s.application_refuse(
        actor=world.users[Role.COMMUNE_CHAIRMAN], application=application, reason="Thu nhập cao", on=D
    )
    _clean("văn bản trả lời", _pdf_text(documents.refusal_pdf(Application.objects.get(pk=application.pk))))


def test_workbooks_carry_no_internal_notes(world, signed):
    from hongheo.capture.imports.fields import LAYOUTS
    from hongheo.capture.imports.template import template_workbook
    from hongheo.reports.catalog import catalog
    from hongheo.reports.services import household_list_export, report_workbook

    officer = world.users[Role.COMMUNE_OFFICER]
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    _clean(
        "biểu báo cáo", _xlsx_text(report_workbook(actor=officer, area=world.commune_a, start=start, end=end))
    )
    for layout in catalog().layouts.values():
        if layout.is_personal:
            data = household_list_export(actor=officer, area=world.commune_a, on=end, layout_code=layout.code)
            _clean(layout.code, _xlsx_text(data))
    for layout in LAYOUTS:
        _clean(f"mẫu nhập {layout}", _xlsx_text(template_workbook(layout)))


def test_household_export_carries_no_internal_notes(world, signed):
    from hongheo.core.jobs import job_enqueue, run_pending_jobs
    from hongheo.core.models import Job

    officer = world.users[Role.COMMUNE_OFFICER]
    job = job_enqueue(
        actor=officer, kind="registry.export_households", title="x", params={"user_id": officer.pk}
    )
    run_pending_jobs()
    job = Job.objects.get(pk=job.pk)
    assert job.state == "succeeded", job.error
    with job.result_file.open("rb") as fh:
        _clean("danh sách hộ", _xlsx_text(fh.read()))
