"""The home page says what to do next, per role (read-only queries through the selectors).

* commune officer / chairman: poor, near-poor and average-living households now and at the end of
  last year; the open round's step and legal deadline (overdue or not); applications without an
  outcome; the chairman's decisions waiting for signature; the user's running jobs;
* village head / surveyor: households of their area still to survey (Phiếu B) in the open round;
* province officer: communes without a round, overdue steps;
* central analyst: the provinces (not a list of communes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hongheo.core.models import Job
from hongheo.geography.models import Area
from hongheo.reports import builders
from hongheo.reviews import selectors
from hongheo.reviews.models import Application, ReviewRound
from hongheo.reviews.workflow import EntryState, RoundState

COMMUNE_ROLES = {"commune_officer", "commune_chairman"}
FIELD_ROLES = {"village_head", "surveyor"}
PROVINCE_ROLES = {"province_officer", "administrator"}
CLASSES = ("poor", "near_poor", "average")


def _class_counts(user: Any, area: Area, on: dt.date) -> dict[str, int]:
    """Households of each class at ``on`` (the "ket_qua" table's total row)."""
    tables = builders.report_tables(user, area, dt.date(on.year, 1, 1), on, ["ket_qua"])
    if not tables:
        return {}
    table = tables[0]
    total = table.total
    out: dict[str, int] = {}
    for column, value in zip(table.columns, total.values, strict=True):
        if column.measure.startswith("cls:") and column.measure[4:] in CLASSES:
            out[column.measure[4:]] = int(value or 0)
    return out


def commune_summary(user: Any, commune: Area, today: dt.date) -> dict[str, Any]:
    now = _class_counts(user, commune, today)
    before = _class_counts(user, commune, dt.date(today.year - 1, 12, 31))
    counts = [
        {
            "klass": k,
            "now": now.get(k, 0),
            "before": before.get(k, 0),
            "change": now.get(k, 0) - before.get(k, 0),
        }
        for k in CLASSES
    ]
    open_round = (
        selectors.round_qs_for_user(user)
        .filter(commune=commune)
        .exclude(state=RoundState.CLOSED)
        .order_by("-created_at")
        .first()
    )
    deadline = selectors.step_deadline(open_round, today=today) if open_round else None
    waiting = Application.objects.filter(
        commune=commune, status__in=[Application.Status.RECEIVED, Application.Status.IN_REVIEW]
    ).count()
    return {
        "commune": commune,
        "counts": counts,
        "last_year": today.year - 1,
        "open_round": open_round,
        "deadline": deadline,
        "applications_waiting": waiting,
        "this_year_round": selectors.round_qs_for_user(user)
        .filter(commune=commune, kind="yearly", year=today.year)
        .exists(),
    }


def field_summary(user: Any, today: dt.date) -> list[dict[str, Any]]:
    """Open rounds in the user's area with the households still to survey (Phiếu B)."""
    out = []
    for review_round in selectors.round_qs_for_user(user).filter(state=RoundState.SURVEY):
        entries = selectors.entries_for_user(user, review_round)
        todo = entries.filter(state=EntryState.LISTED).count()
        out.append({"round": review_round, "to_survey": todo, "total": entries.count()})
    return out


def chairman_waiting(user: Any) -> list[ReviewRound]:
    return list(selectors.round_qs_for_user(user).filter(state=RoundState.DECISION))


def province_summary(user: Any, today: dt.date) -> dict[str, Any]:
    rows = selectors.province_overview(user, today=today)
    without = [r for r in rows if r.deadline is not None and r.deadline.state == "not_opened"]
    overdue = [r for r in rows if r.deadline and r.deadline.overdue]
    return {
        "communes": len(rows),
        "without_round": len(without),
        "overdue": len(overdue),
        "overdue_rows": overdue[:10],
    }


def provinces_for(user: Any) -> list[Area]:
    from hongheo.core.text import natural_key

    return sorted(Area.objects.filter(level=Area.Level.PROVINCE), key=lambda a: natural_key(a.name))


def home_context(user: Any, today: dt.date) -> dict[str, Any]:
    role = getattr(user, "role", "")
    context: dict[str, Any] = {"role": role}
    communes = list(selectors.communes_for_user(user)[:2])
    if role in COMMUNE_ROLES and communes:
        context["commune"] = commune_summary(user, communes[0], today)
    if role == "commune_chairman":
        context["decisions_waiting"] = chairman_waiting(user)
    if role in FIELD_ROLES:
        context["to_survey"] = field_summary(user, today)
    if role in PROVINCE_ROLES:
        context["province"] = province_summary(user, today)
    if role == "central_analyst":
        context["provinces"] = provinces_for(user)
    context["jobs_running"] = Job.objects.filter(
        created_by=user, state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).count()
    return context


__all__ = ["home_context"]
