"""Writers of support plans, organisations, assignments and the province's send-backs. Each
checks the role and the area, validates, writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write, snapshot
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.registry import services as registry_services
from hongheo.registry.access import household_qs_for_user
from hongheo.registry.models import Household
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.reviews.workflow import SEND_BACK_ACTIONS, EntryState, TransitionError, transition
from hongheo.users.access import user_covers_area

from . import lists
from .models import Assignment, Organisation, PlanItem, SendBack
from .status import LISTED, class_q, official_classes

PLAN_ROLES = {"commune_officer"}
FOLLOW_UP_ROLES = {"commune_officer", "village_head"}
ORGANISATION_ROLES = {"commune_officer"}
SEND_BACK_ROLES = {"province_officer"}
MAX_TEXT = 300


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", ""))


def _require(actor: Any, area: Area, roles: set[str], what: str) -> None:
    if actor is None:  # system (demo seeding)
        return
    if _role(actor) not in roles or not user_covers_area(actor, area):
        raise PermissionDenied(_("Bạn không có quyền %(what)s ở địa bàn này.") % {"what": what})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, *, name: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationError(_("Chưa nhập %(name)s.") % {"name": name})
    if len(text) > limit:
        raise ValidationError(
            _("%(name)s tối đa %(limit)s ký tự.") % {"name": name[:1].upper() + name[1:], "limit": limit}
        )
    return text


def _code(list_name: str, value: Any, *, blank: bool = False) -> str:
    try:
        return lists.check(list_name, value, blank=blank)
    except ValueError as exc:
        raise ValidationError(str(exc))


# --- organisations ------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor: Any, commune: Area, name: str, kind: str, contact: str = ""
) -> Organisation:
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Tổ chức phải thuộc một xã, phường, đặc khu."))
    _require(actor, commune, ORGANISATION_ROLES, _("quản lý tổ chức đoàn thể"))
    name = _text(name, name=_("tên tổ chức"), required=True, limit=200)
    kind = _code("organisation_kind", kind)
    contact = _text(contact, name=_("thông tin liên hệ"))
    if Organisation.objects.filter(commune=commune, name__iexact=name).exists():
        raise Conflict(_("Xã đã có tổ chức “%(name)s”.") % {"name": name})
    organisation = Organisation.objects.create(commune=commune, name=name, kind=kind, contact=contact)
    audit_write(
        actor=actor,
        action="support.organisation_create",
        obj=organisation,
        after=snapshot(organisation, ["commune_id", "name", "kind", "contact"]),
        area_code=commune.code,
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, name: str, kind: str, contact: str, is_active: bool = True
) -> Organisation:
    _require(actor, organisation.commune, ORGANISATION_ROLES, _("quản lý tổ chức đoàn thể"))
    fields = ["name", "kind", "contact", "is_active"]
    before = snapshot(organisation, fields)
    name = _text(name, name=_("tên tổ chức"), required=True, limit=200)
    clash = Organisation.objects.filter(commune=organisation.commune, name__iexact=name).exclude(
        pk=organisation.pk
    )
    if clash.exists():
        raise Conflict(_("Xã đã có tổ chức “%(name)s”.") % {"name": name})
    organisation.name = name
    organisation.kind = _code("organisation_kind", kind)
    organisation.contact = _text(contact, name=_("thông tin liên hệ"))
    organisation.is_active = bool(is_active)
    organisation.save()
    audit_write(
        actor=actor,
        action="support.organisation_update",
        obj=organisation,
        before=before,
        after=snapshot(organisation, fields),
        area_code=organisation.commune.code,
    )
    return organisation


# --- assignments ----------------------------------------------------------------------------------


def assignable_households(
    *,
    actor: Any,
    organisation: Organisation,
    village: Area | None = None,
    need: str = "",
    cause: str = "",
    classes: Iterable[str] = LISTED,
) -> list[Household]:
    """The commune's active poor / near-poor households matching the filters, through the gate
    (``actor=None`` = the system, for the demo)."""
    classes = [c for c in classes if c in LISTED] or list(LISTED)
    qs = (household_qs_for_user(actor) if actor is not None else Household.objects.all()).filter(
        class_q(classes), commune=organisation.commune, is_active=True
    )
    if village is not None:
        if village.parent_id != organisation.commune_id:
            raise ValidationError(_("Thôn không thuộc xã của tổ chức."))
        qs = qs.filter(village=village)
    households = list(qs.select_related("village").order_by("head_sort_key", "code"))
    # JSON list membership in Python: portable across SQLite and PostgreSQL, a commune is small
    if need:
        need = _code("support_need", need)
        households = [h for h in households if need in (h.support_needs or [])]
    if cause:
        cause = _code("poverty_cause", cause)
        households = [h for h in households if cause in (h.poverty_causes or [])]
    return households


@transaction.atomic
def households_assign(
    *,
    actor: Any,
    organisation: Organisation,
    village: Area | None = None,
    need: str = "",
    cause: str = "",
    classes: Iterable[str] = LISTED,
    helper_name: str = "",
) -> dict[str, int]:
    """Assign, in bulk, the commune's poor / near-poor households of a village, with a need or a
    cause, to an organisation and optionally a named member who helps them. Households already
    assigned to it keep their assignment (their helper is set when one is given)."""
    _require(actor, organisation.commune, ORGANISATION_ROLES, _("giao hộ cho tổ chức đoàn thể"))
    if not organisation.is_active:
        raise Conflict(_("Tổ chức đã ngừng hoạt động."))
    helper_name = _text(helper_name, name=_("tên hội viên giúp đỡ"), limit=150)
    households = assignable_households(
        actor=actor, organisation=organisation, village=village, need=need, cause=cause, classes=classes
    )
    if not households:
        raise ValidationError(_("Không có hộ nghèo, hộ cận nghèo nào khớp với điều kiện đã chọn."))
    existing = {
        a.household_id: a
        for a in Assignment.objects.select_for_update().filter(
            organisation=organisation, is_active=True, household__in=households
        )
    }
    created = updated = 0
    for h in households:
        current = existing.get(h.pk)
        if current is None:
            Assignment.objects.create(
                organisation=organisation, household=h, helper_name=helper_name, assigned_by=_user(actor)
            )
            created += 1
        elif helper_name and current.helper_name != helper_name:
            current.helper_name = helper_name
            current.save(update_fields=["helper_name", "updated_at"])
            updated += 1
    audit_write(
        actor=actor,
        action="support.households_assign",
        obj=organisation,
        after={
            "village": village.code if village else "",
            "need": need,
            "cause": cause,
            "helper_name": helper_name,
            "created": created,
            "updated": updated,
            "households": [h.code for h in households][:500],
        },
        area_code=organisation.commune.code,
    )
    return {"matched": len(households), "created": created, "updated": updated}


@transaction.atomic
def assignment_end(*, actor: Any, assignment: Assignment, on: dt.date | None = None) -> Assignment:
    _require(actor, assignment.organisation.commune, ORGANISATION_ROLES, _("giao hộ cho tổ chức đoàn thể"))
    if not assignment.is_active:
        raise Conflict(_("Hộ đã thôi được giao cho tổ chức này."))
    assignment.is_active = False
    assignment.ended_on = on or _today()
    assignment.save(update_fields=["is_active", "ended_on", "updated_at"])
    audit_write(
        actor=actor,
        action="support.assignment_end",
        obj=assignment,
        after={"ended_on": assignment.ended_on},
        household_code=assignment.household.code,
        area_code=assignment.organisation.commune.code,
    )
    return assignment


# --- plans ------------------------------------------------------------------------------------------


@transaction.atomic
def plan_item_add(
    *,
    actor: Any,
    household: Household,
    kind: str,
    responsible: str,
    due_on: dt.date,
    need: str = "",
    programme: str = "",
    organisation: Organisation | None = None,
    year: int | None = None,
) -> PlanItem:
    """Add a line to a poor or near-poor household's support plan."""
    _require(actor, household.village or household.commune, PLAN_ROLES, _("lập kế hoạch hỗ trợ"))
    if not household.is_active:
        raise Conflict(_("Hộ không còn trên địa bàn."))
    if official_classes([household.pk]).get(household.pk) not in LISTED:
        raise ValidationError(_("Chỉ lập kế hoạch hỗ trợ cho hộ nghèo, hộ cận nghèo đang quản lý."))
    kind = _code("support_kind", kind)
    need = _code("support_need", need, blank=True)
    programme = _code("support_programme", programme, blank=True)
    responsible = _text(responsible, name=_("người phụ trách"), required=True, limit=150)
    if organisation is not None and organisation.commune_id != household.commune_id:
        raise ValidationError(_("Tổ chức không thuộc xã của hộ."))
    if not programme and organisation is None:
        raise ValidationError(_("Ghi chương trình, nguồn hỗ trợ hoặc tổ chức thực hiện."))
    if not isinstance(due_on, dt.date):
        raise ValidationError(_("Hạn thực hiện không hợp lệ."))
    today = _today()
    year = year or due_on.year
    if not today.year - 1 <= year <= today.year + 5:
        raise ValidationError(
            _("Năm kế hoạch phải từ %(value)s đến %(value2)s.")
            % {"value": today.year - 1, "value2": today.year + 5}
        )
    if due_on < dt.date(today.year - 1, 1, 1):
        raise ValidationError(_("Hạn thực hiện đã quá lâu."))
    item = PlanItem.objects.create(
        household=household,
        year=year,
        need=need,
        kind=kind,
        programme=programme,
        organisation=organisation,
        responsible=responsible,
        due_on=due_on,
        created_by=_user(actor),
    )
    audit_write(
        actor=actor,
        action="support.plan_item_add",
        obj=item,
        after=snapshot(
            item, ["year", "need", "kind", "programme", "organisation_id", "responsible", "due_on"]
        ),
        household_code=household.code,
        area_code=household.commune.code,
    )
    return item


