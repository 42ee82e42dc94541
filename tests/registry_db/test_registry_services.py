"""Registry services: members join, change, move, die, move away; households split and merge;
groups, causes, needs and support received. Every write is audited, recorded in the household's
history, keeps exactly one active head, and writes nothing when refused."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.registry import services as s
from hongheo.registry.models import Household, HouseholdEvent, Member, SupportReceived
from hongheo.users.models import Role
from hongheo.users.services import user_create

DAY = dt.date(2026, 3, 2)


def pid(dob: dt.date, sex: str, serial: int, province: str = "046") -> str:
    digit = (dob.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    return f"{province}{digit}{dob.year % 100:02d}{serial:06d}"


def counts() -> tuple[int, int, int, int, int]:
    return (
        AuditEvent.objects.filter(kind="write").count(),
        HouseholdEvent.objects.count(),
        Member.objects.count(),
        Household.objects.count(),
        SupportReceived.objects.count(),
    )


def head_of(household: Household) -> Member:
    return household.members.get(is_active=True, relation_to_head="head")


def active(household: Household) -> list[Member]:
    return list(household.members.filter(is_active=True).order_by("id"))


def events(household: Household) -> list[str]:
    return list(
        HouseholdEvent.objects.filter(household=household).order_by("id").values_list("kind", flat=True)
    )


def child_of(household: Household) -> Member:
    return household.members.get(is_active=True, relation_to_head="child")


@pytest.fixture
def officer(world):
    return world.users[Role.COMMUNE_OFFICER]


@pytest.fixture
def surveyor_b(world):
    return user_create(
        actor=None,
        username="rasoat_b",
        password="mat-khau-thu-nghiem",
        role=Role.SURVEYOR,
        areas=[world.commune_b],
    )


def new_member(serial: int, *, relation: str = "child", name: str = "Nguyễn Thị Hoa") -> s.MemberInput:
    dob = dt.date(2015, 6, 1)
    return s.MemberInput(
        full_name=name,
        date_of_birth=dob,
        sex="female",
        relation_to_head=relation,
        personal_id=pid(dob, "female", 900000 + serial),
        facts={"status": "in_school", "ethnicity": "Kinh"},
    )


# --- household create / facts / groups ----------------------------------------------------------


def test_household_create_records_created_event(world):
    assert events(world.hh_a1) == ["created"]
    assert world.hh_a1.members.filter(joined_at__isnull=False).count() == 2


def test_update_facts_validates_codes_and_records_history(world, officer):
    s.household_update_facts(
        actor=officer,
        household=world.hh_a1,
        facts={
            "wall_material": "durable",
            "floor_area_m2": 42.5,
            "income_sources": ["wages", "crops", "wages"],
            "phone": "0912 345 678",
            "no_working_capacity": True,
        },
    )
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert hh.income_sources == ["wages", "crops"]  # list order, no duplicates
    assert hh.phone == "0912345678"
    assert hh.no_working_capacity is True
    ev = HouseholdEvent.objects.filter(household=hh, kind="facts_changed").get()
    assert set(ev.details["fields"]) == {
        "wall_material",
        "floor_area_m2",
        "income_sources",
        "phone",
        "no_working_capacity",
    }
    assert "42.5" not in str(ev.details)  # values stay in the audit trail, not the history
    audit = AuditEvent.objects.filter(action="registry.household_update").latest("id")
    assert audit.after["income_sources"] == ["wages", "crops"]


@pytest.mark.parametrize(
    ("facts", "fragment"),
    [
        ({"toilet": "golden"}, "Nhà tiêu"),
        ({"income_sources": ["lottery"]}, "lottery"),
        ({"floor_area_m2": -3}, "Diện tích"),
        ({"information_devices": 2.5}, "số nguyên"),
        ({"phone": "12345"}, "Số điện thoại"),
        ({"merit": "yes"}, "Có hoặc Không"),
        ({"owner": "x"}, "Trường không hợp lệ"),
    ],
)
def test_update_facts_bad_input_writes_nothing(world, officer, facts, fragment):
    before = counts()
    with pytest.raises(ValidationError, match=fragment):
        s.household_update_facts(actor=officer, household=world.hh_a1, facts=facts)
    assert counts() == before


def test_groups_causes_needs(world, officer):
    s.household_update_groups_causes_needs(
        actor=officer,
        household=world.hh_a1,
        groups={"ethnic_minority": True, "merit": True},
        poverty_causes=["lack_capital", "lack_land"],
        support_needs=["credit"],
    )
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert hh.ethnic_minority and hh.merit
    assert hh.poverty_causes == ["lack_land", "lack_capital"]
    assert hh.support_needs == ["credit"]
    assert events(hh)[-1] == "groups_changed"
    assert AuditEvent.objects.filter(
        action="registry.household_update_groups", household_code="HH-A1"
    ).exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"poverty_causes": ["laziness"]},
        {"support_needs": "credit"},  # not a list
        {"groups": {"rich": True}},
    ],
)
def test_groups_causes_needs_bad_input(world, officer, kwargs):
    before = counts()
    with pytest.raises(ValidationError):
        s.household_update_groups_causes_needs(actor=officer, household=world.hh_a1, **kwargs)
    assert counts() == before


def test_surveyor_of_another_commune_is_refused(world, surveyor_b):
    before = counts()
    with pytest.raises(PermissionDenied):
        s.household_update_groups_causes_needs(
            actor=surveyor_b, household=world.hh_a1, poverty_causes=["other"]
        )
    with pytest.raises(PermissionDenied):
        s.member_add(actor=surveyor_b, household=world.hh_a1, data=new_member(1))
    with pytest.raises(PermissionDenied):
        s.member_record_death(actor=surveyor_b, member=child_of(world.hh_a1), date=DAY)
    with pytest.raises(PermissionDenied):
        s.support_received_add(actor=surveyor_b, household=world.hh_a1, kind="housing", year=2025)
    assert counts() == before


def test_readers_are_refused(world):
    chairman = world.users[Role.COMMUNE_CHAIRMAN]
    with pytest.raises(PermissionDenied):
        s.member_add(actor=chairman, household=world.hh_a1, data=new_member(1))


# --- members -------------------------------------------------------------------------------------


def test_member_add(world, officer):
    member = s.member_add(actor=officer, household=world.hh_a1, data=new_member(1), date=DAY)
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert hh.size == 3 and member.joined_at == DAY and member.status == "in_school"
    ev = HouseholdEvent.objects.get(household=hh, kind="member_joined")
    assert ev.member == member and ev.date == DAY and ev.actor == officer
    assert AuditEvent.objects.filter(action="registry.member_add", personal_id=member.personal_id).exists()


def test_member_add_second_head_refused(world, officer):
    before = counts()
    with pytest.raises(ValidationError, match="đúng một chủ hộ") as info:
        s.member_add(actor=officer, household=world.hh_a1, data=new_member(1, relation="head"))
    assert info.value.code == "two_heads"
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"personal_id": "04630512345"}, "12 chữ số"),
        ({"personal_id": "046315123456"}, "giới tính"),  # digit 4 = 3 (female 2000s) … but born 2015 is fine
        ({"status": "retired"}, "Tình trạng"),
        ({"relation_to_head": "boss"}, "Quan hệ"),
        ({"sex": "x"}, "Giới tính"),
    ],
)
def test_member_add_bad_input(world, officer, change, fragment):
    data = new_member(1)
    if "personal_id" in change:
        data.personal_id = change["personal_id"]
        if fragment == "giới tính":
            data.sex = "male"
    elif "status" in change:
        data.facts["status"] = change["status"]
    elif "relation_to_head" in change:
        data.relation_to_head = change["relation_to_head"]
    else:
        data.sex = change["sex"]
    before = counts()
    with pytest.raises(ValidationError, match=fragment):
        s.member_add(actor=officer, household=world.hh_a1, data=data)
    assert counts() == before


def test_member_add_duplicate_personal_id(world, officer):
    taken = head_of(world.hh_b).personal_id
    head = head_of(world.hh_b)
    data = s.MemberInput(
        full_name="Người Trùng Số",
        date_of_birth=head.date_of_birth,
        sex=head.sex,
        relation_to_head="other",
        personal_id=taken,
    )
    # held in another commune: only "registered elsewhere" (issue 8, no personal-ID oracle)
    with pytest.raises(ValidationError, match="đã được đăng ký ở nơi khác"):
        s.member_add(actor=officer, household=world.hh_a1, data=data)


def test_member_update(world, officer):
    child = child_of(world.hh_a1)
    s.member_update(
        actor=officer, member=child, changes={"full_name": "Trần  Thị Bích Ngọc", "status": "in_school"}
    )
    child.refresh_from_db()
    assert child.full_name == "Trần Thị Bích Ngọc" and child.search_name == "tran thi bich ngoc"
    ev = HouseholdEvent.objects.get(household=world.hh_a1, kind="member_updated")
    assert set(ev.details["fields"]) == {"full_name", "status"}


def test_member_update_checks_id_against_existing_birth_date(world, officer):
    child = child_of(world.hh_a1)
    with pytest.raises(ValidationError, match="năm sinh"):
        s.member_update(
            actor=officer, member=child, changes={"personal_id": pid(dt.date(1999, 1, 1), "female", 5)}
        )


def test_member_update_cannot_touch_head_rule(world, officer):
    before = counts()
    with pytest.raises(ValidationError, match="Đổi chủ hộ"):
        s.member_update(actor=officer, member=child_of(world.hh_a1), changes={"relation_to_head": "head"})
    with pytest.raises(ValidationError, match="Đổi chủ hộ"):
        s.member_update(actor=officer, member=head_of(world.hh_a1), changes={"relation_to_head": "spouse"})
    assert counts() == before


def test_head_name_follows_head_corrections(world, officer):
    s.member_update(actor=officer, member=head_of(world.hh_a1), changes={"full_name": "Nguyễn Văn Ân"})
    assert Household.objects.get(pk=world.hh_a1.pk).head_name == "Nguyễn Văn Ân"


def test_change_head(world, officer):
    old, child = head_of(world.hh_a1), child_of(world.hh_a1)
    s.household_change_head(
        actor=officer, household=world.hh_a1, new_head=child, old_head_relation="parent", date=DAY
    )
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert head_of(hh).pk == child.pk and hh.head_name == child.full_name and hh.female_head
    old.refresh_from_db()
    assert old.relation_to_head == "parent"
    assert events(hh)[-1] == "head_changed"


# --- move ----------------------------------------------------------------------------------------


def test_member_move_between_households(world, officer):
    child = child_of(world.hh_a1)
    moved = s.member_move(
        actor=officer, member=child, to_household=world.hh_a2, date=DAY, relation_to_head="grandchild"
    )
    child.refresh_from_db()
    assert not child.is_active and child.left_reason == "moved_out" and child.left_at == DAY
    assert (
        moved.household == world.hh_a2 and moved.previous == child and moved.relation_to_head == "grandchild"
    )
    assert moved.personal_id == child.personal_id and moved.is_active
    assert Household.objects.get(pk=world.hh_a1.pk).size == 1
    assert Household.objects.get(pk=world.hh_a2.pk).size == 3
    out = HouseholdEvent.objects.get(household=world.hh_a1, kind="member_moved")
    into = HouseholdEvent.objects.get(household=world.hh_a2, kind="member_moved")
    assert out.other_household == world.hh_a2 and out.details["direction"] == "out"
    assert into.other_household == world.hh_a1 and into.details["direction"] == "in"
    assert (
        AuditEvent.objects.filter(action="registry.member_move", personal_id=child.personal_id).count() == 1
    )


def test_moving_the_head_requires_a_new_head(world, officer):
    head = head_of(world.hh_a1)
    before = counts()
    with pytest.raises(ValidationError, match="chủ hộ mới") as info:
        s.member_move(actor=officer, member=head, to_household=world.hh_a2, date=DAY)
    assert info.value.code == "head_required"
    assert counts() == before
    child = child_of(world.hh_a1)
    s.member_move(
        actor=officer,
        member=head,
        to_household=world.hh_a2,
        date=DAY,
        relation_to_head="sibling",
        new_head=child,
    )
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert head_of(hh).pk == child.pk and hh.head_name == "Trần Thị Bích" and hh.female_head
    assert head_of(world.hh_a2).full_name == "Lê Thị Đào"  # target keeps its head
    assert "head_changed" in events(hh)


def test_move_cannot_make_a_second_head(world, officer):
    before = counts()
    with pytest.raises(ValidationError, match="chủ hộ"):
        s.member_move(
            actor=officer, member=child_of(world.hh_a1), to_household=world.hh_a2, relation_to_head="head"
        )
    assert counts() == before


def test_move_to_another_commune_without_permission(world, officer):
    before = counts()
    with pytest.raises(PermissionDenied):
        s.member_move(actor=officer, member=child_of(world.hh_a1), to_household=world.hh_b, date=DAY)
    assert counts() == before


def test_move_across_communes_by_a_user_covering_both(world):
    both = user_create(
        actor=None,
        username="xa_ab",
        password="mat-khau-thu-nghiem",
        role=Role.COMMUNE_OFFICER,
        areas=[world.commune_a, world.commune_b],
    )
    moved = s.member_move(actor=both, member=child_of(world.hh_a1), to_household=world.hh_b, date=DAY)
    assert moved.household == world.hh_b


def test_village_head_cannot_move_into_another_village(world):
    village_head = world.users[Role.VILLAGE_HEAD]  # covers village_a1 (HH-A1), not village_a2 (HH-A2)
    with pytest.raises(PermissionDenied):
        s.member_move(actor=village_head, member=child_of(world.hh_a1), to_household=world.hh_a2)


def test_move_date_in_the_future_refused(world, officer):
    before = counts()
    with pytest.raises(ValidationError, match="sau ngày hôm nay"):
        s.member_move(
            actor=officer,
            member=child_of(world.hh_a1),
            to_household=world.hh_a2,
            date=dt.date.today() + dt.timedelta(days=3),
        )
    assert counts() == before


def test_moving_the_only_member_closes_the_household(world, officer):
    s.member_move(actor=officer, member=child_of(world.hh_a1), to_household=world.hh_a2, date=DAY)
    head = head_of(world.hh_a1)
    s.member_move(actor=officer, member=head, to_household=world.hh_a2, date=DAY)
    hh = Household.objects.get(pk=world.hh_a1.pk)
    assert not hh.is_active and hh.size == 0 and hh.closed_at == DAY and hh.code == "HH-A1"
    assert events(hh)[-1] == "dissolved"


# --- death, move away ----------------------------------------------------------------------------


def test_member_record_death(world, officer):
    child = child_of(world.hh_a1)
    s.member_record_death(actor=officer, member=child, date=DAY)
    child.refresh_from_db()
    assert not child.is_active and child.left_reason == "died" and child.left_at == DAY
    assert events(world.hh_a1)[-1] == "died"
    assert Household.objects.get(pk=world.hh_a1.pk).size == 1
    assert AuditEvent.objects.filter(action="registry.member_record_death").count() == 1
    # the dead person's number cannot be registered again
    data = s.MemberInput(
        full_name=child.full_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        relation_to_head="child",
        personal_id=child.personal_id,
    )
    with pytest.raises(ValidationError, match="qua đời"):
        s.member_add(actor=officer, household=world.hh_a2, data=data)


def test_death_of_the_head_requires_a_new_head(world, officer):
    head, child = head_of(world.hh_a1), child_of(world.hh_a1)
    before = counts()
    with pytest.raises(ValidationError, match="chủ hộ mới"):
        s.member_record_death(actor=officer, member=head, date=DAY)
    with pytest.raises(ValidationError, match="không phải thành viên ở lại"):
        s.member_record_death(actor=officer, member=head, date=DAY, new_head=head_of(world.hh_a2))
    assert counts() == before
    s.member_record_death(actor=officer, member=head, date=DAY, new_head=child)
    assert head_of(world.hh_a1).pk == child.pk


def test_death_before_birth_refused(world, officer):
    with pytest.raises(ValidationError, match="trước ngày sinh"):
        s.member_record_death(actor=officer, member=child_of(world.hh_a1), date=dt.date(2000, 1, 1))


def test_member_record_move_away_and_come_back(world, officer):
    child = child_of(world.hh_a1)
    s.member_record_move_away(actor=officer, member=child, date=DAY, destination="TP. Hồ Chí Minh")
    child.refresh_from_db()
    assert child.left_reason == "moved_away"
    ev = HouseholdEvent.objects.get(household=world.hh_a1, kind="moved_away")
    assert ev.details["destination"] == "TP. Hồ Chí Minh"
    # someone who moved away may be registered again (same number)
    data = s.MemberInput(
        full_name=child.full_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        relation_to_head="child",
        personal_id=child.personal_id,
    )
    back = s.member_add(actor=officer, household=world.hh_a1, data=data)
    assert back.is_active and back.personal_id == child.personal_id


def test_leaving_twice_refused(world, officer):
    child = child_of(world.hh_a1)
    s.member_record_move_away(actor=officer, member=child, date=DAY)
    with pytest.raises(ValidationError, match="đã rời hộ"):
        s.member_record_death(actor=officer, member=child, date=DAY)


# --- split ---------------------------------------------------------------------------------------


def _bigger(world, officer) -> Household:
    """HH-A1 with four members: head, child, spouse, grandchild."""
    hh = world.hh_a1
    s.member_add(actor=officer, household=hh, data=new_member(1, relation="spouse", name="Lê Thị Mai"))
    s.member_add(actor=officer, household=hh, data=new_member(2, relation="grandchild", name="Nguyễn Văn Tí"))
    return Household.objects.get(pk=hh.pk)


def test_household_split(world, officer):
    hh = _bigger(world, officer)
    child = child_of(hh)
    grandchild = hh.members.get(is_active=True, relation_to_head="grandchild")
    new = s.household_split(
        actor=officer,
        household=hh,
        members=[child, grandchild],
        new_head=child,
        relations={grandchild.pk: "child"},
        date=DAY,
    )
    hh.refresh_from_db()
    assert hh.code == "HH-A1" and hh.is_active and hh.size == 2
    assert new.code == f"{world.commune_a.parent.code}{world.commune_a.code}000001"
    assert new.commune == hh.commune and new.village == hh.village and new.split_from == hh
    assert new.size == 2 and new.head_name == child.full_name and new.female_head
    assert {m.relation_to_head for m in active(new)} == {"head", "child"}
    child.refresh_from_db()
    assert child.left_reason == "split" and not child.is_active
    assert events(hh)[-1] == "split_into" and events(new) == ["split_from"]
    assert AuditEvent.objects.filter(action="registry.household_split", household_code="HH-A1").count() == 1
    assert AuditEvent.objects.filter(action="registry.household_create", household_code=new.code).count() == 1
    # the next split gets the next code
    new2 = s.household_split(
        actor=officer,
        household=hh,
        members=[hh.members.get(is_active=True, relation_to_head="spouse")],
        new_head=hh.members.get(is_active=True, relation_to_head="spouse"),
    )
    assert new2.code.endswith("000002")


def test_split_with_the_head_needs_remaining_head(world, officer):
    hh = _bigger(world, officer)
    head, spouse = head_of(hh), hh.members.get(is_active=True, relation_to_head="spouse")
    before = counts()
    with pytest.raises(ValidationError, match="chủ hộ mới"):
        s.household_split(actor=officer, household=hh, members=[head], new_head=head, new_code="HH-NEW")
    assert counts() == before
    new = s.household_split(
        actor=officer,
        household=hh,
        members=[head],
        new_head=head,
        new_code="HH-NEW",
        remaining_head=spouse,
    )
    assert head_of(hh).pk == spouse.pk and Household.objects.get(pk=hh.pk).head_name == "Lê Thị Mai"
    assert head_of(new).full_name == "Nguyễn Văn An"


@pytest.mark.parametrize(
    "case", ["nobody_stays", "head_not_leaving", "duplicate_code", "two_heads", "not_member", "empty"]
)
def test_split_bad_input_writes_nothing(world, officer, case):
    hh = _bigger(world, officer)
    members = active(hh)
    child = child_of(hh)
    kwargs = {"actor": officer, "household": hh, "members": [child], "new_head": child}
    if case == "nobody_stays":
        kwargs.update(members=members, remaining_head=None)
    elif case == "head_not_leaving":
        kwargs.update(new_head=head_of(hh))
    elif case == "duplicate_code":
        kwargs.update(new_code="HH-B")
    elif case == "two_heads":
        spouse = hh.members.get(is_active=True, relation_to_head="spouse")
        kwargs.update(members=[child, spouse], relations={spouse.pk: "head"})
    elif case == "not_member":
        kwargs.update(members=[child, child_of(world.hh_a2)])
    else:
        kwargs.update(members=[])
    before = counts()
    with pytest.raises(ValidationError):
        s.household_split(**kwargs)
    assert counts() == before


# --- merge ---------------------------------------------------------------------------------------


def test_household_merge(world, officer):
    source, target = world.hh_a2, world.hh_a1
    source_head = head_of(source)
    s.household_merge(
        actor=officer, source=source, target=target, relations={source_head.pk: "child_in_law"}, date=DAY
    )
    source.refresh_from_db()
    target.refresh_from_db()
    assert (
        not source.is_active
        and source.merged_into == target
        and source.code == "HH-A2"
        and source.closed_at == DAY
    )
    assert source.size == 0 and target.size == 4
    assert head_of(target).full_name == "Nguyễn Văn An"  # exactly one head: the target's
    assert target.members.filter(is_active=True, relation_to_head="head").count() == 1
    assert target.members.get(is_active=True, previous=source_head).relation_to_head == "child_in_law"
    assert source.members.filter(is_active=False, left_reason="merged").count() == 2
    assert events(source)[-1] == "merged_into" and events(target)[-1] == "merged_from"
    assert AuditEvent.objects.filter(action="registry.household_merge", household_code="HH-A2").exists()
    # the merged household keeps its code and cannot be written to any more
    with pytest.raises(ValidationError, match="không còn hoạt động"):
        s.member_add(actor=officer, household=source, data=new_member(7))


@pytest.mark.parametrize("case", ["self", "head_relation", "other_commune", "inactive"])
def test_merge_refused_writes_nothing(world, officer, case):
    kwargs = {"actor": officer, "source": world.hh_a2, "target": world.hh_a1}
    if case == "self":
        kwargs["target"] = world.hh_a2
    elif case == "head_relation":
        kwargs["relations"] = {head_of(world.hh_a2).pk: "head"}
    elif case == "other_commune":
        kwargs["target"] = world.hh_b
    else:
        Household.objects.filter(pk=world.hh_a1.pk).update(is_active=False)
    before = counts()
    with pytest.raises((ValidationError, PermissionDenied)):
        s.household_merge(**kwargs)
    assert counts() == before


# --- support received ----------------------------------------------------------------------------


def test_support_received_add(world, officer):
    child = child_of(world.hh_a1)
    s.support_received_add(
        actor=officer, household=world.hh_a1, kind="health_insurance_card", year=2025, member=child
    )
    s.support_received_add(
        actor=officer,
        household=world.hh_a1,
        kind="preferential_loan",
        year=2024,
        amount_vnd=50_000_000,
        note="NHCSXH",
    )
    rows = list(SupportReceived.objects.filter(household=world.hh_a1).order_by("year"))
    assert [(r.kind, r.year, r.amount_vnd) for r in rows] == [
        ("preferential_loan", 2024, 50_000_000),
        ("health_insurance_card", 2025, None),
    ]
    assert rows[1].member == child and rows[0].recorded_by == officer
    assert events(world.hh_a1)[-2:] == ["support_added", "support_added"]
    assert AuditEvent.objects.filter(action="registry.support_received_add").count() == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "free_car", "year": 2025},
        {"kind": "housing", "year": 1800},
        {"kind": "housing", "year": 2025, "amount_vnd": -1},
        {"kind": "housing", "year": 2025, "note": "x" * 301},
    ],
)
def test_support_received_bad_input(world, officer, kwargs):
    before = counts()
    with pytest.raises(ValidationError):
        s.support_received_add(actor=officer, household=world.hh_a1, **kwargs)
    assert counts() == before


def test_support_member_of_another_household_refused(world, officer):
    with pytest.raises(ValidationError, match="không phải thành viên"):
        s.support_received_add(
            actor=officer, household=world.hh_a1, kind="housing", year=2025, member=child_of(world.hh_a2)
        )
