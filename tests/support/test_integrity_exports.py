"""The province's flags from the database, and the hand-off exports (what leaves, audited)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from hongheo.core.errors import PermissionDenied
from hongheo.core.models import AuditEvent
from hongheo.registry.services import household_update_facts
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.support import exports, integrity, services
from hongheo.support.models import Assignment

from .conftest import ROLES

TODAY = timezone.localdate()


def poor_line(commune) -> int:
    return integrity.income_lines(commune, TODAY)[0][0]


def bunch(commune, village, factory, n=9, prefix="BX"):
    """n households just under the poor line."""
    line = poor_line(commune)
    out = []
    for i in range(n):
        h = factory(commune, village, f"{prefix}{i}", f"Hộ Dồn {i}")
        household_update_facts(actor=None, household=h, facts={"income_per_capita": line - 1_000 * (i + 1)})
        out.append(h)
    return out


def test_bunching_flag_with_links_only_for_the_province(listed, users, household_factory):
    bunch(listed.commune_a, listed.village_a1, household_factory)
    province = users["province_officer"]
    rows = {r.commune.code: r for r in integrity.province_flags(province)}
    flagged = rows[listed.commune_a.code]
    assert [f.check for f in flagged.findings] == ["bunching"]
    finding = flagged.findings[0]
    # the nine, and the two listed households of the world (1.450.000 đ, also just under the line)
    assert set(finding.households) == {f"BX{i}" for i in range(9)} | {"HH-A1", "HH-A2"}
    assert f"{poor_line(listed.commune_a):,}".replace(",", ".") in finding.reason
    assert set(flagged.households) == set(finding.households)  # each household linkable
    assert rows[listed.commune_b.code].findings == []
    assert listed.commune_c.code not in rows  # Hà Nội: another province
    for role in ROLES:
        if role != "province_officer":
            with pytest.raises(PermissionDenied):
                integrity.province_flags(users[role])


def test_round_checks_newly_poor_changed_after_meeting_bursts(listed, users, household_factory):
    line = poor_line(listed.commune_a)
    rnd = ReviewRound.objects.create(
        commune=listed.commune_a,
        kind="yearly",
        year=TODAY.year,
        state="posting",
        standard_code="vn-2026-2030",
        period_start=dt.date(TODAY.year, 9, 1),
        period_end=dt.date(TODAY.year, 12, 14),
    )
    meeting = rnd.meetings.create(
        held_on=TODAY - dt.timedelta(days=5), attendees=40, chair_name="A", secretary_name="B"
    )
    surveyor = users["surveyor"]
    rich = household_factory(listed.commune_a, listed.village_a1, "RICH", "Hộ Khá")
    household_update_facts(actor=None, household=rich, facts={"income_per_capita": line + 900_000})
    at = timezone.now() - dt.timedelta(days=10)
    RoundEntry.objects.create(
        round=rnd,
        household=rich,
        origin="application",
        previous_class="",
        state="agreed",
        proposed_class="poor",
        meeting=meeting,
        surveyed_by=surveyor,
        surveyed_at=at,
    )
    RoundEntry.objects.create(  # changed after the meeting, no complaint
        round=rnd,
        household=listed.hh_a1,
        origin="poor",
        previous_class="poor",
        state="agreed",
        proposed_class="poor",
        final_class="not_poor",
        meeting=meeting,
        surveyed_by=surveyor,
        surveyed_at=at,
    )
    for i in range(22):  # a burst of Phiếu B in 22 minutes
        h = household_factory(listed.commune_a, listed.village_a2, f"S{i}", f"Hộ Phiếu {i}")
        RoundEntry.objects.create(
            round=rnd,
            household=h,
            origin="application",
            state="surveyed",
            proposed_class="not_poor",
            surveyed_by=surveyor,
            surveyed_at=at + dt.timedelta(minutes=i),
        )
    row = integrity.province_flags(users["province_officer"], only=listed.commune_a.code)[0]
    by_check = dict(row.by_check())
    assert [f.households for f in by_check["newly_poor_contradiction"]] == [("RICH",)]
    assert [f.households for f in by_check["changed_after_meeting"]] == [("HH-A1",)]
    assert by_check["survey_burst"][0].figures == {"user": "surveyor", "count": 24}
    assert row.can_send_back


def test_target_comparison_is_a_named_empty_hook(listed):
    assert integrity.commune_target_drops([listed.commune_a], year=TODAY.year) == {}


# --- exports -------------------------------------------------------------------------------------------


@pytest.fixture
def assigned(listed, womens_union):
    services.households_assign(actor=None, organisation=womens_union, helper_name='=HYPERLINK("x")')
    return womens_union


def _personal(listed):
    ids = []
    for hh in (listed.hh_a1, listed.hh_a2):
        ids += [m.personal_id for m in hh.members.all()]
    return ids


def test_help_list_excel_has_only_what_the_organisation_needs(listed, users, assigned):
    content = exports.help_list_export(actor=users["commune_officer"], organisation=assigned, fmt="xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    text = " ".join(str(c) for c in cells)
    assert "Nguyễn Văn An" in text and "Lê Thị Đào" in text and "Hộ nghèo" in text and "Hộ cận nghèo" in text
    assert "Hỗ trợ y tế" in text and "Thôn 1" in text
    for pid in _personal(listed):
        assert pid not in text
    assert "Kinh" not in text and "1.450.000" not in text and "1450000" not in text
    assert "Thiếu vốn" not in text  # causes are not needed to help
    helper_cells = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert helper_cells and all(c.data_type == "s" for c in helper_cells)  # text, not a formula
    event = AuditEvent.objects.get(action="support.help_list_export.xlsx")
    assert event.kind == "export" and event.actor == users["commune_officer"]


def test_help_list_pdf(listed, users, assigned):
    from pypdf import PdfReader

    content = exports.help_list_export(actor=users["commune_chairman"], organisation=assigned, fmt="pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Nguyễn Văn An" in text and "HỘI LIÊN HIỆP PHỤ NỮ" in text
    for pid in _personal(listed):
        assert pid not in text
    assert AuditEvent.objects.filter(action="support.help_list_export.pdf", kind="export").count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_help_list_export_roles(listed, users, assigned, role):
    if role in ("commune_officer", "commune_chairman"):
        assert exports.help_list_export(actor=users[role], organisation=assigned, fmt="xlsx")
    else:
        with pytest.raises(PermissionDenied):
            exports.help_list_export(actor=users[role], organisation=assigned, fmt="xlsx")
        assert not AuditEvent.objects.filter(kind="export").exists()


def test_help_list_of_a_village_head_is_their_village_only(listed, users, assigned):
    from hongheo.support.selectors import organisation_help_lines

    lines = organisation_help_lines(user=users["village_head"], organisation=assigned)
    assert [line.head_name for line in lines] == ["Nguyễn Văn An"]
    assert Assignment.objects.filter(organisation=assigned).count() == 2
