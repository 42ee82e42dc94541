"""Issue 7: records that hold up.

- the official list is an effective-dated history: reports for a past date are byte-identical after a
  later decision, and a confirmed household keeps its period;
- one truth per household: the stored result, the printed score card and the official status agree,
  each says which it is, and the Phiếu B facts become the facts of record only with the decision;
- the procedure cannot be skipped by accident (early end of posting, re-meetings, cancel, double posts).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import openpyxl
import pytest
from django.test import Client

from hongheo.core.errors import Conflict, ValidationError
from hongheo.reports import builders, engine
from hongheo.reports.xlsx import tables_workbook
from hongheo.reviews import services as s
from hongheo.reviews.models import CommunityMeeting, Complaint, OfficialStatus, ReviewRound, StatusChange
from hongheo.reviews.status import (
    BEFORE_HISTORY,
    Period,
    history_from_legacy,
    official_status_set,
    status_current,
    status_on,
)

D = dt.date(2026, 10, 1)
SIGNED = dt.date(2026, 11, 28)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _entries(review_round):
    return {e.household.code: e for e in review_round.entries.select_related("household")}


def _run_round(world, people, incomes: dict[str, int], *, year=2026, signed=SIGNED):
    """A yearly round of commune A through every step, with the given Phiếu B incomes."""
    officer = people["officer"]
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=year)
    for e in _entries(rnd).values():
        if e.origin == "application":
            s.screening_record(actor=people["surveyor"], entry=e, excluded=False)
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_survey")
    entries = _entries(rnd)
    for code, income in incomes.items():
        s.survey_record(actor=people["surveyor"], entry=entries[code], facts={"income_per_capita": income})
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    entries = _entries(rnd)
    by_village: dict = {}
    for e in entries.values():
        by_village.setdefault(e.household.village, []).append(e)
    for village, es in by_village.items():
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=village,
            held_on=D,
            attendees=30,
            chair_name="Trưởng thôn",
            secretary_name="Thư ký",
            votes={e.pk: 20 for e in es},
        )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    s.posting_record(actor=officer, review_round=rnd, posted_from=dt.date(2026, 11, 2), places="Nhà văn hóa")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    return s.decision_sign(actor=people["chairman"], review_round=rnd, number="25/QĐ-UBND", signed_on=signed)


def _snapshot(user, area, start, end) -> str:
    """Every report table's values, and the Excel workbook's cell values, as one string."""
    tables = builders.report_tables(user, area, start, end)
    values = {t.layout.code: [(r.key, r.name, r.values) for r in t.rows] for t in tables}
    book = openpyxl.load_workbook(io.BytesIO(tables_workbook(tables)), read_only=True)
    cells = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    return json.dumps({"tables": values, "xlsx": cells}, default=str, ensure_ascii=False, sort_keys=True)


# --- 1. official history --------------------------------------------------------------------------------


def test_past_reports_are_identical_after_a_later_decision(world, people):
    """The Hương Thủy case: households confirmed poor by the 2026 decision must not look newly listed
    in the 2025 report, and the 2026 movement table must not invent increases."""
    for household in (world.hh_a1, world.hh_a2):
        s.status_baseline_set(
            actor=None,
            household=household,
            classification="poor",
            since=dt.date(2025, 6, 1),
            source="DS 2025",
        )
    province = people["province"]
    periods = [
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2026, 1, 1), dt.date(2026, 11, 27)),
    ]
    before = {p: _snapshot(province, world.hue, *p) for p in periods}
    commune_before = _snapshot(people["officer"], world.commune_a, *periods[0])
    # HH-A1 stays poor (confirmed), HH-A2 escapes
    _run_round(world, people, {"HH-A1": 1_000_000, "HH-A2": 4_000_000})
    assert {c.household.code: c.kind for c in StatusChange.objects.all()} == {"HH-A2": "escaped_poverty"}
    for p in periods:
        after = _snapshot(province, world.hue, *p)
        if after != before[p]:  # say which table and row moved
            a, b = json.loads(after), json.loads(before[p])
            diff = [
                (code, rb, ra)
                for code in b["tables"]
                for rb, ra in zip(b["tables"][code], a["tables"][code], strict=True)
                if rb != ra
            ]
            raise AssertionError(f"{p}: {diff[:3]} xlsx equal: {a['xlsx'] == b['xlsx']}")
    assert _snapshot(people["officer"], world.commune_a, *periods[0]) == commune_before
    # the confirmed household kept its 2025 period; the escaped one has a closed period and a new one
    a1 = list(OfficialStatus.objects.filter(household=world.hh_a1))
    assert [(p.classification, p.valid_from, p.valid_to) for p in a1] == [("poor", dt.date(2025, 6, 1), None)]
    a2 = list(OfficialStatus.objects.filter(household=world.hh_a2).order_by("valid_from"))
    assert [(p.classification, p.valid_to) for p in a2] == [("poor", SIGNED), ("not_poor", None)]
    assert a2[1].decision is not None and a2[1].decision.number == "25/QĐ-UBND"
    # the 2026 movement: start 2, one escaped, no other increase, end 1
    t = {
        x.layout.code: x
        for x in builders.report_tables(people["officer"], world.commune_a, dt.date(2026, 1, 1), SIGNED)
    }
    movement = t["dien_bien_ngheo"]
    total = engine.TOTAL_ROW
    assert movement.value(total, "tr:poor:start") == 2
    assert movement.value(total, "tr:poor:end") == 1
    assert movement.value(total, "tr:poor:inc_total") == 0
    assert movement.value(total, "tr:poor:dec_total") == 1
    # "the list on date D"
    assert builders.household_list(people["officer"], world.commune_a, dt.date(2025, 12, 31), "poor")[
        0
    ].since == (dt.date(2025, 6, 1))
    assert (
        len(builders.household_list(people["officer"], world.commune_a, dt.date(2025, 12, 31), "poor")) == 2
    )
    assert len(builders.household_list(people["officer"], world.commune_a, SIGNED, "poor")) == 1


def test_history_is_appended_never_rewritten(world):
    h = world.hh_a1
    first = official_status_set(
        actor=None, household=h, classification="poor", effective_on=dt.date(2024, 1, 1), source="a"
    )
    same = official_status_set(
        actor=None, household=h, classification="poor", effective_on=dt.date(2025, 1, 1), source="b"
    )
    assert same.pk == first.pk and same.valid_from == dt.date(2024, 1, 1) and same.source == "a"
    official_status_set(
        actor=None, household=h, classification="near_poor", effective_on=dt.date(2025, 3, 1), source="c"
    )
    with pytest.raises(Conflict):  # a period cannot start before the open one
        official_status_set(
            actor=None, household=h, classification="poor", effective_on=dt.date(2025, 2, 1), source="d"
        )
    assert status_on(h, dt.date(2024, 6, 1)).classification == "poor"
    assert status_on(h, dt.date(2025, 3, 1)).classification == "near_poor"
    assert status_on(h, dt.date(2023, 12, 31)) is None
    assert status_current(h).classification == "near_poor"
    assert OfficialStatus.objects.filter(household=h).count() == 2
    with pytest.raises(ValidationError):
        official_status_set(
            actor=None, household=h, classification="rich", effective_on=dt.date(2026, 1, 1), source="x"
        )


@pytest.mark.parametrize(
    ("status", "ledger", "expected"),
    [
        # a stable household: one open period from its date
        (
            ("poor", dt.date(2025, 12, 20), "DS 2025", None),
            [],
            [Period("poor", dt.date(2025, 12, 20), None, "DS 2025")],
        ),
        # the bug's victim: confirmed by a later decision (``since`` overwritten), no ledger row
        (
            ("poor", dt.date(2026, 12, 5), "QĐ 12", 7),
            [],
            [Period("poor", dt.date(2026, 12, 5), None, "QĐ 12", 7)],
        ),
        # a change: the class before it held from before the history
        (
            ("not_poor", dt.date(2026, 12, 5), "QĐ 12", 7),
            [(dt.date(2026, 12, 5), "poor", "not_poor", 7)],
            [
                Period("poor", BEFORE_HISTORY, dt.date(2026, 12, 5), "Danh sách trước khi dùng hệ thống"),
                Period("not_poor", dt.date(2026, 12, 5), None, "Biến động", 7),
            ],
        ),
        # a household that ceased to exist: its period closes; the former status opens the last one
        (
            ("not_poor", dt.date(2026, 3, 1), "Hộ không còn", None),
            [(dt.date(2025, 1, 1), "", "poor", 3), (dt.date(2026, 3, 1), "poor", "", None)],
            [
                Period("poor", dt.date(2025, 1, 1), dt.date(2026, 3, 1), "Biến động", 3),
                Period("not_poor", dt.date(2026, 3, 1), None, "Hộ không còn", None),
            ],
        ),
        # no former status at all, only ledger rows
        (
            None,
            [(dt.date(2025, 1, 1), "", "near_poor", None)],
            [Period("near_poor", dt.date(2025, 1, 1), None, "Biến động")],
        ),
    ],
)
def test_legacy_status_becomes_history_without_loss(status, ledger, expected):
    assert history_from_legacy(status, ledger) == expected


# --- 2. one truth per household ---------------------------------------------------------------------------


def test_page_score_card_and_official_list_agree(world, people):
    """The case that used to disagree: the household page, its indicator table, the printed card and the
    official list after a Phiếu B and after the decision."""
    h = world.hh_a1
    s.status_baseline_set(
        actor=None, household=h, classification="poor", since=dt.date(2025, 12, 20), source="DS 2025"
    )
    officer = _client(people["officer"])
    rnd = s.round_open(actor=people["officer"], commune=world.commune_a, kind="yearly", year=2026)
    rnd = s.round_advance(actor=people["officer"], review_round=rnd, action="start_survey")
    entry = _entries(rnd)["HH-A1"]
    old_income = h.income_per_capita
    entry = s.survey_record(
        actor=people["surveyor"],
        entry=entry,
        facts={"income_per_capita": 2_000_000, "toilet": "flush_septic"},
    )
    result = entry.result
    assert result.facts_record == entry.facts_record and result.income_used == 2_000_000
    h.refresh_from_db()
    assert h.income_per_capita == old_income  # facts of record unchanged until the decision

    page = officer.get(f"/ho/{h.pk}/").content.decode()
    card = officer.get(f"/ho/{h.pk}/phieu-xep-loai/").content.decode()
    label = str(result.get_classification_display())
    # the stored result: same class, same deprived count on the page, in its table and on the card
    assert f'data-testid="class-label">{label}<' in page
    assert page.count('data-deprived="1"') == result.deprived_count
    assert f'data-testid="result-deprived-count">{result.deprived_count}<' in page
    assert f'data-testid="card-deprived">{result.deprived_count}<' in card
    assert f'data-testid="card-class">{label.upper()}<' in card
    assert "2.000.000" in card and "Phiếu B của đợt rà soát" in page
    # the official status is shown apart, as what it is
    assert 'data-testid="official-status">Hộ nghèo<' in page and "DS 2025" in page
    assert 'data-kind="indicative"' not in page  # nothing changed since the stored result

    _run_round_rest(rnd, people)
    h.refresh_from_db()
    assert h.income_per_capita == 2_000_000 and h.toilet == "flush_septic"  # applied by the decision
    page = officer.get(f"/ho/{h.pk}/").content.decode()
    assert f'data-testid="official-status">{label}<' in page
    assert "Quyết định số 25/QĐ-UBND" in page
    assert 'data-testid="stale"' not in page
    # 2.000.000 is at or below the 2026–2030 rural line: the household is on the official list on that date
    assert result.classification in ("poor", "near_poor")
    official_list = builders.household_list(people["officer"], world.commune_a, SIGNED, result.classification)
    assert h.code in {x.code for x in official_list}
    # an edit after the decision: the stored result stays, marked, and an indicative result appears
    from hongheo.registry.services import household_update_facts

    household_update_facts(actor=people["officer"], household=h, facts={"income_per_capita": 9_000_000})
    page = officer.get(f"/ho/{h.pk}/").content.decode()
    card = officer.get(f"/ho/{h.pk}/phieu-xep-loai/").content.decode()
    assert (
        'data-testid="stale"' in page
        and 'data-kind="indicative"' in page
        and "Chỉ mang tính tham khảo" in page
    )
    assert 'data-testid="card-stale"' in card and f'data-testid="card-class">{label.upper()}<' in card
    # "classify again" stores a new result on the facts of record
    assert officer.post(f"/ho/{h.pk}/xep-loai-lai/").status_code == 302
    page = officer.get(f"/ho/{h.pk}/").content.decode()
    assert 'data-kind="indicative"' not in page and 'data-testid="stale"' not in page


def _run_round_rest(rnd, people):
    officer = people["officer"]
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    for e in _entries(rnd).values():
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=e.household.village,
            held_on=D,
            attendees=30,
            chair_name="A",
            secretary_name="B",
            votes={e.pk: 20},
        )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    s.posting_record(actor=officer, review_round=rnd, posted_from=dt.date(2026, 11, 2), places="Nhà văn hóa")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    return s.decision_sign(actor=people["chairman"], review_round=rnd, number="25/QĐ-UBND", signed_on=SIGNED)


# --- 3. the procedure cannot be skipped by accident ----------------------------------------------------


def _to_posting(world, people):
    s.status_baseline_set(
        actor=None, household=world.hh_a1, classification="poor", since=dt.date(2025, 12, 20), source="DS"
    )
    officer = people["officer"]
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_survey")
    entry = _entries(rnd)["HH-A1"]
    s.survey_record(actor=people["surveyor"], entry=entry, facts={"income_per_capita": 1_000_000})
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    return rnd, entry


def test_posting_cannot_end_before_its_end_date_without_a_reason(world, people):
    rnd, entry = _to_posting(world, people)
    officer = people["officer"]
    s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a1,
        held_on=D,
        attendees=10,
        chair_name="A",
        secretary_name="B",
        votes={entry.pk: 6},
    )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    posting = s.posting_record(
        actor=officer, review_round=rnd, posted_from=dt.date(2026, 11, 27), places="Nhà văn hóa"
    )
    today = dt.date(2026, 11, 28)
    assert today <= posting.posted_to
    with pytest.raises(ValidationError, match="phải ghi rõ lý do"):
        s.round_advance(actor=officer, review_round=rnd, action="end_posting", today=today)
    rnd.refresh_from_db()
    assert rnd.state == "posting"
    rnd = s.round_advance(
        actor=officer,
        review_round=rnd,
        action="end_posting",
        today=today,
        override_reason="Thôn đã niêm yết đủ từ trước, có biên bản",
    )
    posting.refresh_from_db()
    assert rnd.state == "complaints" and "biên bản" in posting.early_end_reason
    from hongheo.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="reviews.round_end_posting").latest("id")
    assert "biên bản" in json.dumps(event.after, ensure_ascii=False)
    # after the end date no reason is needed
    assert s.posting_end_is_early(rnd, today=posting.posted_to + dt.timedelta(days=1)) is None


def test_a_second_meeting_is_an_explicit_remeeting_and_keeps_the_first(world, people):
    rnd, entry = _to_posting(world, people)
    officer = people["officer"]
    first = s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a1,
        held_on=D,
        attendees=10,
        chair_name="A",
        secretary_name="B",
        votes={entry.pk: 3},
    )
    with pytest.raises(ValidationError, match="Họp lại phải ghi rõ lý do"):
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=world.village_a1,
            held_on=D,
            attendees=10,
            chair_name="A",
            secretary_name="B",
            votes={entry.pk: 9},
        )
    assert CommunityMeeting.objects.filter(round=rnd).count() == 1
    second = s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a1,
        held_on=D,
        attendees=12,
        chair_name="A",
        secretary_name="B",
        votes={entry.pk: 9},
        remeeting_reason="Bổ sung",
    )
    first.refresh_from_db()
    assert first.superseded_by == second and first.votes == {"HH-A1": 3} and second.votes == {"HH-A1": 9}
    page = _client(officer).get(f"/ra-soat/dot/{rnd.pk}/hop-dan/{world.village_a1.code}/").content.decode()
    assert 'data-testid="superseded"' in page and "3/10" in page


def test_a_round_opened_by_mistake_can_be_cancelled_until_a_decision(world, people):
    officer = people["officer"]
    s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=D,
    )
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    with pytest.raises(ValidationError):
        s.round_cancel(actor=officer, review_round=rnd, reason="  ")
    with pytest.raises(Exception):  # noqa: B017 - the surveyor may not (PermissionDenied)
        s.round_cancel(actor=people["surveyor"], review_round=rnd, reason="x")
    rnd = s.round_cancel(actor=officer, review_round=rnd, reason="Mở nhầm năm")
    assert rnd.state == "cancelled"
    from hongheo.reviews.models import Application

    assert Application.objects.get(household=world.hh_a2).status == "received"  # waits for the next round
    again = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)  # may be reopened
    assert again.pk != rnd.pk and ReviewRound.objects.filter(state="cancelled").count() == 1
    _run_round_rest_from_listing(again, people)
    again.refresh_from_db()
    with pytest.raises(Conflict):
        s.round_cancel(actor=officer, review_round=again, reason="muộn")


def _run_round_rest_from_listing(rnd, people):
    for e in _entries(rnd).values():
        if e.origin == "application":
            s.screening_record(actor=people["surveyor"], entry=e, excluded=False)
    rnd = s.round_advance(actor=people["officer"], review_round=rnd, action="start_survey")
    for e in _entries(rnd).values():
        s.survey_record(actor=people["surveyor"], entry=e, facts={"income_per_capita": 1_000_000})
    return _run_round_rest(rnd, people)


def test_double_posted_forms_create_one_record(world, people):
    """Two identical POSTs (a double click) with the same one-time key: one complaint, and the repeat is
    sent where the first went."""
    rnd, entry = _to_posting(world, people)
    officer = people["officer"]
    s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a1,
        held_on=D,
        attendees=10,
        chair_name="A",
        secretary_name="B",
        votes={entry.pk: 6},
    )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    client = _client(officer)
    key = str(uuid.uuid4())
    data = {
        "entry": entry.pk,
        "complainant": "Lê Thị Đào",
        "content": "Chưa đúng",
        "received_on": "2026-11-20",
        "_submission": key,
    }
    url = f"/ra-soat/dot/{rnd.pk}/khieu-nai/"
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302 and second.status_code == 303
    assert second["Location"] == first["Location"]
    assert Complaint.objects.filter(round=rnd).count() == 1
    # a new key is a new submission
    client.post(url, {**data, "_submission": str(uuid.uuid4())})
    assert Complaint.objects.filter(round=rnd).count() == 2


def test_rechecked_label_only_after_a_complaint_and_phieu_b_read_only_after_its_step(world, people):
    rnd, entry = _to_posting(world, people)
    officer = _client(people["officer"])
    surveyor = _client(people["surveyor"])
    url = f"/ra-soat/dot/{rnd.pk}/ho/{entry.pk}/phieu-b/"
    page = surveyor.get(url).content.decode()
    assert 'data-testid="survey-readonly"' in page and 'data-testid="survey-form"' not in page
    before = entry.facts_record_id
    refused = surveyor.post(url, {"income_per_capita": "5"})
    assert refused.status_code == 409
    entry.refresh_from_db()
    assert entry.facts_record_id == before
    entries_page = officer.get(f"/ra-soat/dot/{rnd.pk}/danh-sach/").content.decode()
    assert 'data-testid="rechecked"' not in entries_page
