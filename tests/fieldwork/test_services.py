"""The one submission service: idempotent, validated, conflicts kept, evidence flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.fieldwork import services as fs
from hongheo.fieldwork.models import EvidenceFlag, FieldConflict, Photo, Submission
from hongheo.registry.models import Member
from hongheo.reviews.models import RoundEntry

from .conftest import answers_for, jpeg


def _send(world, household, answers, sid, **kw):
    return fs.submission_receive(
        actor=kw.pop("actor", world.surveyor),
        channel="app",
        client_id=sid,
        form_id="hn_phieu_b",
        form_version="2025.1",
        household_id=household.pk,
        answers=answers,
        **kw,
    )


def test_phieu_b_recorded_once_and_classified(field, new_id):
    sid = new_id()
    out = _send(field, field.hh_a1, answers_for(field.hh_a1), sid)
    assert out.status == "accepted"
    entry = RoundEntry.objects.get(round=field.round, household=field.hh_a1)
    assert entry.state == "surveyed" and entry.proposed_class
    record = entry.facts_record  # dated facts from the field; the registry waits for the decision
    assert (
        record.source == "field" and record.household_facts["income_per_capita"] == 500_000
    )  # 1,000,000 / 2
    assert {m["member_id"]: m["health_insurance"] for m in record.member_facts} == {
        m.pk: True for m in field.hh_a1.members.all()
    }
    assert entry.income_used == 500_000
    field.hh_a1.refresh_from_db()
    assert field.hh_a1.income_per_capita == 1_450_000
    again = _send(field, field.hh_a1, answers_for(field.hh_a1), sid)
    assert again.status == "duplicate"
    assert Submission.objects.count() == 1


def test_same_id_different_content_is_refused_and_kept_for_review(field, new_id):
    sid = new_id()
    _send(field, field.hh_a1, answers_for(field.hh_a1), sid)
    out = _send(field, field.hh_a1, answers_for(field.hh_a1, income=3_000_000), sid)
    assert out.status == "reused"
    assert FieldConflict.objects.filter(kind="reused", submission_id=sid).count() == 1


def test_bad_items_write_nothing(field, new_id):
    with pytest.raises(ValidationError) as exc:
        _send(field, field.hh_a1, answers_for(field.hh_a1, floor_area_m2=0, toilet="gold"), new_id())
    assert set(exc.value.details["fields"]) == {"floor_area_m2", "toilet"}
    with pytest.raises(ValidationError):
        _send(field, field.hh_a1, answers_for(field.hh_a1), "not-a-uuid")
    with pytest.raises(NotFound):  # outside the surveyor's commune
        _send(field, field.hh_b, answers_for(field.hh_b), new_id())
    with pytest.raises(ValidationError) as unknown:
        fs.submission_receive(
            actor=field.surveyor,
            channel="app",
            client_id=new_id(),
            form_id="hn_phieu_b",
            form_version="1999.9",
            household_id=field.hh_a1.pk,
            answers=answers_for(field.hh_a1),
        )
    assert unknown.value.code == "unknown_form"
    assert Submission.objects.count() == 0
    assert RoundEntry.objects.get(round=field.round, household=field.hh_a1).state == "listed"


def test_closed_round_is_refused(world, new_id):
    with pytest.raises(ValidationError) as exc:
        fs.submission_receive(
            actor=world.users["surveyor"],
            channel="app",
            client_id=new_id(),
            form_id="hn_phieu_b",
            form_version="2025.1",
            household_id=world.hh_a1.pk,
            answers=answers_for(world.hh_a1),
        )
    assert exc.value.code == "round_closed"


def test_changed_household_becomes_a_conflict_then_resolved(field, new_id):
    base = fs.household_version(field.hh_a1)
    first = _send(field, field.hh_a1, answers_for(field.hh_a1), new_id(), base_version=base)
    assert first.status == "accepted"
    second = _send(
        field, field.hh_a1, answers_for(field.hh_a1, income=4_000_000), new_id(), base_version=base
    )
    assert second.status == "conflict"
    entry = RoundEntry.objects.get(round=field.round, household=field.hh_a1)
    assert entry.facts_record.household_facts["income_per_capita"] == 500_000  # not overwritten
    conflict = FieldConflict.objects.get(submission=second.submission)
    with pytest.raises(PermissionDenied):
        fs.conflict_resolve(actor=field.surveyor, conflict=conflict, apply=True)
    fs.conflict_resolve(actor=field.officer, conflict=conflict, apply=True, note="đã xác minh")
    entry.refresh_from_db()
    assert entry.facts_record.household_facts["income_per_capita"] == 2_000_000
    with pytest.raises(Conflict):
        fs.conflict_resolve(actor=field.officer, conflict=conflict, apply=False)


def test_members_added_died_and_moved(field, new_id):
    answers = answers_for(field.hh_a1)
    child = answers["member"][1]
    child["presence"] = "moved_away"
    for k in (
        "health_insurance",
        "in_school",
        "education_level",
        "has_qualification",
        "employment",
        "disability",
        "disability_allowance",
        "undernourished",
    ):
        child.pop(k)
    newborn = dict(
        answers["member"][0],
        member_id=None,
        full_name="Nguyễn Văn Bé",
        date_of_birth="2026-01-02",
        relation_to_head="child",
        in_school=False,
    )
    answers["member"].append(newborn)
    _send(field, field.hh_a1, answers, new_id())
    active = {m.full_name for m in Member.objects.filter(household=field.hh_a1, is_active=True)}
    assert active == {"Nguyễn Văn An", "Nguyễn Văn Bé"}
    assert Member.objects.get(household=field.hh_a1, full_name="Trần Thị Bích").left_reason == "moved_away"


def test_photos_idempotent_checked_and_flagged(field, new_id):
    now = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    s1 = _send(
        field,
        field.hh_a1,
        answers_for(field.hh_a1),
        new_id(),
        started_at=now.isoformat(),
        ended_at=(now + dt.timedelta(seconds=30)).isoformat(),
    ).submission
    assert EvidenceFlag.objects.filter(submission=s1, kind="short").exists()
    pid = new_id()
    photo, created = fs.photo_receive(
        actor=field.surveyor,
        submission_id=s1.pk,
        photo_id=pid,
        content=jpeg(3),
        question="photo_house",
        taken_at=(now - dt.timedelta(hours=5)).isoformat(),
    )
    assert created and photo.width == 64
    _, created = fs.photo_receive(actor=field.surveyor, submission_id=s1.pk, photo_id=pid, content=jpeg(3))
    assert not created and Photo.objects.count() == 1
    assert EvidenceFlag.objects.filter(submission=s1, kind="photo_time").exists()
    with pytest.raises(ValidationError):
        fs.photo_receive(actor=field.surveyor, submission_id=s1.pk, photo_id=new_id(), content=b"%PDF-1.4 no")
    with pytest.raises(ValidationError):
        fs.photo_receive(
            actor=field.surveyor, submission_id=s1.pk, photo_id=new_id(), content=b"\xff" * (6 << 20)
        )
    s2 = _send(field, field.hh_a2, answers_for(field.hh_a2), new_id()).submission
    fs.photo_receive(actor=field.surveyor, submission_id=s2.pk, photo_id=new_id(), content=jpeg(3))
    assert EvidenceFlag.objects.filter(submission=s2, kind="photo_dup").exists()
