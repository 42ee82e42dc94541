"""Issue 8, items 12 and 14 (what-if): "not yours" answers exactly like "not found" — same status,
same page — for the five review objects and for draft standards; the what-if preview of a draft works."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from hongheo.users.models import Role

D = dt.date(2026, 6, 1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_round(world):
    from hongheo.reviews import services as reviews
    from hongheo.reviews.models import CommunityMeeting, Complaint, Decision, PublicPosting
    from hongheo.users.services import user_create

    officer_b = user_create(
        actor=None, username="xa-b-ny", password=None, role=Role.COMMUNE_OFFICER, areas=[world.commune_b]
    )
    rnd = reviews.round_open(actor=officer_b, commune=world.commune_b, kind="yearly", year=2026)
    meeting = CommunityMeeting.objects.create(
        round=rnd, held_on=D, attendees=5, chair_name="A", secretary_name="B"
    )
    posting = PublicPosting.objects.create(round=rnd, posted_from=D, posted_to=D, places="Nhà văn hoá")
    posting.proof.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"))
    complaint = Complaint.objects.create(round=rnd, complainant="C", received_on=D, content="x")
    decision = Decision.objects.create(round=rnd, number="1/QĐ", signed_on=D, signed_by=officer_b)
    return {"meeting": meeting, "posting": posting, "complaint": complaint, "decision": decision}


CASES = [
    ("GET", "/ra-soat/hop-dan/{pk}/bien-ban.pdf", "meeting", Role.COMMUNE_OFFICER),
    ("GET", "/ra-soat/niem-yet/{pk}/minh-chung/", "posting", Role.COMMUNE_OFFICER),
    ("POST", "/ra-soat/khieu-nai/{pk}/phuc-tra/", "complaint", Role.COMMUNE_OFFICER),
    ("GET", "/ra-soat/quyet-dinh/{pk}/mau-02.pdf", "decision", Role.COMMUNE_CHAIRMAN),
    ("GET", "/ra-soat/quyet-dinh/{pk}/giay-chung-nhan.pdf", "decision", Role.COMMUNE_CHAIRMAN),
]


@pytest.mark.parametrize(("method", "url", "kind", "role"), CASES)
def test_not_yours_looks_like_not_found(world, other_round, method, url, kind, role):
    client = _client(world.users[role])
    call = client.post if method == "POST" else client.get
    theirs = call(url.format(pk=other_round[kind].pk))
    missing = call(url.format(pk=987654321))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.context["title"] == missing.context["title"]
    assert theirs.context["message"] == missing.context["message"]


def _draft(world):
    from hongheo.standards.services import standard_draft_save
    from hongheo.web.standards.views import _provincial_template

    doc = _provincial_template()
    doc.update(code="tinh-46-nhap", province_code="46")
    return standard_draft_save(actor=world.users[Role.ADMINISTRATOR], document=doc)


def test_draft_standards_are_not_found_for_others(world):
    _draft(world)
    officer = _client(world.users[Role.COMMUNE_OFFICER])
    for method, url in [
        ("get", "/chuan-ngheo/{code}/"),
        ("post", "/chuan-ngheo/{code}/cong-bo/"),
    ]:
        draft = getattr(officer, method)(url.format(code="tinh-46-nhap"))
        missing = getattr(officer, method)(url.format(code="khong-co"))
        assert draft.status_code == missing.status_code == 404, url
    post = {"kind": "what_if", "standard": "tinh-46-nhap"}
    draft = officer.post(f"/dia-ban/{world.commune_a.code}/xep-loai/", post)
    missing = officer.post(f"/dia-ban/{world.commune_a.code}/xep-loai/", post | {"standard": "khong-co"})
    assert draft.status_code == missing.status_code == 404


def test_what_if_preview_of_a_draft_runs(world):
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.core.models import Job

    _draft(world)
    admin = world.users[Role.ADMINISTRATOR]
    from hongheo.standards.classification import classification_run

    run = classification_run(actor=admin, area=world.hue, standard_code="tinh-46-nhap", kind="what_if")
    assert run.standard_code == "tinh-46-nhap"
    assert not Job.objects.filter(state=Job.State.FAILED).exists()
    run_pending_jobs()