@transaction.atomic
def plan_item_follow_up(
    *,
    actor: Any,
    item: PlanItem,
    status: str,
    note: str = "",
    amount_vnd: int | None = None,
    on: dt.date | None = None,
) -> PlanItem:
    """Record what happened: ``given`` records the support received (registry service), so the
    household's needs met are computed from it; ``not_given`` needs the reason."""
    household = item.household
    _require(actor, household.village or household.commune, FOLLOW_UP_ROLES, _("ghi kết quả hỗ trợ"))
    locked = PlanItem.objects.select_for_update().get(pk=item.pk)
    if locked.status == PlanItem.Status.GIVEN:
        raise Conflict(_("Mục kế hoạch đã được ghi là đã hỗ trợ."))
    status = _code("plan_status", status)
    if status == PlanItem.Status.PLANNED:
        raise ValidationError(_("Chọn “Đã hỗ trợ” hoặc “Không hỗ trợ được”."))
    note = _text(note, name=_("ghi chú kết quả"))
    on = on or _today()
    if on > _today():
        raise ValidationError(_("Ngày hỗ trợ không được sau ngày hôm nay."))
    before = snapshot(locked, ["status", "outcome_note", "followed_up_on"])
    if status == PlanItem.Status.NOT_GIVEN:
        if not note:
            raise ValidationError(_("Ghi lý do không hỗ trợ được."))
    else:
        source = lists.label("support_programme", locked.programme) if locked.programme else ""
        by = locked.organisation.name if locked.organisation else ""
        received_note = " — ".join(p for p in (note, source, by) if p and p != "—")[:MAX_TEXT]
        locked.support_received = registry_services.support_received_add(
            actor=actor,
            household=household,
            kind=locked.kind,
            year=on.year,
            amount_vnd=amount_vnd,
            note=received_note,
        )
    locked.status = status
    locked.outcome_note = note
    locked.followed_up_on = on
    locked.save()
    audit_write(
        actor=actor,
        action="support.plan_item_follow_up",
        obj=locked,
        before=before,
        after={
            **snapshot(locked, ["status", "outcome_note", "followed_up_on"]),
            "support_received": locked.support_received_id,
        },
        household_code=household.code,
        area_code=household.commune.code,
    )
    return locked


