"""Writers for the registry. Each validates, writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from hongheo.core.audit import audit_write, snapshot
from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.ids import InvalidPersonalId, validate_personal_id
from hongheo.core.text import fold, person_sort_key, split_full_name
from hongheo.geography.models import Area
from hongheo.users.access import user_can_write_households, user_covers_area

from .models import Household, Member

HOUSEHOLD_FACT_FIELDS = (
    "ethnic_minority",
    "female_head",
    "merit",
    "social_protection",
    "housing_quality",
    "floor_area_m2",
    "water_source",
    "toilet",
    "waste_handling",
    "internet",
    "information_devices",
    "income_per_capita",
)
MEMBER_FACT_FIELDS = (
    "ethnicity",
    "disability",
    "disability_allowance",
    "undernourished",
    "health_insurance",
    "in_school",
    "education_level",
    "has_qualification",
    "employment",
)


@dataclass
class MemberInput:
    full_name: str
    date_of_birth: dt.date
    sex: str
    relation_to_head: str
    personal_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def _check_writer(actor: Any, area: Area) -> None:
    if actor is None:  # system jobs (demo seeding, imports run by the worker on behalf of a user)
        return
    if not user_can_write_households(actor) or not user_covers_area(actor, area):
        raise PermissionDenied("Bạn không có quyền ghi dữ liệu hộ gia đình ở địa bàn này.")


def _member_build(household: Household, data: MemberInput) -> Member:
    name = " ".join((data.full_name or "").split())
    if not name:
        raise ValidationError("Họ và tên không được để trống.")
    if data.sex not in Member.Sex.values:
        raise ValidationError(f"Giới tính không hợp lệ: {data.sex}")
    if data.relation_to_head not in Member.Relation.values:
        raise ValidationError(f"Quan hệ với chủ hộ không hợp lệ: {data.relation_to_head}")
    if data.personal_id:
        try:
            validate_personal_id(data.personal_id, date_of_birth=data.date_of_birth, sex=data.sex)
        except InvalidPersonalId as exc:
            raise ValidationError(f"Số định danh {data.personal_id} của {name}: {exc}", code="personal_id")
        if Member.objects.filter(personal_id=data.personal_id).exists():
            raise ValidationError(
                f"Số định danh {data.personal_id} đã có trong sổ hộ.", code="duplicate_personal_id"
            )
    unknown = set(data.facts) - set(MEMBER_FACT_FIELDS)
    if unknown:
        raise ValidationError(f"Trường không hợp lệ: {', '.join(sorted(unknown))}")
    family, middle, given = split_full_name(name)
    return Member(
        household=household,
        personal_id=data.personal_id or None,
        full_name=name,
        search_name=fold(name),
        sort_key=person_sort_key(family, middle, given),
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        relation_to_head=data.relation_to_head,
        **data.facts,
    )


def _area_path(commune: Area, village: Area | None) -> str:
    return village.path if village is not None else commune.path


@transaction.atomic
def household_create(
    *,
    actor: Any,
    code: str,
    commune: Area,
    village: Area | None = None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    members: list[MemberInput],
    facts: dict[str, Any] | None = None,
) -> Household:
    """Register a household with its members (exactly one head)."""
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError("Hộ gia đình phải thuộc một xã, phường hoặc đặc khu.")
    if village is not None and village.parent_id != commune.pk:
        raise ValidationError("Thôn/tổ dân phố không thuộc xã đã chọn.")
    _check_writer(actor, village or commune)
    if not code.strip():
        raise ValidationError("Mã hộ không được để trống.")
    if Household.objects.filter(code=code).exists():
        raise ValidationError(f"Mã hộ {code} đã tồn tại.", code="duplicate_household")
    heads = [m for m in members if m.relation_to_head == Member.Relation.HEAD]
    if len(heads) != 1:
        raise ValidationError("Mỗi hộ phải có đúng một chủ hộ.")
    ids = [m.personal_id for m in members if m.personal_id]
    if len(ids) != len(set(ids)):
        raise ValidationError("Hai thành viên trong hộ trùng số định danh.")
    facts = dict(facts or {})
    unknown = set(facts) - set(HOUSEHOLD_FACT_FIELDS)
    if unknown:
        raise ValidationError(f"Trường không hợp lệ: {', '.join(sorted(unknown))}")
    household = Household(
        code=code.strip(),
        commune=commune,
        village=village,
        area_path=_area_path(commune, village),
        address=address,
        latitude=latitude,
        longitude=longitude,
        size=len(members),
        **facts,
    )
    head = heads[0]
    family, middle, given = split_full_name(head.full_name)
    household.head_name = " ".join(head.full_name.split())
    household.head_sort_key = person_sort_key(family, middle, given)
    household.save()
    built = [_member_build(household, m) for m in members]
    Member.objects.bulk_create(built)
    audit_write(
        actor=actor,
        action="registry.household_create",
        obj=household,
        after={**snapshot(household), "members": [m.personal_id or m.full_name for m in built]},
        household_code=household.code,
        area_code=commune.code,
    )
    return household


@transaction.atomic
def household_update_facts(*, actor: Any, household: Household, facts: dict[str, Any]) -> Household:
    unknown = set(facts) - set(HOUSEHOLD_FACT_FIELDS)
    if unknown:
        raise ValidationError(f"Trường không hợp lệ: {', '.join(sorted(unknown))}")
    _check_writer(actor, household.village or household.commune)
    before = snapshot(household, facts.keys())
    for name, value in facts.items():
        setattr(household, name, value)
    household.save(update_fields=[*facts.keys(), "updated_at"])
    audit_write(
        actor=actor,
        action="registry.household_update",
        obj=household,
        before=before,
        after=snapshot(household, facts.keys()),
        household_code=household.code,
        area_code=household.commune.code,
    )
    return household


@transaction.atomic
def household_move_village(*, actor: Any, household: Household, village: Area | None) -> Household:
    if village is not None and village.parent_id != household.commune_id:
        raise ValidationError("Thôn/tổ dân phố không thuộc xã của hộ.")
    _check_writer(actor, household.commune)
    before = snapshot(household, ["village_id", "area_path"])
    household.village = village
    household.area_path = _area_path(household.commune, village)
    household.save(update_fields=["village", "area_path", "updated_at"])
    audit_write(
        actor=actor,
        action="registry.household_move_village",
        obj=household,
        before=before,
        after=snapshot(household, ["village_id", "area_path"]),
        household_code=household.code,
    )
    return household
