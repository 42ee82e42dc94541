"""Writers for the registry. Each validates, writes and audits in one transaction.

Every write that changes who belongs to a household, or what the household is, also writes a
:class:`~hongheo.registry.models.HouseholdEvent` (the household's history), on both households
when two are involved. The head rule holds after every service: an active household has exactly
one active head; when the head leaves (moves, dies, moves away, splits off) the caller names the
new head among the members who stay, unless nobody stays (the household is then closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write, snapshot
from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.ids import prefix_kind
from hongheo.core.text import fold, person_sort_key, split_full_name
from hongheo.geography.models import Area
from hongheo.users.access import user_can_write_households, user_covers_area

from . import code_lists
from .facts import (
    HOUSEHOLD_FACTS,
    MEMBER_FACTS,
    MEMBER_SURVEY_FACTS,
    household_values,
    member_values,
    record_json,
)
from .models import FactRecord, Household, HouseholdEvent, Member, SupportReceived
from .selectors import personal_id_conflict
from .validation import (
    GROUP_FIELDS,
    LIVING_FIELDS,
    clean_causes_needs,
    clean_household_facts,
    clean_member,
    message,
)

#: Facts of a household that :func:`household_update_facts` (and Phiếu B) may set.
HOUSEHOLD_FACT_FIELDS = (*GROUP_FIELDS, *LIVING_FIELDS)
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
    "status",
)
#: Fields :func:`member_update` may change (the relation only between non-head relations).
MEMBER_EDITABLE_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "personal_id",
    "relation_to_head",
    *MEMBER_FACT_FIELDS,
)
#: Person fields copied when a membership moves to another household.
_PERSON_FIELDS = (
    "personal_id",
    "full_name",
    "search_name",
    "sort_key",
    "date_of_birth",
    "sex",
    *MEMBER_FACT_FIELDS,
)
HEAD = Member.Relation.HEAD
Kind = HouseholdEvent.Kind
Left = Member.LeftReason


@dataclass
class MemberInput:
    full_name: str
    date_of_birth: dt.date
    sex: str
    relation_to_head: str
    personal_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    # An officer confirmed a personal ID whose prefix is in neither list (birth registered abroad).
    accept_unknown_id_prefix: bool = False


# --- helpers -------------------------------------------------------------------------------------


def _check_writer(actor: Any, area: Area) -> None:
    if actor is None:  # system jobs (demo seeding, imports run by the worker on behalf of a user)
        return
    if not user_can_write_households(actor) or not user_covers_area(actor, area):
        raise PermissionDenied(_("Bạn không có quyền ghi dữ liệu hộ gia đình ở địa bàn này."))


def _prefix_accepted(personal_id: str | None, accepted: bool) -> dict[str, Any]:
    """Audit note when an officer accepted a personal ID whose prefix is in neither list."""
    if accepted and personal_id and prefix_kind(personal_id) == "unknown":
        return {"personal_id_prefix_accepted": personal_id[:3]}
    return {}


def _household_area(household: Household) -> Area:
    return household.village or household.commune


def _invalid(errors: dict[str, str], *, code: str = "invalid") -> ValidationError:
    return ValidationError(message(errors), code=code, details={"fields": errors})


def _today() -> dt.date:
    return timezone.localdate()


def _event_date(date: dt.date | None) -> dt.date:
    date = date or _today()
    if date > _today():
        raise ValidationError(_("Ngày xảy ra không được sau ngày hôm nay."), details={"fields": {"date": ""}})
    return date


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(
    household: Household,
    kind: str,
    *,
    actor: Any,
    date: dt.date,
    member: Member | None = None,
    other: Household | None = None,
    **details: Any,
) -> HouseholdEvent:
    if member is not None:
        details.setdefault("name", member.full_name)
    if other is not None:
        details.setdefault("other_code", other.code)
    return HouseholdEvent.objects.create(
        household=household,
        kind=kind,
        date=date,
        member=member,
        other_household=other,
        details=details,
        actor=_actor_user(actor),
    )


def _audit(actor: Any, action: str, household: Household, **kwargs: Any) -> None:
    kwargs.setdefault("obj", household)
    audit_write(
        actor=actor,
        action=action,
        household_code=household.code,
        area_code=household.commune.code,
        **kwargs,
    )


def _lock(household: Household) -> Household:
    """Re-read the household under a row lock (concurrent moves must not break the head rule)."""
    return (
        Household.objects.select_for_update(of=("self",))
        .select_related("commune", "village")
        .get(pk=household.pk)
    )


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def _require_active(household: Household) -> None:
    if not household.is_active:
        raise ValidationError(
            _("Hộ %(code)s không còn hoạt động (đã nhập hoặc giải thể).") % {"code": household.code}
        )


def _require_member_of(member: Member, household: Household) -> None:
    if member.household_id != household.pk or not member.is_active:
        raise ValidationError(
            _("%(full_name)s không phải thành viên hiện tại của hộ %(code)s.")
            % {"full_name": member.full_name, "code": household.code}
        )


def _active_head(household: Household) -> Member | None:
    return household.members.filter(is_active=True, relation_to_head=HEAD).first()


def _set_head_name(household: Household, head: Member) -> None:
    family, middle, given = split_full_name(head.full_name)
    household.head_name = head.full_name
    household.head_sort_key = person_sort_key(family, middle, given)
    household.female_head = head.sex == Member.Sex.FEMALE


def _refresh_size(household: Household, *, actor: Any, date: dt.date) -> None:
    """Recount the active members; a household left without members is closed."""
    household.size = household.members.filter(is_active=True).count()
    fields = ["size", "head_name", "head_sort_key", "female_head", "updated_at"]
    if household.size == 0 and household.is_active:
        household.is_active = False
        household.closed_at = date
        fields += ["is_active", "closed_at"]
        _event(household, Kind.DISSOLVED, actor=actor, date=date)
    household.save(update_fields=fields)


def _check_new_head(household: Household, leaving: set[int], new_head: Member | None) -> Member | None:
    """The member who becomes head when the members ``leaving`` go; None when the head stays or
    nobody stays. Raises when the head leaves and no valid new head is named."""
    head = _active_head(household)
    staying = set(
        household.members.filter(is_active=True).exclude(pk__in=leaving).values_list("pk", flat=True)
    )
    if head is not None and head.pk not in leaving:
        if new_head is not None and new_head.pk != head.pk:
            raise ValidationError(
                _("Chủ hộ %(full_name)s vẫn ở lại hộ %(code)s; không thể chỉ định chủ hộ khác ở đây.")
                % {"full_name": head.full_name, "code": household.code}
            )
        return None
    if not staying:
        return None
    if new_head is None:
        raise ValidationError(
            _("Chủ hộ rời hộ %(code)s: phải chọn chủ hộ mới trong số thành viên ở lại.")
            % {"code": household.code},
            code="head_required",
        )
    if new_head.pk not in staying:
        raise ValidationError(
            _("%(full_name)s không phải thành viên ở lại của hộ %(code)s.")
            % {"full_name": new_head.full_name, "code": household.code}
        )
    return new_head


def _make_head(household: Household, new_head: Member, *, actor: Any, date: dt.date, previous: str) -> None:
    """Promote ``new_head`` (the old head must already be closed or demoted)."""
    old_relation = new_head.relation_to_head
    new_head.relation_to_head = HEAD
    new_head.save(update_fields=["relation_to_head", "updated_at"])
    _set_head_name(household, new_head)
    _event(
        household,
        Kind.HEAD_CHANGED,
        actor=actor,
        date=date,
        member=new_head,
        previous_head=previous,
        previous_relation=old_relation,
    )


def _close(member: Member, *, date: dt.date, reason: str) -> None:
    member.is_active = False
    member.left_at = date
    member.left_reason = reason
    member.save(update_fields=["is_active", "left_at", "left_reason", "updated_at"])


def _reopen(old: Member, household: Household, *, relation: str, date: dt.date) -> Member:
    """The same person's new membership of ``household`` (after ``old`` was closed)."""
    new = Member(
        household=household,
        relation_to_head=relation,
        joined_at=date,
        previous=old,
        **{name: getattr(old, name) for name in _PERSON_FIELDS},
    )
    new.save()
    return new