# --- the province sends a commune's results back ------------------------------------------------


@transaction.atomic
def round_send_back(
    *,
    actor: Any,
    review_round: ReviewRound,
    step: str,
    reason: str,
    checks: Iterable[str] = (),
    household_codes: Iterable[str] = (),
) -> SendBack:
    """The province refuses to recognise a commune's results for now: the round goes back to the
    survey (Phiếu B again) or to the community meeting, by the review's transition table; the
    households named (all of the round's when none) go back with it. Recorded, with its reason,
    where the commune sees it."""
    locked = ReviewRound.objects.select_for_update().select_related("commune").get(pk=review_round.pk)
    if actor is not None and not user_covers_area(actor, locked.commune):
        raise NotFound(_("Không tìm thấy đợt rà soát."))
    if actor is not None and _role(actor) not in SEND_BACK_ROLES:
        raise PermissionDenied(_("Chỉ cán bộ cấp tỉnh được trả lại kết quả rà soát của xã."))
    action = SEND_BACK_ACTIONS.get(step)
    if action is None:
        raise ValidationError(_("Chọn bước phải làm lại: Phiếu B hoặc họp dân."))
    try:
        target = transition(locked.state, action, _role(actor) if actor is not None else "province_officer")
    except TransitionError as exc:
        raise Conflict(str(exc))
    reason = _text(reason, name=_("lý do trả lại"), required=True, limit=2000)
    codes = sorted({c.strip() for c in household_codes if c and c.strip()})
    entries = RoundEntry.objects.filter(round=locked).exclude(state=EntryState.SCREENED_OUT)
    if codes:
        entries = entries.filter(household__code__in=codes)
        found = set(entries.values_list("household__code", flat=True))
        missing = sorted(set(codes) - found)
        if missing:
            raise ValidationError(
                _("Hộ không thuộc đợt rà soát: %(codes)s") % {"codes": ", ".join(missing[:10])}
            )
    if step == "survey":
        reset = entries.update(
            state=EntryState.LISTED,
            meeting=None,
            votes_agree=None,
            meeting_agreed=None,
            final_class="",
            updated_at=timezone.now(),
        )
    else:
        reset = entries.filter(state__in=[EntryState.AGREED, EntryState.DISAGREED]).update(
            state=EntryState.SURVEYED,
            meeting=None,
            votes_agree=None,
            meeting_agreed=None,
            updated_at=timezone.now(),
        )
    before = locked.state
    locked.state = target
    locked.save(update_fields=["state", "updated_at"])
    send_back = SendBack.objects.create(
        round=locked,
        commune=locked.commune,
        step=target,
        state_before=before,
        reason=reason,
        checks=sorted(set(checks)),
        households=codes,
        sent_by=_user(actor),
    )
    audit_write(
        actor=actor,
        action="support.round_send_back",
        obj=send_back,
        before={"state": before},
        after={"state": target, "reason": reason, "households": codes, "entries_reopened": reset},
        area_code=locked.commune.code,
    )
    return send_back
