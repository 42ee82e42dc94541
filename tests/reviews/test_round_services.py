"""A whole yearly round through the services, with the permission and bad-input cases of each step."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import Conflict, PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.reviews import services as s
from hongheo.reviews.models import Application, Certificate, StatusChange
from hongheo.reviews.status import status_current

D = dt.date(2026, 10, 1)


def test_full_yearly_round(world, people):
    officer, chairman, surveyor = people["officer"], people["chairman"], people["surveyor"]
    s.status_baseline_set(
        actor=None,
        household=world.hh_a1,
        classification="poor",
        since=dt.date(2025, 12, 20),
        source="Danh sách hộ nghèo 2025",
    )
    application = s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=D,
    )
    with pytest.raises(PermissionDenied):
        s.round_open(actor=surveyor, commune=world.commune_a, kind="yearly", year=2026)
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    assert rnd.standard_code == "vn-2026-2030"  # a 2026 round sets the lists for 2027
    assert (rnd.period_start, rnd.period_end) == (dt.date(2026, 9, 1), dt.date(2026, 12, 14))
    entries = {e.household.code: e for e in rnd.entries.select_related("household")}
    assert set(entries) == {"HH-A1", "HH-A2"}
    assert entries["HH-A1"].origin == "poor" and entries["HH-A2"].origin == "application"
    with pytest.raises(Conflict):
        s.round_open(actor=officer, commune=world.commune_a, kind="monthly", year=2026, month=10)

    with pytest.raises(ValidationError):
        s.screening_record(actor=surveyor, entry=entries["HH-A2"], excluded=True, reasons=[])
    s.screening_record(actor=surveyor, entry=entries["HH-A2"], excluded=False)
    with pytest.raises(PermissionDenied):
        s.round_advance(actor=surveyor, review_round=rnd, action="start_survey")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_survey")

    with pytest.raises(ValidationError):  # not everyone surveyed yet
        s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    a1 = s.survey_record(actor=surveyor, entry=entries["HH-A1"], facts={"income_per_capita": 2_900_000})
    a2 = s.survey_record(actor=surveyor, entry=entries["HH-A2"], facts={"income_per_capita": 1_200_000})
    assert a1.proposed_class in ("average", "not_poor") and a2.proposed_class in ("poor", "near_poor")
    assert "2.200.000" in a2.reason  # 2026–2030 rural line named in the explanation
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")

    with pytest.raises(PermissionDenied):  # the village head of Thôn 1 cannot record Thôn 2's meeting
        s.meeting_record(
            actor=people["village_head"],
            review_round=rnd,
            village=world.village_a2,
            held_on=D,
            attendees=40,
            chair_name="X",
            secretary_name="Y",
            votes={a2.pk: 30},
        )
    s.meeting_record(
        actor=people["village_head"],
        review_round=rnd,
        village=world.village_a1,
        held_on=D,
        attendees=40,
        chair_name="Nguyễn Văn Trưởng",
        secretary_name="Lê Thư Ký",
        votes={a1.pk: 25},
    )
    with pytest.raises(ValidationError):  # a Thôn 1 household cannot be voted in Thôn 2's meeting
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=world.village_a2,
            held_on=D,
            attendees=40,
            chair_name="A",
            secretary_name="B",
            votes={a1.pk: 30},
        )
    s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a2,
        held_on=D,
        attendees=40,
        chair_name="Trần Chủ Trì",
        secretary_name="Phạm Thư Ký",
        votes={a2.pk: 19},
    )
    a2.refresh_from_db()
    assert a2.meeting_agreed is False and a2.state == "disagreed"
    with pytest.raises(ValidationError, match="dưới 50%"):
        s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="reopen_survey")
    a2.refresh_from_db()
    s.survey_record(actor=surveyor, entry=a2, facts={"income_per_capita": 1_150_000})
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    s.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a2,
        held_on=D,
        attendees=38,
        chair_name="Trần Chủ Trì",
        secretary_name="Phạm Thư Ký",
        votes={a2.pk: 19},
        remeeting_reason="Họp lại sau khi rà soát lại hộ chưa đủ 50% đồng ý",
    )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")

    with pytest.raises(ValidationError):
        s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    posting = s.posting_record(
        actor=officer,
        review_round=rnd,
        posted_from=dt.date(2026, 11, 20),
        places="Nhà văn hóa Thôn 1, Thôn 2; trụ sở UBND xã",
    )
    assert posting.posted_to == dt.date(2026, 11, 24)  # 3 working days (setting, unverified)
    complaint = s.complaint_receive(
        actor=officer,
        review_round=rnd,
        entry=a2,
        complainant="Lê Thị Đào",
        content="Gia đình có người ốm nặng, thu nhập thấp hơn",
        on=dt.date(2026, 11, 23),
    )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    with pytest.raises(ValidationError):
        s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    s.complaint_resolve(
        actor=officer,
        complaint=complaint,
        recheck_note="Phúc tra: xác nhận thiếu hụt y tế",
        new_class="poor",
        on=dt.date(2026, 11, 26),
    )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")

    with pytest.raises(PermissionDenied):
        s.decision_sign(actor=surveyor, review_round=rnd, number="12/QĐ-UBND", signed_on=dt.date(2026, 12, 5))
    with pytest.raises(PermissionDenied):
        s.decision_sign(actor=officer, review_round=rnd, number="12/QĐ-UBND", signed_on=dt.date(2026, 12, 5))
    decision = s.decision_sign(
        actor=chairman, review_round=rnd, number="12/QĐ-UBND", signed_on=dt.date(2026, 12, 5)
    )
    rnd.refresh_from_db()
    assert rnd.state == "closed"
    changes = {c.household.code: c.kind for c in StatusChange.objects.filter(round=rnd)}
    assert changes == {"HH-A1": "escaped_poverty", "HH-A2": "newly_poor"}
    assert status_current(world.hh_a2).classification == "poor"
    certificates = list(Certificate.objects.filter(decision=decision))
    assert [(c.household.code, c.number, c.year) for c in certificates] == [
        ("HH-A2", "0001/GCN-HN.HCN", 2027)
    ]
    application.refresh_from_db()
    assert application.status == "accepted"
    assert AuditEvent.objects.filter(action="reviews.decision_sign").exists()
    with pytest.raises(Conflict):
        s.decision_sign(actor=chairman, review_round=rnd, number="13/QĐ-UBND", signed_on=dt.date(2026, 12, 6))


def test_screened_out_application_is_refused_at_decision(world, people):
    officer = people["officer"]
    s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Nguyễn Văn An",
        household=world.hh_a1,
        received_on=D,
    )
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="monthly", year=2026, month=10)
    assert (rnd.period_start, rnd.period_end) == (dt.date(2026, 10, 15), dt.date(2026, 10, 30))
    entry = rnd.entries.get()
    s.screening_record(actor=people["surveyor"], entry=entry, excluded=True, reasons=["Có ô tô"])
    for action in ("start_survey", "start_meetings", "start_posting"):
        rnd = s.round_advance(actor=officer, review_round=rnd, action=action)
    s.posting_record(actor=officer, review_round=rnd, posted_from=dt.date(2026, 10, 20), places="UBND xã")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    s.decision_sign(
        actor=people["chairman"], review_round=rnd, number="1/QĐ", signed_on=dt.date(2026, 10, 28)
    )
    application = Application.objects.get()
    assert application.status == "refused" and "Có ô tô" in application.refusal_reason
    assert not StatusChange.objects.exists()


def test_exit_application_needs_a_poor_household(world, people):
    with pytest.raises(ValidationError):
        s.application_receive(
            actor=people["officer"],
            commune=world.commune_a,
            kind="exit",
            applicant_name="Nguyễn Văn An",
            household=world.hh_a1,
            received_on=D,
        )
    s.status_baseline_set(actor=None, household=world.hh_a1, classification="near_poor", since=D, source="x")
    app = s.application_receive(
        actor=people["officer"],
        commune=world.commune_a,
        kind="exit",
        applicant_name="Nguyễn Văn An",
        household=world.hh_a1,
        received_on=D,
    )
    assert app.kind == "exit"


def test_written_refusal_needs_reasons_and_the_chairman(world, people):
    app = s.application_receive(
        actor=people["officer"],
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=D,
    )
    with pytest.raises(PermissionDenied):
        s.application_refuse(actor=people["officer"], application=app, reason="x", on=D)
    with pytest.raises(ValidationError):
        s.application_refuse(actor=people["chairman"], application=app, reason="  ", on=D)
    s.application_refuse(actor=people["chairman"], application=app, reason="Thu nhập vượt chuẩn", on=D)
    app.refresh_from_db()
    assert app.status == "refused"


def test_other_commune_officer_cannot_touch_the_round(world, people):
    from hongheo.users.services import user_create

    other = user_create(
        actor=None,
        username="xa-b",
        password="mat-khau-xa-b-1",
        role="commune_officer",
        areas=[world.commune_b],
    )
    rnd = s.round_open(actor=people["officer"], commune=world.commune_a, kind="yearly", year=2026)
    with pytest.raises(Exception) as info:
        s.round_advance(actor=other, review_round=rnd, action="start_survey")
    assert type(info.value).__name__ == "NotFound"


def test_a_poor_household_that_ceases_to_exist_leaves_the_lists(world, people):
    from django.test import Client

    s.status_baseline_set(
        actor=None, household=world.hh_a2, classification="poor", since=D, source="Danh sách 2025"
    )
    assert s.status_household_closed(actor=None, household=world.hh_a2, on=D) is None  # still exists
    client = Client()
    client.force_login(people["officer"])
    for member in world.hh_a2.members.filter(is_active=True).order_by("relation_to_head"):
        if member.relation_to_head != "head":
            client.post(f"/ho/{world.hh_a2.pk}/thanh-vien/{member.pk}/chet/", {"date": "2026-10-02"})
    head = world.hh_a2.members.get(is_active=True)
    response = client.post(f"/ho/{world.hh_a2.pk}/thanh-vien/{head.pk}/chet/", {"date": "2026-10-03"})
    assert response.status_code == 302, response.content.decode()[:3000]
    world.hh_a2.refresh_from_db()
    assert not world.hh_a2.is_active
    change = StatusChange.objects.get(household=world.hh_a2)
    assert (change.kind, change.from_class, change.to_class) == ("died", "poor", "")
    assert status_current(world.hh_a2) is None  # the period ended the day the household ceased to exist


def test_household_page_shows_official_status_certificates_and_map_link(world, people):
    from django.test import Client

    s.status_baseline_set(
        actor=None, household=world.hh_a1, classification="poor", since=D, source="QĐ 9/QĐ-UBND"
    )
    world.hh_a1.latitude, world.hh_a1.longitude = 16.4637, 107.5909
    world.hh_a1.save(update_fields=["latitude", "longitude"])
    client = Client()
    client.force_login(people["officer"])
    page = client.get(f"/ho/{world.hh_a1.pk}/").content.decode()
    assert "Hộ nghèo" in page and "QĐ 9/QĐ-UBND" in page
    assert "mlat=16.463700&amp;mlon=107.590900" in page