def _relations_for(
    members: Iterable[Member], relations: Mapping[int, str] | None, *, head: Member | None
) -> dict[int, str]:
    """Relation of each moving member to the head of the household they join ('other' unless
    given; ``head`` gets 'head'). Nobody else may be given 'head'."""
    relations = dict(relations or {})
    out: dict[int, str] = {}
    for m in members:
        relation = (
            HEAD if head is not None and m.pk == head.pk else relations.get(m.pk, Member.Relation.OTHER)
        )
        try:
            code_lists.check_code("relation_to_head", relation, blank=False)
        except code_lists.UnknownCode as exc:
            raise ValidationError(exc.message, details={"fields": {"relation_to_head": exc.message}})
        if relation == HEAD and (head is None or m.pk != head.pk):
            raise ValidationError(
                _("%(full_name)s không thể là chủ hộ: mỗi hộ chỉ có đúng một chủ hộ.")
                % {"full_name": m.full_name},
                code="two_heads",
            )
        out[m.pk] = relation
    return out


def _area_path(commune: Area, village: Area | None) -> str:
    return village.path if village is not None else commune.path


def _member_build(household: Household, data: MemberInput, actor: Any = None) -> Member:
    unknown = set(data.facts) - set(MEMBER_FACT_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    cleaned, errors = clean_member(
        {
            "full_name": data.full_name,
            "date_of_birth": data.date_of_birth,
            "sex": data.sex,
            "relation_to_head": data.relation_to_head,
            "personal_id": data.personal_id,
            **data.facts,
        },
        accept_unknown_id_prefix=data.accept_unknown_id_prefix,
    )
    if errors:
        raise _invalid(errors, code="personal_id" if set(errors) == {"personal_id"} else "invalid")
    duplicate = personal_id_conflict(cleaned["personal_id"], user=actor)
    if duplicate:
        raise ValidationError(
            duplicate, code="duplicate_personal_id", details={"fields": {"personal_id": duplicate}}
        )
    name = cleaned.pop("full_name")
    family, middle, given = split_full_name(name)
    return Member(
        household=household,
        full_name=name,
        search_name=fold(name),
        sort_key=person_sort_key(family, middle, given),
        **cleaned,
    )


def household_code_next(commune: Area) -> str:
    """The next free household code of a commune, in the synthetic/official shape
    ``PP CCCCC SSSSSS`` (province, commune, six-digit sequence)."""
    province = (commune.parent.code if commune.parent else "")[:2].zfill(2)
    prefix = f"{province}{commune.code.zfill(5)}"
    last = (
        Household.objects.filter(code__startswith=prefix, code__regex=r"^\d{13}$")
        .aggregate(last=Max("code"))
        .get("last")
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


# --- households ----------------------------------------------------------------------------------


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
        raise ValidationError(_("Hộ gia đình phải thuộc một xã, phường hoặc đặc khu."))
    if village is not None and village.parent_id != commune.pk:
        raise ValidationError(_("Thôn/tổ dân phố không thuộc xã đã chọn."))
    _check_writer(actor, village or commune)
    if not code.strip():
        raise ValidationError(_("Mã hộ không được để trống."))
    if Household.objects.filter(code=code).exists():
        raise ValidationError(_("Mã hộ %(code)s đã tồn tại.") % {"code": code}, code="duplicate_household")
    heads = [m for m in members if m.relation_to_head == HEAD]
    if len(heads) != 1:
        raise ValidationError(_("Mỗi hộ phải có đúng một chủ hộ."), code="head_rule")
    ids = [m.personal_id for m in members if m.personal_id]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("Hai thành viên trong hộ trùng số định danh."))
    facts = dict(facts or {})
    unknown = set(facts) - set(HOUSEHOLD_FACT_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    facts, errors = clean_household_facts(facts)
    if errors:
        raise _invalid(errors)
    _check_coordinates(latitude, longitude)
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
    today = _today()
    built = [_member_build(household, m, actor) for m in members]
    for m in built:
        m.joined_at = today
    Member.objects.bulk_create(built)
    _event(household, Kind.CREATED, actor=actor, date=today, members=len(built))
    audit_write(
        actor=actor,
        action="registry.household_create",
        obj=household,
        after={**snapshot(household), "members": [m.personal_id or m.full_name for m in built]},
        household_code=household.code,
        area_code=commune.code,
    )
    return household


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Toạ độ GPS phải có cả vĩ độ và kinh độ."))
    # Viet Nam including its islands lies within about 8–24° N, 102–118° E
    if (
        latitude is not None
        and longitude is not None
        and not (7 <= latitude <= 24 and 101 <= longitude <= 118)
    ):
        raise ValidationError(_("Toạ độ GPS nằm ngoài lãnh thổ Việt Nam."))


@transaction.atomic
def household_update_facts(
    *, actor: Any, household: Household, facts: dict[str, Any], date: dt.date | None = None
) -> Household:
    """Phiếu B facts (housing, water, toilet, waste, internet, devices, income, phone) and group
    flags. Values are checked against the code lists and ranges; the history records which
    fields changed (not the values: the audit trail has them)."""
    _check_writer(actor, _household_area(household))
    unknown = set(facts) - set(HOUSEHOLD_FACT_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    cleaned, errors = clean_household_facts(facts)
    if errors:
        raise _invalid(errors)
    before = snapshot(household, cleaned.keys())
    for name, value in cleaned.items():
        setattr(household, name, value)
    household.save(update_fields=[*cleaned.keys(), "updated_at"])
    after = snapshot(household, cleaned.keys())
    changed = [k for k in cleaned if before.get(k) != after.get(k)]
    if changed:
        _event(household, Kind.FACTS_CHANGED, actor=actor, date=_event_date(date), fields=changed)
    _audit(actor, "registry.household_update", household, before=before, after=after)
    return household


@transaction.atomic
def household_update_groups_causes_needs(
    *,
    actor: Any,
    household: Household,
    groups: Mapping[str, bool] | None = None,
    poverty_causes: list[str] | None = None,
    support_needs: list[str] | None = None,
    date: dt.date | None = None,
) -> Household:
    """Groups (DTTS, người có công, bảo trợ xã hội, không có khả năng lao động, chủ hộ nữ), causes
    of poverty and support needs (codes of ``code_lists.json``). ``None`` leaves a part as is."""
    _check_writer(actor, _household_area(household))
    groups = dict(groups or {})
    unknown = set(groups) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationError(_("Nhóm không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    cleaned, errors = clean_household_facts(groups)
    lists, list_errors = clean_causes_needs(poverty_causes, support_needs)
    errors.update(list_errors)
    if errors:
        raise _invalid(errors)
    cleaned.update(lists)
    before = snapshot(household, cleaned.keys())
    for name, value in cleaned.items():
        setattr(household, name, value)
    household.save(update_fields=[*cleaned.keys(), "updated_at"])
    after = snapshot(household, cleaned.keys())
    changed = [k for k in cleaned if before.get(k) != after.get(k)]
    if changed:
        _event(household, Kind.GROUPS_CHANGED, actor=actor, date=_event_date(date), fields=changed)
    _audit(actor, "registry.household_update_groups", household, before=before, after=after)
    return household


@transaction.atomic
def household_move_village(*, actor: Any, household: Household, village: Area | None) -> Household:
    if village is not None and village.parent_id != household.commune_id:
        raise ValidationError(_("Thôn/tổ dân phố không thuộc xã của hộ."))
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


@transaction.atomic
def household_change_head(
    *, actor: Any, household: Household, new_head: Member, old_head_relation: str, date: dt.date | None = None
) -> Household:
    """Make another member the head; the old head stays with ``old_head_relation``."""
    household = _lock(household)
    _check_writer(actor, _household_area(household))
    _require_active(household)
    _require_member_of(new_head, household)
    date = _event_date(date)
    head = _active_head(household)
    if head is None or head.pk == new_head.pk:
        raise ValidationError(_("%(full_name)s đã là chủ hộ.") % {"full_name": new_head.full_name})
    (relation,) = _relations_for([head], {head.pk: old_head_relation}, head=None).values()
    head.relation_to_head = relation
    head.save(update_fields=["relation_to_head", "updated_at"])
    _make_head(household, new_head, actor=actor, date=date, previous=head.full_name)
    household.save(update_fields=["head_name", "head_sort_key", "female_head", "updated_at"])
    _audit(
        actor,
        "registry.household_change_head",
        household,
        before={"head": head.pk},
        after={"head": new_head.pk, "old_head_relation": relation},
    )
    return household


# --- members -------------------------------------------------------------------------------------


@transaction.atomic
def member_add(*, actor: Any, household: Household, data: MemberInput, date: dt.date | None = None) -> Member:
    """A new member (birth, marriage, arrival from outside the registry). The head rule holds:
    a second head is refused (use :func:`household_change_head`)."""
    household = _lock(household)
    _check_writer(actor, _household_area(household))
    _require_active(household)
    date = _event_date(date)
    if data.relation_to_head == HEAD and _active_head(household) is not None:
        raise ValidationError(
            _("Hộ %(code)s đã có chủ hộ; mỗi hộ chỉ có đúng một chủ hộ.") % {"code": household.code},
            code="two_heads",
            details={"fields": {"relation_to_head": _("Hộ đã có chủ hộ.")}},
        )
    member = _member_build(household, data, actor)
    member.joined_at = date
    member.save()
    _event(household, Kind.MEMBER_JOINED, actor=actor, date=date, member=member)
    _refresh_size(household, actor=actor, date=date)
    _audit(
        actor,
        "registry.member_add",
        household,
        obj=member,
        after={**snapshot(member), **_prefix_accepted(member.personal_id, data.accept_unknown_id_prefix)},
        personal_id=member.personal_id or "",
    )
    return member


@transaction.atomic
def member_update(
    *, actor: Any, member: Member, changes: Mapping[str, Any], accept_unknown_id_prefix: bool = False
) -> Member:
    """Correct a member's personal facts. Becoming or ceasing to be head goes through
    :func:`household_change_head`, so the head rule cannot be broken here. A personal ID with a
    prefix in neither list needs ``accept_unknown_id_prefix`` (an officer's confirmation) when it
    is entered or changed; one already recorded stays accepted."""
    member = _lock_member(member)
    household = member.household
    _check_writer(actor, _household_area(household))
    if not member.is_active:
        raise ValidationError(_("Không sửa được nhân khẩu đã rời hộ."))
    unknown = set(changes) - set(MEMBER_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    if "relation_to_head" in changes and (changes["relation_to_head"] == HEAD) != (
        member.relation_to_head == HEAD
    ):
        raise ValidationError(
            _("Đổi chủ hộ bằng chức năng “Đổi chủ hộ”: mỗi hộ luôn có đúng một chủ hộ."),
            code="head_rule",
            details={"fields": {"relation_to_head": _("Dùng chức năng Đổi chủ hộ.")}},
        )
    current = {name: getattr(member, name) for name in ("date_of_birth", "sex", "personal_id")}
    unchanged_id = changes.get("personal_id", member.personal_id) == member.personal_id
    cleaned, errors = clean_member(
        {**current, **changes}, accept_unknown_id_prefix=accept_unknown_id_prefix or unchanged_id
    )
    if errors:
        raise _invalid(errors)
    cleaned = {k: v for k, v in cleaned.items() if k in changes}
    if "personal_id" in cleaned:
        duplicate = personal_id_conflict(cleaned["personal_id"], exclude_pk=member.pk, user=actor)
        if duplicate:
            raise ValidationError(
                duplicate, code="duplicate_personal_id", details={"fields": {"personal_id": duplicate}}
            )
    before = snapshot(member, cleaned.keys())
    for name, value in cleaned.items():
        setattr(member, name, value)
    update = [*cleaned.keys(), "updated_at"]
    if "full_name" in cleaned:
        family, middle, given = split_full_name(member.full_name)
        member.search_name = fold(member.full_name)
        member.sort_key = person_sort_key(family, middle, given)
        update += ["search_name", "sort_key"]
    member.save(update_fields=update)
    after = snapshot(member, cleaned.keys())
    changed = [k for k in cleaned if before.get(k) != after.get(k)]
    if member.relation_to_head == HEAD and {"full_name", "sex"} & set(changed):
        _set_head_name(household, member)
        household.save(update_fields=["head_name", "head_sort_key", "female_head", "updated_at"])
    if changed:
        _event(household, Kind.MEMBER_UPDATED, actor=actor, date=_today(), member=member, fields=changed)
    _audit(
        actor,
        "registry.member_update",
        household,
        obj=member,
        before=before,
        after={**after, **_prefix_accepted(cleaned.get("personal_id"), accept_unknown_id_prefix)},
        personal_id=member.personal_id or "",
    )
    return member


@transaction.atomic
def member_move(
    *,
    actor: Any,
    member: Member,
    to_household: Household,
    date: dt.date | None = None,
    relation_to_head: str = Member.Relation.OTHER,
    new_head: Member | None = None,
) -> Member:
    """Move a member to another household. The old membership is closed (``moved_out``) and a new
    one opened; both histories record it. Moving the head requires ``new_head`` among those who
    stay (unless nobody stays: the old household is then closed). Returns the new membership."""
    member = _lock_member(member)
    source = _lock(member.household)
    target = _lock(to_household)
    _check_writer(actor, _household_area(source))
    _check_writer(actor, _household_area(target))
    if not member.is_active:
        raise ValidationError(
            _("%(full_name)s đã rời hộ %(code)s.") % {"full_name": member.full_name, "code": source.code}
        )
    if source.pk == target.pk:
        raise ValidationError(_("Hộ chuyển đến phải khác hộ hiện tại."))
    _require_active(target)
    date = _event_date(date)
    (relation,) = _relations_for([member], {member.pk: relation_to_head}, head=None).values()
    promoted = _check_new_head(source, {member.pk}, new_head)
    _close(member, date=date, reason=Left.MOVED_OUT)
    moved = _reopen(member, target, relation=relation, date=date)
    if promoted is not None:
        _make_head(source, promoted, actor=actor, date=date, previous=member.full_name)
    _event(source, Kind.MEMBER_MOVED, actor=actor, date=date, member=member, other=target, direction="out")
    _event(target, Kind.MEMBER_MOVED, actor=actor, date=date, member=moved, other=source, direction="in")
    _refresh_size(source, actor=actor, date=date)
    _refresh_size(target, actor=actor, date=date)
    _audit(
        actor,
        "registry.member_move",
        source,
        obj=member,
        before={"household": source.code, "relation_to_head": member.relation_to_head},
        after={
            "household": target.code,
            "relation_to_head": relation,
            "new_member_id": moved.pk,
            "new_head": promoted.pk if promoted else None,
        },
        personal_id=member.personal_id or "",
    )
    return moved


def _member_leaves(
    *,
    actor: Any,
    member: Member,
    date: dt.date | None,
    new_head: Member | None,
    reason: str,
    kind: str,
    action: str,
    **details: Any,
) -> Member:
    member = _lock_member(member)
    household = _lock(member.household)
    _check_writer(actor, _household_area(household))
    if not member.is_active:
        raise ValidationError(
            _("%(full_name)s đã rời hộ %(code)s.") % {"full_name": member.full_name, "code": household.code}
        )
    date = _event_date(date)
    if date < member.date_of_birth:
        raise ValidationError(_("Ngày xảy ra không được trước ngày sinh."))
    promoted = _check_new_head(household, {member.pk}, new_head)
    _close(member, date=date, reason=reason)
    if promoted is not None:
        _make_head(household, promoted, actor=actor, date=date, previous=member.full_name)
    _event(household, kind, actor=actor, date=date, member=member, **details)
    _refresh_size(household, actor=actor, date=date)
    _audit(
        actor,
        action,
        household,
        obj=member,
        before={"is_active": True},
        after={
            "is_active": False,
            "left_at": date,
            "left_reason": reason,
            "new_head": promoted.pk if promoted else None,
        },
        personal_id=member.personal_id or "",
    )
    return member


@transaction.atomic
def member_record_death(
    *, actor: Any, member: Member, date: dt.date | None = None, new_head: Member | None = None
) -> Member:
    """Record that a member died (the membership closes with ``died``; kept for history)."""
    return _member_leaves(
        actor=actor,
        member=member,
        date=date,
        new_head=new_head,
        reason=Left.DIED,
        kind=Kind.DIED,
        action="registry.member_record_death",
    )


@transaction.atomic
def member_record_move_away(
    *,
    actor: Any,
    member: Member,
    date: dt.date | None = None,
    new_head: Member | None = None,
    destination: str = "",
) -> Member:
    """Record that a member moved away (outside the households of the registry)."""
    destination = " ".join((destination or "").split())[:200]
    return _member_leaves(
        actor=actor,
        member=member,
        date=date,
        new_head=new_head,
        reason=Left.MOVED_AWAY,
        kind=Kind.MOVED_AWAY,
        action="registry.member_record_move_away",
        destination=destination,
    )


# --- split and merge -----------------------------------------------------------------------------


@transaction.atomic
def household_split(
    *,
    actor: Any,
    household: Household,
    members: list[Member],
    new_code: str = "",
    new_head: Member,
    remaining_head: Member | None = None,
    relations: Mapping[int, str] | None = None,
    village: Area | None = None,
    address: str | None = None,
    date: dt.date | None = None,
) -> Household:
    """Split ``members`` off into a new household of the same commune. The original keeps its
    stable code; the new one gets ``new_code`` (or the commune's next code). ``new_head`` (one of
    ``members``) heads it; ``remaining_head`` is required when the original's head leaves.
    ``relations`` gives the others' relation to the new head (default 'other')."""
    household = _lock(household)
    _check_writer(actor, _household_area(household))
    _require_active(household)
    date = _event_date(date)
    members = [Member.objects.select_for_update().get(pk=m.pk) for m in members]
    if not members:
        raise ValidationError(_("Chọn ít nhất một thành viên để tách hộ."))
    for m in members:
        _require_member_of(m, household)
    leaving = {m.pk for m in members}
    if new_head.pk not in leaving:
        raise ValidationError(_("Chủ hộ mới phải là một trong các thành viên tách ra."))
    if not household.members.filter(is_active=True).exclude(pk__in=leaving).exists():
        raise ValidationError(_("Phải còn ít nhất một thành viên ở lại hộ cũ."))
    promoted = _check_new_head(household, leaving, remaining_head)
    rel = _relations_for(members, relations, head=new_head)
    village = household.village if village is None else village
    if village is not None and village.parent_id != household.commune_id:
        raise ValidationError(_("Hộ tách ra phải ở cùng xã với hộ cũ."))
    if village is not None:
        _check_writer(actor, village)
    new_code = (new_code or "").strip() or household_code_next(household.commune)
    if Household.objects.filter(code=new_code).exists():
        raise ValidationError(
            _("Mã hộ %(new_code)s đã tồn tại.") % {"new_code": new_code}, code="duplicate_household"
        )
    new = Household.objects.create(
        code=new_code,
        commune=household.commune,
        village=village,
        area_path=_area_path(household.commune, village),
        address=household.address if address is None else address,
        latitude=household.latitude,
        longitude=household.longitude,
        ethnic_minority=household.ethnic_minority,
        split_from=household,
    )
    moved = []
    for m in members:
        _close(m, date=date, reason=Left.SPLIT)
        moved.append(_reopen(m, new, relation=rel[m.pk], date=date))
    head_row = next(n for n in moved if n.relation_to_head == HEAD)
    _set_head_name(new, head_row)
    if promoted is not None:
        _make_head(household, promoted, actor=actor, date=date, previous=household.head_name)
    names = [m.full_name for m in members]
    _event(household, Kind.SPLIT_INTO, actor=actor, date=date, other=new, names=names)
    _event(new, Kind.SPLIT_FROM, actor=actor, date=date, other=household, names=names)
    _refresh_size(household, actor=actor, date=date)
    _refresh_size(new, actor=actor, date=date)
    _audit(
        actor,
        "registry.household_split",
        household,
        after={
            "new_household": new.code,
            "members": [m.personal_id or m.full_name for m in members],
            "new_head": head_row.pk,
            "remaining_head": promoted.pk if promoted else None,
        },
    )
    _audit(actor, "registry.household_create", new, after={**snapshot(new), "split_from": household.code})
    return new


@transaction.atomic
def household_merge(
    *,
    actor: Any,
    source: Household,
    target: Household,
    relations: Mapping[int, str] | None = None,
    date: dt.date | None = None,
) -> Household:
    """Merge ``source`` into ``target``: every active member of the source joins the target
    (relation to the target's head from ``relations``, default 'other'); the source is
    deactivated and keeps its code for history. Returns the target."""
    if source.pk == target.pk:
        raise ValidationError(_("Không thể nhập một hộ vào chính nó."))
    source = _lock(source)
    target = _lock(target)
    _check_writer(actor, _household_area(source))
    _check_writer(actor, _household_area(target))
    _require_active(source)
    _require_active(target)
    date = _event_date(date)
    members = list(source.members.select_for_update().filter(is_active=True).order_by("id"))
    rel = _relations_for(members, relations, head=None)
    for m in members:
        _close(m, date=date, reason=Left.MERGED)
        _reopen(m, target, relation=rel[m.pk], date=date)
    names = [m.full_name for m in members]
    source.merged_into = target
    source.is_active = False
    source.closed_at = date
    source.size = 0
    source.save(update_fields=["merged_into", "is_active", "closed_at", "size", "updated_at"])
    _event(source, Kind.MERGED_INTO, actor=actor, date=date, other=target, names=names)
    _event(target, Kind.MERGED_FROM, actor=actor, date=date, other=source, names=names)
    _refresh_size(target, actor=actor, date=date)
    _audit(
        actor,
        "registry.household_merge",
        source,
        before={"is_active": True},
        after={
            "is_active": False,
            "merged_into": target.code,
            "members": [m.personal_id or m.full_name for m in members],
        },
    )
    _audit(
        actor,
        "registry.household_merge_target",
        target,
        after={"merged_from": source.code, "size": target.size},
    )
    return target


# --- support received ----------------------------------------------------------------------------


@transaction.atomic
def support_received_add(
    *,
    actor: Any,
    household: Household,
    kind: str,
    year: int,
    amount_vnd: int | None = None,
    note: str = "",
    member: Member | None = None,
) -> SupportReceived:
    """Record a support the household (or one member, e.g. a health-insurance card) received."""
    _check_writer(actor, _household_area(household))
    errors: dict[str, str] = {}
    try:
        kind = code_lists.check_code("support_kind", kind, blank=False)
    except code_lists.UnknownCode as exc:
        errors["kind"] = exc.message
    this_year = _today().year
    if not isinstance(year, int) or not 1990 <= year <= this_year:
        errors["year"] = f"Năm hỗ trợ phải từ 1990 đến {this_year}."
    if amount_vnd is not None and (not isinstance(amount_vnd, int) or not 0 <= amount_vnd <= 10**11):
        errors["amount_vnd"] = "Số tiền phải là số nguyên không âm (đồng)."
    note = " ".join((note or "").split())
    if len(note) > 300:
        errors["note"] = "Ghi chú tối đa 300 ký tự."
    if member is not None and (member.household_id != household.pk or not member.is_active):
        errors["member"] = f"{member.full_name} không phải thành viên hiện tại của hộ."
    if errors:
        raise _invalid(errors)
    support = SupportReceived.objects.create(
        household=household,
        member=member,
        kind=kind,
        year=year,
        amount_vnd=amount_vnd,
        note=note,
        recorded_by=_actor_user(actor),
    )
    _event(
        household,
        Kind.SUPPORT_ADDED,
        actor=actor,
        date=_today(),
        member=member,
        support=kind,
        year=year,
    )
    _audit(actor, "registry.support_received_add", household, obj=support, after=snapshot(support))
    return support


# --- dated facts ---------------------------------------------------------------------------------


def facts_validate(
    household: Household,
    *,
    household_facts: Mapping[str, Any] | None = None,
    member_facts: Mapping[int, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[tuple[Member, dict[str, Any]]]]:
    """The household's facts of record overlaid with ``household_facts`` and ``member_facts``
    ({member id: {fact: value}}), validated like an edit. Every error is listed; nothing is written."""
    hh_in = dict(household_facts or {})
    unknown = set(hh_in) - set(HOUSEHOLD_FACTS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(join)s") % {"join": ", ".join(sorted(unknown))})
    cleaned, errors = clean_household_facts(hh_in)
    members = list(household.members.filter(is_active=True).order_by("id"))
    by_id = {m.pk: m for m in members}
    member_in = {int(k): dict(v) for k, v in (member_facts or {}).items()}
    stray = sorted(set(member_in) - set(by_id))
    if stray:
        errors["members"] = f"Nhân khẩu không thuộc hộ {household.code}: {', '.join(map(str, stray))}"
    rows: list[tuple[Member, dict[str, Any]]] = []
    for m in members:
        values = member_values(m)
        changes = member_in.get(m.pk, {})
        bad = set(changes) - set(MEMBER_SURVEY_FACTS)
        if bad:
            errors[f"member_{m.pk}"] = f"{m.full_name}: trường không hợp lệ {', '.join(sorted(bad))}"
            continue
        member_clean, member_errors = clean_member(changes)
        for field_name, text in member_errors.items():
            errors[f"member_{m.pk}_{field_name}"] = f"{m.full_name}: {text}"
        values.update(member_clean)
        rows.append((m, values))
    if errors:
        raise _invalid(errors)
    values = household_values(household)
    values.update(cleaned)
    return values, rows


@dataclass(frozen=True)
class _Joining:
    """A member a survey found who is not in the registry yet (applied at the decision)."""

    full_name: str
    personal_id: str = ""
    pk: None = None


#: How a member may leave in a survey's record (applied at the decision).
SURVEY_LEAVING = (Left.DIED, Left.MOVED_AWAY)


def _membership(
    household: Household,
    rows: list[tuple[Any, dict[str, Any]]],
    joining: Sequence[MemberInput],
    leaving: Mapping[int, str],
    new_head_id: int | None,
) -> tuple[list[tuple[Any, dict[str, Any]]], dict[str, Any]]:
    """The record's members after the survey's membership changes (leavers out, newcomers in) and
    the changes themselves, kept on the record until the decision applies them."""
    active = {m.pk for m, _ in rows}
    errors: dict[str, str] = {}
    for pk, reason in leaving.items():
        if pk not in active:
            errors[f"member_{pk}"] = f"Nhân khẩu không thuộc hộ {household.code}: {pk}"
        elif reason not in SURVEY_LEAVING:
            errors[f"member_{pk}"] = f"Lý do rời hộ không hợp lệ: {reason}"
    if new_head_id is not None and (new_head_id not in active or new_head_id in leaving):
        errors["new_head"] = "Chủ hộ mới phải là thành viên ở lại của hộ."
    out = [(m, v) for m, v in rows if m.pk not in leaving]
    joining_json = []
    for i, data in enumerate(joining):
        facts = {k: v for k, v in data.facts.items() if k in MEMBER_SURVEY_FACTS}
        cleaned, member_errors = clean_member(
            {
                "full_name": data.full_name,
                "date_of_birth": data.date_of_birth,
                "sex": data.sex,
                "relation_to_head": data.relation_to_head,
                **facts,
            }
        )
        for name, text in member_errors.items():
            errors[f"joining_{i}_{name}"] = f"{data.full_name}: {text}"
        if member_errors:
            continue
        values = {k: None for k in MEMBER_FACTS}
        values.update({k: cleaned.get(k) for k in MEMBER_FACTS if k in cleaned})
        out.append((_Joining(full_name=cleaned["full_name"]), values))
        joining_json.append(
            {
                "full_name": cleaned["full_name"],
                "date_of_birth": cleaned["date_of_birth"].isoformat(),
                "sex": cleaned["sex"],
                "relation_to_head": cleaned["relation_to_head"],
                "facts": {k: cleaned.get(k) for k in facts},
            }
        )
    if errors:
        raise _invalid(errors)
    changes: dict[str, Any] = {}
    if joining_json or leaving:
        changes = {
            "joining": joining_json,
            "leaving": [{"member_id": pk, "reason": str(r)} for pk, r in leaving.items()],
            "new_head": new_head_id,
        }
    return out, changes


@transaction.atomic
def facts_record(
    *,
    actor: Any,
    household: Household,
    source: str,
    observed_on: dt.date,
    household_facts: Mapping[str, Any] | None = None,
    member_facts: Mapping[int, Mapping[str, Any]] | None = None,
    source_ref: str = "",
    joining: Sequence[MemberInput] = (),
    leaving: Mapping[int, str] | None = None,
    new_head_id: int | None = None,
) -> FactRecord:
    """Record what a survey (or another source) found about the household on ``observed_on``: the
    facts of record overlaid with what was found. The registry itself does not change here; a
    survey's facts become the facts of record when the round's decision applies them
    (:func:`facts_apply`). The caller checks who may record (the review step, the field app).

    Membership found by the survey waits for the decision in the same way: ``joining`` (members not
    in the registry yet), ``leaving`` ({member id: "died" | "moved_away"}) and ``new_head_id`` (who
    heads the household when its head leaves) shape the record's members — so the classification
    counts the household as surveyed — and are kept on the record (``membership``)."""
    if source not in FactRecord.Source.values:
        raise ValidationError(_("Nguồn thông tin không hợp lệ."))
    if observed_on > _today():
        raise ValidationError(_("Ngày thu thập thông tin không được sau ngày hôm nay."))
    values, members = facts_validate(household, household_facts=household_facts, member_facts=member_facts)
    rows, membership = _membership(
        household, list(members), joining, {int(k): v for k, v in (leaving or {}).items()}, new_head_id
    )
    hh_json, mm_json = record_json(values, rows)
    hh_json["area"] = household.commune.setting
    record = FactRecord.objects.create(
        household=household,
        source=source,
        source_ref=source_ref[:200],
        observed_on=observed_on,
        household_facts=hh_json,
        member_facts=mm_json,
        membership=membership,
        recorded_by=_actor_user(actor),
    )
    _audit(
        actor,
        "registry.facts_record",
        household,
        obj=record,
        after={
            "source": source,
            "source_ref": source_ref,
            "observed_on": observed_on.isoformat(),
            **({"membership": membership} if membership else {}),
        },
    )
    return record


def _membership_apply(actor: Any, household: Household, record: FactRecord, on: dt.date) -> list[str]:
    """Apply a decided record's membership changes to the registry, as far as they still fit the
    household (a member who already left, or a newcomer already added meanwhile, is skipped, and so
    is a departure that would leave the household without a head); every change and every skip is
    in the household's history and the audit trail. The decision authorises these writes."""
    done: list[str] = []
    skipped: list[str] = []
    changes = record.membership or {}
    active = {m.pk: m for m in household.members.filter(is_active=True)}
    leaving = {
        int(x["member_id"]): x["reason"] for x in changes.get("leaving") or [] if x["member_id"] in active
    }
    for x in changes.get("leaving") or []:
        if int(x["member_id"]) not in active:
            skipped.append(f"{x['member_id']}: đã rời hộ")
    head_id = changes.get("new_head")
    new_head = active.get(int(head_id)) if head_id is not None else None
    try:
        promoted = _check_new_head(household, set(leaving), new_head) if leaving else None
    except ValidationError as exc:
        skipped += [f"{active[pk].full_name}: {exc.message}" for pk in leaving]
        leaving, promoted = {}, None
    previous = ""
    for pk, reason in leaving.items():
        member = active[pk]
        if on < member.date_of_birth:
            skipped.append(f"{member.full_name}: ngày trước ngày sinh")
            continue
        if member.relation_to_head == HEAD:
            previous = member.full_name
        _close(member, date=on, reason=reason)
        _event(
            household,
            Kind.DIED if reason == Left.DIED else Kind.MOVED_AWAY,
            actor=actor,
            date=on,
            member=member,
        )
        done.append(f"{member.full_name}: {reason}")
    if promoted is not None and promoted.is_active:
        _make_head(household, promoted, actor=actor, date=on, previous=previous)
    for row in changes.get("joining") or []:
        dob = dt.date.fromisoformat(row["date_of_birth"])
        name = fold(row["full_name"])
        if any(
            fold(m.full_name) == name and m.date_of_birth == dob
            for m in household.members.filter(is_active=True)
        ):
            skipped.append(f"{row['full_name']}: đã có trong hộ")
            continue
        relation = row["relation_to_head"]
        if relation == HEAD and _active_head(household) is not None:
            relation = Member.Relation.OTHER
            skipped.append(f"{row['full_name']}: hộ đã có chủ hộ, ghi quan hệ “khác”")
        member = _member_build(
            household,
            MemberInput(
                full_name=row["full_name"],
                date_of_birth=dob,
                sex=row["sex"],
                relation_to_head=relation,
                facts=dict(row.get("facts") or {}),
            ),
        )
        member.joined_at = on
        member.save()
        _event(household, Kind.MEMBER_JOINED, actor=actor, date=on, member=member)
        if relation == HEAD:
            _set_head_name(household, member)
        done.append(f"{member.full_name}: joined")
    if done:
        _refresh_size(household, actor=actor, date=on)
    if done or skipped:
        _audit(
            actor,
            "registry.membership_apply",
            household,
            obj=record,
            after={"record": record.pk, "applied": done, "skipped": skipped},
        )
    return done


@transaction.atomic
def facts_apply(*, actor: Any, record: FactRecord, on: dt.date | None = None) -> Household:
    """Make a record's facts the household's facts of record (after the decision of the round that
    surveyed it). Members who left since keep their closed rows; the change is in the history and
    the audit trail. The caller authorises (the chairman's decision)."""
    record = FactRecord.objects.select_for_update().get(pk=record.pk)
    if record.applied_at is not None:
        return record.household
    household = _lock(record.household)
    fields = [k for k in HOUSEHOLD_FACTS if k in record.household_facts]
    before = snapshot(household, fields)
    for k in fields:
        setattr(household, k, record.household_facts[k])
    household.save(update_fields=[*fields, "updated_at"])
    after = snapshot(household, fields)
    changed = [k for k in fields if before.get(k) != after.get(k)]
    members = {m.pk: m for m in household.members.filter(is_active=True)}
    for row in record.member_facts:
        member = members.get(row.get("member_id"))
        if member is None:
            continue
        member_changed = [k for k in MEMBER_SURVEY_FACTS if k in row and getattr(member, k) != row[k]]
        if member_changed:
            for k in member_changed:
                setattr(member, k, row[k])
            member.save(update_fields=[*member_changed, "updated_at"])
            changed += [f"{member.full_name}: {k}" for k in member_changed]
    if record.membership:
        changed += _membership_apply(actor, household, record, min(on or _today(), _today()))
    record.applied_at = timezone.now()
    record.save(update_fields=["applied_at"])
    if changed:
        _event(household, Kind.FACTS_CHANGED, actor=actor, date=min(on or _today(), _today()), fields=changed)
    _audit(
        actor,
        "registry.facts_apply",
        household,
        obj=record,
        before=before,
        after={**after, "record": record.pk, "changed": changed},
    )
    return household


# --- provisional households (applications of families not yet in the registry) -------------------


@transaction.atomic
def household_create_provisional(
    *,
    actor: Any,
    commune: Area,
    village: Area | None,
    address: str,
    members: list[MemberInput],
    facts: dict[str, Any] | None = None,
) -> Household:
    """A household created from a Mẫu 01 application of a family the registry does not have yet:
    a new code, the declared address and village, the members, the declared facts, flagged
    ``provisional`` until the commune has verified it (:func:`household_confirm`). The system
    creates it on behalf of the applicant, so the writer check is the receiving service's."""
    address = " ".join((address or "").split())
    if not address:
        raise ValidationError(
            _("Hộ chưa có trong danh sách: cần địa chỉ nơi ở."),
            details={"fields": {"address": _("Thiếu địa chỉ.")}},
        )
    if len(address) > 300:
        raise ValidationError(
            _("Địa chỉ quá dài (tối đa 300 ký tự)."), details={"fields": {"address": _("Tối đa 300 ký tự.")}}
        )
    locked = Area.objects.select_for_update().get(pk=commune.pk)  # one code at a time per commune
    household = household_create(
        actor=None,
        code=household_code_next(locked),
        commune=commune,
        village=village,
        address=address,
        members=members,
        facts=facts,
    )
    household.provisional = True
    household.save(update_fields=["provisional", "updated_at"])
    audit_write(
        actor=actor,
        action="registry.household_create_provisional",
        obj=household,
        after={"provisional": True, "village": village.code if village else "", "address": address},
        household_code=household.code,
        area_code=commune.code,
    )
    return household


@transaction.atomic
def household_confirm(*, actor: Any, household: Household, by_decision: str = "") -> Household:
    """The commune has verified a provisional household: it becomes an ordinary one. ``by_decision``
    (its number) when the chairman's decision of a round that covered the household confirms it; the
    decision service has checked the signer, so the writer check is its."""
    if not by_decision:
        _check_writer(actor, _household_area(household))
    if not household.provisional:
        return household
    household.provisional = False
    household.save(update_fields=["provisional", "updated_at"])
    after = {"decision": by_decision} if by_decision else {}
    _audit(actor, "registry.household_confirm", household, before={"provisional": True}, after=after)
    return household
