"""Incremental matching wired into registration: the officer's member form (at once), the portal and
the field app (a queued job, so the citizen's and surveyor's requests do not wait), the household page
and the applications list (candidate, probability and per-field weights; accept / reject through the
review decisions), and never any population data for the citizen or a surveyor."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from hongheo.capture.portal import services as portal
from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent, Job
from hongheo.fieldwork import services as fs
from hongheo.linkage import services as svc
from hongheo.linkage.models import LinkCandidate, MatchCheck
from hongheo.registry.models import Member
from hongheo.registry.services import MemberInput, member_add
from hongheo.users.models import Role
from tests.fieldwork.conftest import answers_for, field  # noqa: F401  (fixture)
from tests.portal.test_portal_services import TODAY, payload

from .worlddata import extract_csv

EXTRA = [
    # the child the officer adds (ID number of the registry pages' tests)
    "P6,046315000123,Nguyễn Thị Hoa,2015-06-01,Nữ,{a},R1,alive",
    # the portal's declarant, without an ID number in the extract
    "P7,,Hồ Thị Mai,1985-04-02,Nữ,{a},R7,alive",
    # the field app's newborn, written without diacritics
    "P8,,Nguyen Van Be,2026-01-02,Nam,{a},R1,alive",
]


@pytest.fixture
def extract_v2(world, linked):  # type: ignore[no-untyped-def]
    """A second version of the extract with the people registered below (the model of the first run)."""
    rows = "\n".join(r.format(a=world.commune_a.code) for r in EXTRA)
    data = (extract_csv(world) + rows + "\n").encode("utf-8")
    extract = svc.extract_upload(
        actor=world.users[Role.PROVINCE_OFFICER], province=world.hue, name="v2.csv", data=data
    )
    run_pending_jobs()
    extract.refresh_from_db()
    assert extract.is_current and extract.rows == 8
    return extract


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


MEMBER_POST = {
    "full_name": "Nguyễn Thị Hoa",
    "personal_id": "046315000123",
    "date_of_birth": "2015-06-01",
    "sex": "female",
    "relation_to_head": "child",
    "status": "in_school",
    "ethnicity": "Kinh",
    "health_insurance": "1",
    "in_school": "1",
    "education_level": "primary",
    "has_qualification": "",
    "employment": "",
}


def test_officer_form_checks_at_once_and_household_page_shows_the_candidate(world, extract_v2) -> None:  # type: ignore[no-untyped-def]
    officer = world.users[Role.COMMUNE_OFFICER]
    c = _client(officer)
    r = c.post(reverse("web:member_add", args=[world.hh_a1.pk]), MEMBER_POST)
    assert r.status_code == 302
    hoa = Member.objects.get(personal_id="046315000123")
    check = MatchCheck.objects.get(member=hoa)  # at once, in the officer's request: no job
    assert check.source == "officer" and check.outcome == "candidate" and check.extract == extract_v2
    assert not Job.objects.filter(kind=svc.JOB_MATCH).exists()
    cand = check.candidate
    assert cand.run is None and cand.method == "incremental" and cand.person.person_id == "P6"
    assert cand.decision == "auto" and cand.status == LinkCandidate.Status.ACCEPTED
    assert cand.weights["personal_id"]["label"] == "exact" and cand.weights["personal_id"]["weight"] > 5
    assert AuditEvent.objects.filter(action="linkage.member_match", actor=officer).exists()
    page = c.get(reverse("web:household_detail", args=[world.hh_a1.pk])).content.decode()
    assert 'data-testid="population-links"' in page and f"candidate-{cand.pk}" in page
    assert f'data-testid="probability-{cand.pk}"' in page and "Nguyễn Thị Hoa" in page
    assert AuditEvent.objects.filter(
        action="linkage.population_links_view", household_code=world.hh_a1.code
    ).exists()
    # checked once per extract: a second call changes nothing
    assert svc.members_match(member_ids=[hoa.pk], source="officer") == []
    assert MatchCheck.objects.filter(member=hoa).count() == 1
    # a surveyor of the commune sees the household but no population data
    surveyor_page = _client(world.users[Role.SURVEYOR]).get(
        reverse("web:household_detail", args=[world.hh_a1.pk])
    )
    assert surveyor_page.status_code == 200
    assert "population-links" not in surveyor_page.content.decode()


def test_reject_from_the_household_page_goes_through_the_decision(world, extract_v2) -> None:  # type: ignore[no-untyped-def]
    officer = world.users[Role.COMMUNE_OFFICER]
    hoa = member_add(
        actor=officer,
        household=world.hh_a1,
        data=MemberInput(
            full_name="Nguyễn Thị Hoa",
            date_of_birth=dt.date(2015, 6, 1),
            sex="female",
            relation_to_head="child",
            personal_id="046315000123",
        ),
    )
    c = _client(officer)
    back = reverse("web:household_detail", args=[world.hh_a1.pk])
    page = c.get(back).content.decode()  # registered without a check: checked while the page is built
    check = MatchCheck.objects.get(member=hoa)
    assert check.source == "page" and f"candidate-{check.candidate_id}" in page
    r = c.post(
        reverse("web:linkage_decide", args=[check.candidate_id]),
        {"action": "reject", "ghi_chu": "khác người", "next": back},
    )
    assert r.status_code == 302 and r.url == back
    cand = LinkCandidate.objects.get(pk=check.candidate_id)
    assert cand.status == LinkCandidate.Status.REJECTED and cand.decided_by == officer
    assert AuditEvent.objects.filter(action="linkage.candidate_reject", object_id=str(cand.pk)).exists()
    # an outside "next" is not followed
    r = c.post(
        reverse("web:linkage_decide", args=[cand.pk]),
        {"action": "unknown", "next": "https://example.org/"},
    )
    assert r.url == back


def _portal_payload(world):  # type: ignore[no-untyped-def]
    data = payload(world.commune_a)
    data["client_key"] = str(uuid.uuid4())
    return data


def test_portal_queues_the_check_and_the_citizen_sees_no_population_data(world, extract_v2) -> None:  # type: ignore[no-untyped-def]
    receipt = portal.portal_submit(
        actor=None, payload=_portal_payload(world), address="10.9.0.1", today=TODAY
    )
    assert not MatchCheck.objects.exists() and not Job.objects.filter(kind=svc.JOB_MATCH).exists()
    portal.portal_process_pending()  # the worker registers the submission (decision 0012)
    receipt.submission.refresh_from_db()
    household = receipt.submission.application.household
    new_ids = set(household.members.values_list("pk", flat=True))
    job = Job.objects.get(kind=svc.JOB_MATCH)
    assert set(job.params["member_ids"]) == new_ids and job.params["source"] == "portal"
    assert not MatchCheck.objects.exists()  # nothing matched inside the citizen's request
    run_pending_jobs()
    mai = household.members.get(full_name="Hồ Thị Mai")
    check = MatchCheck.objects.get(member=mai)
    assert check.source == "portal" and check.candidate.person.person_id == "P7"
    assert check.candidate.decision in ("auto", "review")
    assert MatchCheck.objects.get(member=household.members.get(full_name="Hồ Văn Tí")).outcome == "none"
    # the citizen's status page shows no population data
    status = portal.portal_status(submission=receipt.submission)
    assert "P7" not in str(status) and "R7" not in str(status)
    r = Client().post(
        reverse("web:portal_status"),
        {"code": receipt.submission.tracking_code, "pin": receipt.pin},
        REMOTE_ADDR="10.9.0.1",
    )
    assert r.status_code == 200 and "Dữ liệu dân cư" not in r.content.decode()
    # the officer's applications list shows the candidate with its weights and the decision buttons
    officer = _client(world.users[Role.COMMUNE_OFFICER])
    page = officer.get(reverse("web:review_applications") + f"?xa={world.commune_a.code}").content.decode()
    cand = check.candidate
    assert f"population-candidate-{cand.pk}" in page and f"accept-{cand.pk}" in page
    assert "Trọng số" in page and "Họ tên" in page


def _decide(scene) -> None:  # type: ignore[no-untyped-def]
    """Run the field fixture's round from the survey step to the chairman's decision."""
    import datetime as dt

    from hongheo.reviews import services as rs
    from hongheo.users.models import Role

    officer, rnd = scene.officer, scene.round
    for entry in rnd.entries.select_related("household").exclude(household=scene.hh_a1):
        rs.survey_record(actor=scene.surveyor, entry=entry, facts={"income_per_capita": 1_000_000})
    rnd = rs.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    for entry in rnd.entries.select_related("household"):
        rs.meeting_record(
            actor=officer,
            review_round=rnd,
            village=entry.household.village,
            held_on=dt.date(2026, 10, 25),
            attendees=30,
            chair_name="A",
            secretary_name="B",
            votes={entry.pk: 20},
        )
    rnd = rs.round_advance(actor=officer, review_round=rnd, action="start_posting")
    rs.posting_record(actor=officer, review_round=rnd, posted_from=dt.date(2026, 11, 2), places="Nhà văn hóa")
    rnd = rs.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = rs.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    rs.decision_sign(
        actor=scene.users[Role.COMMUNE_CHAIRMAN],
        review_round=rnd,
        number="25/QĐ-UBND",
        signed_on=dt.date(2026, 11, 20),
    )


def test_field_app_new_member_is_queued_then_matched(field, extract_v2) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    answers = answers_for(field.hh_a1)
    newborn = dict(
        answers["member"][0],
        member_id=None,
        full_name="Nguyễn Văn Bé",
        date_of_birth="2026-01-02",
        relation_to_head="child",
        in_school=False,
    )
    answers["member"].append(newborn)
    fs.submission_receive(
        actor=field.surveyor,
        channel="app",
        client_id=str(uuid.uuid4()),
        form_id="hn_phieu_b",
        form_version="2025.1",
        household_id=field.hh_a1.pk,
        answers=answers,
    )
    # membership changes from the field wait for the chairman's decision (decision 0011): nobody
    # new is in the registry yet, and nothing is queued
    assert not Member.objects.filter(household=field.hh_a1, full_name="Nguyễn Văn Bé").exists()
    assert not Job.objects.filter(kind=svc.JOB_MATCH).exists()
    _decide(field)
    be = Member.objects.get(household=field.hh_a1, full_name="Nguyễn Văn Bé")
    job = Job.objects.get(kind=svc.JOB_MATCH)
    assert job.params == {"member_ids": [be.pk], "source": "fieldwork"}
    assert not MatchCheck.objects.filter(member=be).exists()
    run_pending_jobs()
    check = MatchCheck.objects.get(member=be)
    assert check.candidate is not None and check.candidate.person.person_id == "P8"
    assert check.candidate.weights["full_name"]["label"] == "exact without diacritics"


def test_members_match_edges(world, linked) -> None:  # type: ignore[no-untyped-def]
    # Hà Nội has no extract: nothing is checked
    hanoi_member = world.hh_c.members.first()
    assert svc.members_match(member_ids=[hanoi_member.pk], source="officer") == []
    # no enqueue without people
    assert svc.members_match_enqueue(actor=None, member_ids=[], source="portal") is None
    assert not Job.objects.filter(kind=svc.JOB_MATCH).exists()
