"""Services of support plans, organisations, assignments and send-backs: each step, its
permissions (7 roles, own and other commune), bad input (clear error, nothing changed) and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.registry.models import SupportReceived
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.reviews.services import round_advance
from hongheo.support import selectors, services
from hongheo.support.models import Assignment, Organisation, PlanItem, SendBack

from .conftest import ROLES

TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=30)


# --- organisations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_create_only_by_the_commune_officer(listed, users, role):
    call = dict(commune=listed.commune_a, name="Hội Nông dân", kind="farmers_association", contact="")
    if role == "commune_officer":
        org = services.organisation_create(actor=users[role], **call)
        assert org.commune == listed.commune_a
        assert AuditEvent.objects.filter(action="support.organisation_create", object_id=str(org.pk)).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.organisation_create(actor=users[role], **call)
        assert not Organisation.objects.exists()


def test_organisation_other_commune_duplicate_and_bad_kind(listed, users, womens_union):
    officer = users["commune_officer"]
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=officer, commune=listed.commune_b, name="X", kind="youth_union")
    with pytest.raises(Conflict):
        services.organisation_create(
            actor=officer, commune=listed.commune_a, name="hội liên hiệp phụ nữ xã", kind="womens_union"
        )
    with pytest.raises(ValidationError, match="mã không hợp lệ"):
        services.organisation_create(actor=officer, commune=listed.commune_a, name="Y", kind="party")
    with pytest.raises(ValidationError, match="tên tổ chức"):
        services.organisation_create(actor=officer, commune=listed.commune_a, name="  ", kind="youth_union")
    with pytest.raises(ValidationError):
        services.organisation_create(actor=officer, commune=listed.village_a1, name="Z", kind="youth_union")
    assert Organisation.objects.count() == 1
    org = services.organisation_update(
        actor=officer,
        organisation=womens_union,
        name="Hội Phụ nữ",
        kind="womens_union",
        contact="",
        is_active=False,
    )
    assert org.name == "Hội Phụ nữ" and not org.is_active


# --- assignments ---------------------------------------------------------------------------------


def test_assign_a_village_in_bulk_with_a_helper(listed, users, womens_union, household_factory):
    officer = users["commune_officer"]
    household_factory(listed.commune_a, listed.village_a1, "HH-A9", "Không Nghèo")  # not on the lists
    result = services.households_assign(
        actor=officer, organisation=womens_union, village=listed.village_a1, helper_name="Trần Thị Mai"
    )
    assert result == {"matched": 1, "created": 1, "updated": 0}
    a = Assignment.objects.get()
    assert a.household == listed.hh_a1 and a.helper_name == "Trần Thị Mai"
    # again, for the whole commune: no duplicate, the helper kept; hh_a2 (near-poor) added
    result = services.households_assign(actor=officer, organisation=womens_union)
    assert result == {"matched": 2, "created": 1, "updated": 0}
    assert Assignment.objects.filter(is_active=True).count() == 2
    assert AuditEvent.objects.filter(action="support.households_assign").count() == 2


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        ({"need": "housing"}, {"HH-A2"}),
        ({"need": "health"}, {"HH-A1"}),
        ({"cause": "lack_capital"}, {"HH-A1"}),
        ({"classes": ["near_poor"]}, {"HH-A2"}),
        ({"classes": ["poor", "near_poor"]}, {"HH-A1", "HH-A2"}),
    ],
)
def test_assign_by_need_cause_or_class(listed, users, womens_union, filters, codes):
    services.households_assign(actor=users["commune_officer"], organisation=womens_union, **filters)
    assert set(Assignment.objects.values_list("household__code", flat=True)) == codes


def test_assign_bad_input_changes_nothing(listed, users, womens_union):
    officer = users["commune_officer"]
    with pytest.raises(ValidationError, match="Không có hộ"):
        services.households_assign(actor=officer, organisation=womens_union, need="education")
    with pytest.raises(ValidationError, match="mã không hợp lệ"):
        services.households_assign(actor=officer, organisation=womens_union, need="=cmd")
    other_village = listed.commune_c.children.first()
    with pytest.raises(ValidationError, match="Thôn không thuộc"):
        services.households_assign(actor=officer, organisation=womens_union, village=other_village)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_assign_only_by_the_commune_officer(listed, users, womens_union, role):
    if role == "commune_officer":
        services.households_assign(actor=users[role], organisation=womens_union)
        assert Assignment.objects.count() == 2
    else:
        with pytest.raises(PermissionDenied):
            services.households_assign(actor=users[role], organisation=womens_union)
        assert not Assignment.objects.exists()


def test_assignment_end(listed, users, womens_union):
    services.households_assign(actor=None, organisation=womens_union, village=listed.village_a1)
    a = Assignment.objects.get()
    with pytest.raises(PermissionDenied):
        services.assignment_end(actor=users["village_head"], assignment=a)
    services.assignment_end(actor=users["commune_officer"], assignment=a)
    with pytest.raises(Conflict):
        services.assignment_end(actor=users["commune_officer"], assignment=a)
    assert selectors.organisation_assignments(user=users["commune_officer"], organisation=womens_union) == []


# --- plans ---------------------------------------------------------------------------------------------


def _plan(actor, household, **kw):
    call = {
        "kind": "health_insurance_card",
        "need": "health",
        "programme": "state_budget",
        "responsible": "Cán bộ LĐTBXH",
        "due_on": DUE,
    }
    call.update(kw)
    return services.plan_item_add(actor=actor, household=household, **call)


@pytest.mark.parametrize("role", ROLES)
def test_plan_item_only_by_the_commune_officer(listed, users, role):
    if role == "commune_officer":
        item = _plan(users[role], listed.hh_a1)
        assert item.year == DUE.year and item.status == "planned"
        assert AuditEvent.objects.filter(action="support.plan_item_add", household_code="HH-A1").exists()
    else:
        with pytest.raises(PermissionDenied):
            _plan(users[role], listed.hh_a1)
        assert not PlanItem.objects.exists()


def test_plan_item_bad_input_and_other_commune(listed, users, womens_union, household_factory):
    officer = users["commune_officer"]
    with pytest.raises(PermissionDenied):
        _plan(officer, listed.hh_b)
    not_listed = household_factory(listed.commune_a, listed.village_a1, "HH-A8", "Trung Bình")
    with pytest.raises(ValidationError, match="hộ nghèo, hộ cận nghèo"):
        _plan(officer, not_listed)
    with pytest.raises(ValidationError, match="mã không hợp lệ"):
        _plan(officer, listed.hh_a1, kind="cash")
    with pytest.raises(ValidationError, match="người phụ trách"):
        _plan(officer, listed.hh_a1, responsible=" ")
    with pytest.raises(ValidationError, match="chương trình"):
        _plan(officer, listed.hh_a1, programme="")
    other = Organisation.objects.create(commune=listed.commune_b, name="Đoàn TN", kind="youth_union")
    with pytest.raises(ValidationError, match="Tổ chức không thuộc"):
        _plan(officer, listed.hh_a1, organisation=other)
    with pytest.raises(ValidationError, match="Năm kế hoạch"):
        _plan(officer, listed.hh_a1, due_on=dt.date(TODAY.year - 2, 1, 1))
    assert not PlanItem.objects.exists()
    item = _plan(officer, listed.hh_a1, programme="", organisation=womens_union)
    assert item.organisation == womens_union


def test_given_records_support_received_and_needs_met_moves(listed, users):
    officer = users["commune_officer"]
    before = selectors.commune_support(user=officer, commune=listed.commune_a)
    assert (before.needs_met, before.needs_total) == (0, 3)
    assert {h.code for h, _ in before.needs_without_plan} == {"HH-A1", "HH-A2"}
    item = _plan(officer, listed.hh_a1)
    middle = selectors.commune_support(user=officer, commune=listed.commune_a)
    assert [(h.code, needs) for h, needs in middle.needs_without_plan] == [
        ("HH-A1", ["credit"]),
        ("HH-A2", ["housing"]),
    ]
    services.plan_item_follow_up(actor=officer, item=item, status="given", note="Cấp thẻ", amount_vnd=0)
    item.refresh_from_db()
    assert item.status == "given" and item.support_received is not None
    received = SupportReceived.objects.get()
    assert (received.household, received.kind, received.year) == (
        listed.hh_a1,
        "health_insurance_card",
        TODAY.year,
    )
    after = selectors.commune_support(user=officer, commune=listed.commune_a)
    assert (after.needs_met, after.needs_total) == (1, 3)
    assert after.given_by_kind == [("health_insurance_card", 1)]
    assert after.given_by_programme == [("state_budget", 1)]
    with pytest.raises(Conflict):
        services.plan_item_follow_up(actor=officer, item=item, status="not_given", note="x")
    assert SupportReceived.objects.count() == 1


def test_not_given_needs_a_reason_and_overdue(listed, users):
    officer = users["commune_officer"]
    item = _plan(officer, listed.hh_a2, kind="housing", need="housing", due_on=TODAY - dt.timedelta(days=1))
    summary = selectors.commune_support(user=officer, commune=listed.commune_a)
    assert [i.pk for i in summary.overdue] == [item.pk]
    with pytest.raises(ValidationError, match="lý do"):
        services.plan_item_follow_up(actor=officer, item=item, status="not_given", note="")
    with pytest.raises(ValidationError):
        services.plan_item_follow_up(actor=officer, item=item, status="planned")
    with pytest.raises(ValidationError, match="sau ngày hôm nay"):
        services.plan_item_follow_up(
            actor=officer, item=item, status="given", on=TODAY + dt.timedelta(days=2)
        )
    services.plan_item_follow_up(actor=officer, item=item, status="not_given", note="Chưa có vốn")
    item.refresh_from_db()
    assert item.status == "not_given" and item.outcome_note == "Chưa có vốn"
    assert not SupportReceived.objects.exists()
    assert selectors.commune_support(user=officer, commune=listed.commune_a).overdue == []


@pytest.mark.parametrize("role", ROLES)
def test_follow_up_by_officer_or_the_village_head_of_the_household(listed, users, role):
    item_a1 = _plan(users["commune_officer"], listed.hh_a1)
    item_a2 = _plan(users["commune_officer"], listed.hh_a2, kind="housing", need="housing")
    if role in ("commune_officer", "village_head"):
        services.plan_item_follow_up(actor=users[role], item=item_a1, status="given")
        assert SupportReceived.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.plan_item_follow_up(actor=users[role], item=item_a1, status="given")
    if role != "commune_officer":  # the village head of Thôn 1 cannot follow up Thôn 2
        with pytest.raises(PermissionDenied):
            services.plan_item_follow_up(actor=users[role], item=item_a2, status="given")


# --- send-backs --------------------------------------------------------------------------------------


def _round(commune, households, state="posting"):
    rnd = ReviewRound.objects.create(
        commune=commune,
        kind="yearly",
        year=TODAY.year,
        state=state,
        standard_code="vn-2026-2030",
        period_start=dt.date(TODAY.year, 9, 1),
        period_end=dt.date(TODAY.year, 12, 14),
    )
    for h in households:
        RoundEntry.objects.create(
            round=rnd,
            household=h,
            origin="poor",
            previous_class="poor",
            state="agreed",
            proposed_class="poor",
            votes_agree=30,
            meeting_agreed=True,
            final_class="near_poor",
        )
    return rnd


@pytest.mark.parametrize("role", ROLES)
def test_send_back_only_by_the_province(listed, users, role):
    rnd = _round(listed.commune_a, [listed.hh_a1, listed.hh_a2])
    call = dict(review_round=rnd, step="survey", reason="Dồn hộ qua ngưỡng", checks=["bunching"])
    if role == "province_officer":
        back = services.round_send_back(actor=users[role], household_codes=["HH-A1"], **call)
        rnd.refresh_from_db()
        assert rnd.state == "survey" and back.state_before == "posting" and back.step == "survey"
        entries = {e.household.code: e for e in rnd.entries.select_related("household")}
        assert entries["HH-A1"].state == "listed" and entries["HH-A1"].final_class == ""
        assert entries["HH-A2"].state == "agreed"  # not named: untouched
        assert AuditEvent.objects.filter(action="support.round_send_back").exists()
    elif role == "central_analyst":
        with pytest.raises(PermissionDenied):  # covers the area but is not the province
            services.round_send_back(actor=users[role], **call)
    else:
        with pytest.raises((PermissionDenied, NotFound)):
            services.round_send_back(actor=users[role], **call)
    if role != "province_officer":
        rnd.refresh_from_db()
        assert rnd.state == "posting" and not SendBack.objects.exists()


def test_send_back_to_the_meeting_for_the_whole_commune(listed, users):
    rnd = _round(listed.commune_a, [listed.hh_a1, listed.hh_a2], state="decision")
    services.round_send_back(
        actor=users["province_officer"], review_round=rnd, step="meeting", reason="Họp lại"
    )
    rnd.refresh_from_db()
    assert rnd.state == "meeting"
    assert set(rnd.entries.values_list("state", flat=True)) == {"surveyed"}
    # the commune sees it
    summary = selectors.commune_support(user=users["commune_officer"], commune=listed.commune_a)
    assert [b.reason for b in summary.send_backs] == ["Họp lại"]


def test_send_back_bad_input_changes_nothing(listed, users, world):
    province = users["province_officer"]
    rnd = _round(listed.commune_a, [listed.hh_a1])
    with pytest.raises(ValidationError, match="lý do"):
        services.round_send_back(actor=province, review_round=rnd, step="survey", reason=" ")
    with pytest.raises(ValidationError, match="Chọn bước"):
        services.round_send_back(actor=province, review_round=rnd, step="listing", reason="x")
    with pytest.raises(ValidationError, match="HH-B"):
        services.round_send_back(
            actor=province, review_round=rnd, step="survey", reason="x", household_codes=["HH-B"]
        )
    rnd.refresh_from_db()
    assert rnd.state == "posting" and not SendBack.objects.exists()
    closed = _round(listed.commune_b, [listed.hh_b], state="closed")
    with pytest.raises(Conflict):
        services.round_send_back(actor=province, review_round=closed, step="survey", reason="x")
    surveying = _round(world.commune_c, [world.hh_c], state="survey")
    with pytest.raises(NotFound):  # Hà Nội is not this province officer's
        services.round_send_back(actor=province, review_round=surveying, step="survey", reason="x")


def test_round_advance_refuses_send_back_actions(listed, users):
    rnd = _round(listed.commune_a, [listed.hh_a1])
    with pytest.raises(ValidationError, match="lý do"):
        round_advance(actor=users["province_officer"], review_round=rnd, action="province_send_back_survey")
    rnd.refresh_from_db()
    assert rnd.state == "posting"


def test_support_recorded_without_a_plan_also_meets_needs(listed, users):
    from hongheo.registry.services import support_received_add

    officer = users["commune_officer"]
    support_received_add(actor=officer, household=listed.hh_a2, kind="electricity", year=TODAY.year)
    support_received_add(actor=officer, household=listed.hh_a2, kind="housing", year=TODAY.year - 1)
    summary = selectors.commune_support(user=officer, commune=listed.commune_a)
    assert (summary.needs_met, summary.needs_total) == (1, 3)  # housing need met by this year's electricity
    assert summary.given_by_kind == [("electricity", 1)] and summary.given_by_programme == []
