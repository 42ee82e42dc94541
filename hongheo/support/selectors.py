"""Read side of support plans and hand-off lists. Every household query starts from the gate
(``hongheo.registry.access``); communes and organisations from the user's areas."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound
from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_user
from hongheo.registry.models import Household, SupportReceived
from hongheo.users.access import scope_paths, user_covers_area

from . import lists
from .models import Assignment, Organisation, PlanItem, SendBack
from .status import LISTED, class_q, official_classes

READ_ROLES = {"commune_officer", "commune_chairman", "village_head", "province_officer"}
EXPORT_ROLES = {"commune_officer", "commune_chairman"}


def _today() -> dt.date:
    return timezone.localdate()


def can_read(user: Any) -> bool:
    return str(getattr(user, "role", "")) in READ_ROLES


def communes_for_user(user: Any) -> QuerySet[Area]:
    """Communes the user covers or works in (a village head works in the village's commune)."""
    paths = scope_paths(user)
    if not paths or not can_read(user):
        return Area.objects.none()
    communes = Area.objects.filter(level=Area.Level.COMMUNE, is_active=True)
    ids: set[int] = set()
    for p in paths:
        ids |= set(communes.filter(path__startswith=p).values_list("pk", flat=True))
        ids |= set(Area.objects.filter(path=p, level=Area.Level.VILLAGE).values_list("parent_id", flat=True))
    return Area.objects.filter(pk__in=ids).order_by("name")


def commune_get(user: Any, code: str) -> Area:
    commune = communes_for_user(user).filter(code=code).first()
    if commune is None:
        raise NotFound(_("Không tìm thấy xã/phường."))
    return commune


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(commune__in=communes_for_user(user)).select_related("commune")


def organisation_get(user: Any, pk: int | str) -> Organisation:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy tổ chức."))
    organisation = organisations_for_user(user).filter(pk=key).first()
    if organisation is None:
        raise NotFound(_("Không tìm thấy tổ chức."))
    return organisation


def plan_item_get(user: Any, pk: int | str) -> PlanItem:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy mục kế hoạch."))
    item = (
        PlanItem.objects.filter(pk=key, household__in=household_qs_for_user(user))
        .select_related("household", "household__commune", "household__village", "organisation")
        .first()
    )
    if item is None:
        raise NotFound(_("Không tìm thấy mục kế hoạch."))
    return item


# --- one household ---------------------------------------------------------------------------------


@dataclass
class HouseholdSupport:
    official_class: str
    items: list[PlanItem]
    assignments: list[Assignment]
    needs_met: dict[str, bool]
    suggestions: list[tuple[str, str, str]]
    received: list[SupportReceived] = field(default_factory=list)

    @property
    def listed(self) -> bool:
        return self.official_class in LISTED


def household_support(*, household: Household, year: int | None = None) -> HouseholdSupport:
    """Plan, helpers and needs met of one household (already opened through the gate). The
    suggestions come from its needs and causes, without the kinds already planned this year."""
    year = year or _today().year
    items = list(
        PlanItem.objects.filter(household=household)
        .select_related("organisation")
        .order_by("-year", "due_on")
    )
    assignments = list(
        Assignment.objects.filter(household=household, is_active=True).select_related("organisation")
    )
    received = list(SupportReceived.objects.filter(household=household).order_by("-year", "-id"))
    met = lists.needs_met(household.support_needs or [], [r.kind for r in received if r.year == year])
    planned = {i.kind for i in items if i.year == year}
    suggestions = [
        s
        for s in lists.suggestions(household.poverty_causes or [], household.support_needs or [])
        if s[0] not in planned
    ]
    return HouseholdSupport(
        official_class=official_classes([household.pk]).get(household.pk, ""),
        items=items,
        assignments=assignments,
        needs_met=met,
        suggestions=suggestions,
        received=received,
    )


# --- one commune -------------------------------------------------------------------------------------


@dataclass
class CommuneSupport:
    commune: Area
    year: int
    households: int  # poor and near-poor households the user sees
    needs_total: int
    needs_met: int
    needs_without_plan: list[tuple[Household, list[str]]]
    overdue: list[PlanItem]
    given_by_kind: list[tuple[str, int]]
    given_by_programme: list[tuple[str, int]]
    send_backs: list[SendBack]

    @property
    def needs_met_pct(self) -> float:
        return 100.0 * self.needs_met / self.needs_total if self.needs_total else 0.0


def commune_support(*, user: Any, commune: Area, year: int | None = None) -> CommuneSupport:
    """The commune's figures: needs without a plan, plans overdue, support given this year by kind
    and by programme, and the share of needs met (computed from support received)."""
    year = year or _today().year
    today = _today()
    households = list(
        household_qs_for_user(user)
        .filter(class_q(), commune=commune, is_active=True)
        .select_related("village")
        .order_by("head_sort_key", "code")
    )
    ids = [h.pk for h in households]
    planned: dict[int, set[str]] = defaultdict(set)
    items = list(
        PlanItem.objects.filter(household_id__in=ids, year=year).select_related("household", "organisation")
    )
    for item in items:
        if item.need:
            planned[item.household_id].add(item.need)
        for need, kinds in lists.data()["need_support_kinds"].items():
            if item.kind in kinds:
                planned[item.household_id].add(need)
    received: dict[int, list[str]] = defaultdict(list)
    for household_id, kind in SupportReceived.objects.filter(household_id__in=ids, year=year).values_list(
        "household_id", "kind"
    ):
        received[household_id].append(kind)
    met, total = lists.needs_met_count({h.pk: (h.support_needs or [], received[h.pk]) for h in households})
    without = []
    for h in households:
        missing = [n for n in (h.support_needs or []) if n not in planned[h.pk]]
        if missing:
            without.append((h, missing))
    overdue = sorted(
        (i for i in items if i.status == PlanItem.Status.PLANNED and i.due_on < today),
        key=lambda i: (i.due_on, i.pk),
    )
    # given this year: every support received (with or without a plan) by kind; plans followed up
    # as given this year by programme
    by_kind = Counter(kind for kinds in received.values() for kind in kinds)
    by_programme = Counter(
        PlanItem.objects.filter(
            household_id__in=ids, status=PlanItem.Status.GIVEN, followed_up_on__year=year
        ).values_list("programme", flat=True)
    )
    send_backs = list(SendBack.objects.filter(commune=commune).select_related("sent_by")[:20])
    return CommuneSupport(
        commune=commune,
        year=year,
        households=len(households),
        needs_total=total,
        needs_met=met,
        needs_without_plan=without,
        overdue=overdue,
        given_by_kind=sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])),
        given_by_programme=sorted(by_programme.items(), key=lambda kv: (-kv[1], kv[0])),
        send_backs=send_backs,
    )


# --- an organisation's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class HelpLine:
    """One line of an organisation's list: only what it needs to help (no ID numbers, ethnicity,
    health or income)."""

    head_name: str
    village: str
    classification: str
    needs: tuple[str, ...]
    helper_name: str


#: the fields a hand-off list may carry (tests check nothing else leaves)
HELP_LINE_FIELDS = ("head_name", "village", "classification", "needs", "helper_name")


def organisation_assignments(*, user: Any, organisation: Organisation) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            organisation=organisation, is_active=True, household__in=household_qs_for_user(user)
        )
        .select_related("household", "household__village")
        .order_by("household__village__name", "household__head_sort_key", "id")
    )


def organisation_help_lines(*, user: Any, organisation: Organisation) -> list[HelpLine]:
    assignments = organisation_assignments(user=user, organisation=organisation)
    classes = official_classes(a.household_id for a in assignments)
    return [
        HelpLine(
            head_name=a.household.head_name,
            village=a.household.village.name if a.household.village else "",
            classification=classes.get(a.household_id, ""),
            needs=tuple(a.household.support_needs or ()),
            helper_name=a.helper_name,
        )
        for a in assignments
    ]


def household_covered(user: Any, household: Household) -> bool:
    return user_covers_area(user, household.village or household.commune)
