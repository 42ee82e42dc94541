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
    sub = _send(field, field.hh_a1, answers, new_id()).submission
    # recorded with the survey: the registry does not change before the decision
    active = {m.full_name for m in Member.objects.filter(household=field.hh_a1, is_active=True)}
    assert active == {"Nguyễn Văn An", "Trần Thị Bích"}
    entry = RoundEntry.objects.get(round=field.round, household=field.hh_a1)
    record = entry.facts_record
    assert [m["full_name"] for m in record.member_facts] == ["Nguyễn Văn An", "Nguyễn Văn Bé"]
    assert record.member_facts[1]["member_id"] is None  # counted by the classification already
    assert record.membership["joining"][0]["full_name"] == "Nguyễn Văn Bé"
    assert record.membership["leaving"] == [{"member_id": child["member_id"], "reason": "moved_away"}]
    flag = sub.flags.get(kind="members")
    assert "Nguyễn Văn Bé (thêm)" in flag.message and "Trần Thị Bích (chuyển đi)" in flag.message
    # the decision applies them with the facts
    from hongheo.registry.services import facts_apply

    facts_apply(actor=None, record=record, on=dt.date(2026, 10, 20))
    active = {m.full_name for m in Member.objects.filter(household=field.hh_a1, is_active=True)}
    assert active == {"Nguyễn Văn An", "Nguyễn Văn Bé"}
    left = Member.objects.get(household=field.hh_a1, full_name="Trần Thị Bích")
    assert left.left_reason == "moved_away" and left.left_at == dt.date(2026, 10, 20)
    field.hh_a1.refresh_from_db()
    assert field.hh_a1.size == 2
    facts_apply(actor=None, record=record)  # applied once
    assert Member.objects.filter(household=field.hh_a1, full_name="Nguyễn Văn Bé").count() == 1


def test_head_who_died_is_replaced_at_the_decision_and_stale_changes_are_skipped(field, new_id):
    from hongheo.registry.services import facts_apply, member_record_move_away

    answers = answers_for(field.hh_a1)
    head, other = answers["member"]
    head["presence"] = "died"
    other["relation_to_head"] = "head"
    _send(field, field.hh_a1, answers, new_id())
    record = RoundEntry.objects.get(round=field.round, household=field.hh_a1).facts_record
    assert Member.objects.get(pk=head["member_id"]).is_active  # not before the decision
    facts_apply(actor=None, record=record, on=dt.date(2026, 10, 20))
    field.hh_a1.refresh_from_db()
    assert not Member.objects.get(pk=head["member_id"]).is_active
    assert field.hh_a1.head_name == other["full_name"]
    assert Member.objects.get(pk=other["member_id"]).relation_to_head == "head"

    # a change that no longer fits (the member left meanwhile) is skipped, not forced
    answers = answers_for(field.hh_a2)
    leaver = answers["member"][-1]
    leaver["presence"] = "moved_away"
    for k in ("health_insurance", "in_school", "education_level", "has_qualification", "employment"):
        leaver.pop(k, None)
    _send(field, field.hh_a2, answers, new_id())
    record = RoundEntry.objects.get(round=field.round, household=field.hh_a2).facts_record
    assert Member.objects.get(pk=leaver["member_id"]).relation_to_head != "head"
    member_record_move_away(actor=None, member=Member.objects.get(pk=leaver["member_id"]))
    facts_apply(actor=None, record=record)
    from hongheo.core.models import AuditEvent

    skip = AuditEvent.objects.get(action="registry.membership_apply", household_code=field.hh_a2.code)
    assert skip.after["skipped"] and not skip.after.get("applied")


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


def test_officer_sees_the_flags_of_the_running_round_on_the_field_page(field, new_id):
    from django.test import Client

    from hongheo.reviews.models import ReviewRound

    answers = answers_for(field.hh_a1)
    answers["member"][1]["presence"] = "died"
    for k in ("health_insurance", "in_school", "education_level", "has_qualification", "employment"):
        answers["member"][1].pop(k, None)
    _send(
        field,
        field.hh_a1,
        answers,
        new_id(),
        started_at="2026-10-05T08:00:00+07:00",
        ended_at="2026-10-05T08:00:20+07:00",
    )
    c = Client()
    c.force_login(field.officer)
    html = c.get("/thuc-dia/xung-dot/").content.decode()
    assert 'data-flag="members"' in html and "(đã mất)" in html
    assert 'data-flag="short"' in html
    # the page is the commune officer's
    other = Client()
    other.force_login(field.users["surveyor"])  # a surveyor is not an officer: the page refuses
    assert other.get("/thuc-dia/xung-dot/").status_code in (403, 404)
    # once the round is over the notes leave the page
    ReviewRound.objects.filter(pk=field.round.pk).update(state="cancelled")
    assert 'data-flag="members"' not in c.get("/thuc-dia/xung-dot/").content.decode()


def test_gps_outside_the_communes_households_is_flagged(field, new_id, household_factory):
    from hongheo.fieldwork import evidence
    from hongheo.registry.models import Household

    household_factory(field.commune_a, field.village_a1, "HH-A3", "Võ Văn Ba")
    Household.objects.filter(commune=field.commune_a).update(latitude=16.46, longitude=107.59)
    Household.objects.filter(code="HH-A3").update(latitude=16.47, longitude=107.60)
    evidence._extents.clear()
    far = _send(
        field,
        field.hh_a1,
        answers_for(field.hh_a1, gps={"lat": 10.77, "lon": 106.70, "accuracy": 5}),
        new_id(),
    ).submission
    near = _send(
        field,
        field.hh_a2,
        answers_for(field.hh_a2, gps={"lat": 16.465, "lon": 107.595, "accuracy": 5}),
        new_id(),
    ).submission
    assert far.flags.filter(kind="gps_out").exists()
    assert not near.flags.filter(kind="gps_out").exists()
