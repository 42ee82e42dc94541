"""The official list as an effective-dated history (lịch sử trạng thái chính thức).

One :class:`~hongheo.reviews.models.OfficialStatus` row per household per period. The only writers
are :func:`official_status_set` and :func:`official_status_close`, called inside the services that
decide (the chairman's decision, a baseline from an existing list, a household ceasing to exist), so a
row is never updated except to close its ``valid_to``. Readers ask for the class on a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet
from django.utils.translation import gettext as _

from hongheo.core.errors import Conflict, ValidationError
from hongheo.registry.models import Household

from .models import CLASS_CHOICES, Decision, OfficialStatus

CLASSES = tuple(c for c, _ in CLASS_CHOICES)
LISTED = ("poor", "near_poor")


def status_current(household: Household | int) -> OfficialStatus | None:
    """The household's open period, or None when it is on no official list."""
    hid = household if isinstance(household, int) else household.pk
    return (
        OfficialStatus.objects.filter(household_id=hid, valid_to__isnull=True)
        .select_related("decision")
        .first()
    )


def status_on(household: Household | int, on: dt.date) -> OfficialStatus | None:
    """The household's period that covers ``on`` (valid_from <= on < valid_to)."""
    hid = household if isinstance(household, int) else household.pk
    return (
        OfficialStatus.objects.filter(household_id=hid, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("decision")
        .first()
    )


def status_history(household: Household) -> QuerySet[OfficialStatus]:
    """Every period of the household, newest first (zero-length periods superseded the same day are
    kept and shown as such)."""
    return household.status_history.select_related("decision").order_by("-valid_from", "-id")


def was_ever_poor(household: Household | int) -> bool:
    hid = household if isinstance(household, int) else household.pk
    return OfficialStatus.objects.filter(household_id=hid, classification="poor").exists()


def covering(on: dt.date, prefix: str = "") -> Q:
    """The condition "this period covers ``on``" (for filters and ``FilteredRelation``)."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": on})
    )


def relation_on(on: dt.date) -> FilteredRelation:
    """A join to the history period covering ``on``: ``qs.annotate(_s=relation_on(d))`` then
    ``F("_s__classification")`` (at most one row matches, the periods do not overlap)."""
    return FilteredRelation("status_history", condition=covering(on, "status_history__"))


def households_listed_on(qs: QuerySet[Household], on: dt.date, classes: Iterable[str]) -> QuerySet[Household]:
    """Households of ``qs`` whose official class on ``on`` is one of ``classes``."""
    return qs.annotate(_status_on=relation_on(on)).filter(_status_on__classification__in=list(classes))


def official_status_set(
    *,
    actor: Any,
    household: Household,
    classification: str,
    effective_on: dt.date,
    source: str,
    decision: Decision | None = None,
) -> OfficialStatus:
    """Make ``classification`` the household's official class from ``effective_on``.

    When the open period already has that class it is kept as it is (a confirmation changes nothing).
    Otherwise the open period is closed on ``effective_on`` and a new one opens. A period cannot start
    before the open one (history is appended, never rewritten): that is a Conflict. Callers hold the
    transaction and write the audit row."""
    if classification not in CLASSES:
        raise ValidationError(_("Loại hộ không hợp lệ."))
    current = (
        OfficialStatus.objects.select_for_update().filter(household=household, valid_to__isnull=True).first()
    )
    if current is not None:
        if current.classification == classification:
            return current
        if effective_on < current.valid_from:
            raise Conflict(
                _(
                    "Hộ %(code)s đã có trạng thái chính thức từ %(valid_from)s; không ghi được trạng "
                    "thái bắt đầu sớm hơn."
                )
                % {"code": household.code, "valid_from": format(current.valid_from, "%d/%m/%Y")}
            )
        current.valid_to = effective_on
        current.save(update_fields=["valid_to"])
    return OfficialStatus.objects.create(
        household=household,
        classification=classification,
        valid_from=effective_on,
        decision=decision,
        source=source[:200],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def official_status_close(*, household: Household, on: dt.date) -> OfficialStatus | None:
    """End the household's open period on ``on`` (it ceased to exist); returns the closed period."""
    current = (
        OfficialStatus.objects.select_for_update().filter(household=household, valid_to__isnull=True).first()
    )
    if current is None:
        return None
    current.valid_to = max(on, current.valid_from)
    current.save(update_fields=["valid_to"])
    return current


# --- migrating the former one-row-per-household status ----------------------------------------------


@dataclass(frozen=True)
class Period:
    classification: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    decision_id: int | None = None


BEFORE_HISTORY = dt.date(1900, 1, 1)


def history_from_legacy(
    status: tuple[str, dt.date, str, int | None] | None,
    ledger: Sequence[tuple[dt.date, str, str, int | None]],
) -> list[Period]:
    """Periods equivalent to a former ``HouseholdStatus`` (class, since, source, decision id) and the
    household's ledger rows (effective_on, from_class, to_class, decision id), oldest first.

    - No ledger rows: one open period from ``since``.
    - With ledger rows: the class before the first change (its ``from_class``) held from before the
      system's history (1900-01-01, as the former reports assumed), then one period per change; a change
      to no class (died, moved) closes the period. When the former status still differs from the last
      change's class, it opens a last period from ``since``.
    Pure: used by the data migration and tested with tables."""
    periods: list[Period] = []
    rows = sorted(ledger, key=lambda r: r[0])
    if not rows:
        if status is None:
            return []
        cls, since, source, decision_id = status
        return [Period(cls, since, None, source, decision_id)]

    def close(on: dt.date) -> None:
        if periods and periods[-1].valid_to is None:
            last = periods[-1]
            periods[-1] = Period(
                last.classification, last.valid_from, max(on, last.valid_from), last.source, last.decision_id
            )

    first_from = rows[0][1]
    if first_from:
        periods.append(Period(first_from, BEFORE_HISTORY, None, "Danh sách trước khi dùng hệ thống"))
    for on, _from, to, decision_id in rows:
        close(on)
        if to:
            periods.append(Period(to, on, None, "Biến động", decision_id))
    if status is not None:
        cls, since, source, decision_id = status
        current = periods[-1] if periods and periods[-1].valid_to is None else None
        if current is None or current.classification != cls:
            start = max(since, periods[-1].valid_to or periods[-1].valid_from) if periods else since
            close(start)
            periods.append(Period(cls, start, None, source, decision_id))
        elif decision_id and current.decision_id is None:
            periods[-1] = Period(current.classification, current.valid_from, None, source, decision_id)
    return periods
