"""Reads for the oversight pages: targets in force and their progress, the centre's national tables
from the latest accepted pushes, and which provinces are late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from hongheo.geography.models import Area

from . import figures as fig
from .models import ProvinceKey, ReceivedPush, Target
from .progress import Progress, TargetSpec, Unit, effective_targets, off_track_first, progress


def spec_of(t: Target) -> TargetSpec:
    return TargetSpec(
        id=t.pk,
        title=t.title,
        area_code=t.area.code,
        area_path=t.area.path,
        area_level=t.area.level,
        year_from=t.year_from,
        year_to=t.year_to,
        metric=t.metric,
        op=t.op,
        value=float(t.value),
        value_high=float(t.value_high) if t.value_high is not None else None,
        klass=t.klass,
        area_type=t.area_type,
        group=t.group,
        except_group=t.except_group,
        scope=t.scope,
        min_base_rate=float(t.min_base_rate) if t.min_base_rate is not None else None,
    )


def ancestor_paths(area: Area) -> list[str]:
    parts = [p for p in area.path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def targets_for(area: Area, year: int) -> list[TargetSpec]:
    """Targets in force for ``area`` in ``year`` (its own and inherited from above)."""
    qs = Target.objects.filter(is_active=True, area__path__in=ancestor_paths(area)).select_related("area")
    return effective_targets([spec_of(t) for t in qs], area.path, year)


def targets_below(area: Area) -> list[Target]:
    """Targets set by the areas below ``area`` (what communes added), for the province's list."""
    return list(
        Target.objects.filter(area__path__startswith=area.path)
        .exclude(area=area)
        .select_related("area")
        .order_by("area__path", "-year_to")[:200]
    )


@dataclass
class TargetProgress:
    spec: TargetSpec
    whole: Progress | None
    communes: list[Progress]
    inherited: bool

    @property
    def off_track_communes(self) -> list[Progress]:
        return [p for p in self.communes if p.off_track]

    @property
    def status(self) -> str:
        if self.whole is not None:
            return self.whole.status
        if self.off_track_communes:
            return "off_track"
        return "met" if self.communes else "no_data"


def target_progress(
    area: Area, now: dict[str, Any], base: dict[str, Any], year: int, units: list[Unit] | None = None
) -> list[TargetProgress]:
    """Progress of every target in force for ``area`` from its figures now and at the end of last
    year; per commune when the area is a province (or per ``units``, e.g. the provinces at the
    centre). Off track first."""
    specs = targets_for(area, year)
    base_rows = {r["code"]: r for r in base["rows"]}
    whole = Unit(area.code, area.name, now["rows"], base["rows"])
    communes: list[Unit] = list(units or [])
    if units is None and area.level == Area.Level.PROVINCE:
        communes = [
            Unit(r["code"], r["name"], [r], [base_rows[r["code"]]] if r["code"] in base_rows else [])
            for r in now["rows"]
            if r["code"]
        ]
    out = []
    for spec in specs:
        items = progress(spec, whole, communes, year)
        whole_p = (
            next((p for p in items if p.unit_code == area.code), None) if spec.scope == "whole" else None
        )
        parts = off_track_first(p for p in items if p is not whole_p)
        out.append(TargetProgress(spec, whole_p, parts, inherited=spec.area_path != area.path))
    order = {"off_track": 0, "on_track": 1, "met": 2, "no_data": 3}
    return sorted(out, key=lambda tp: (order.get(tp.status, 9), -len(tp.off_track_communes)))


# --- small-cell suppression ----------------------------------------------------------------------


def threshold() -> int:
    return int(getattr(settings, "OVERSIGHT_SMALL_CELL", 5))


def suppressed(value: int | None, limit: int | None = None) -> bool:
    """A count that could identify a household on a shared or exported view: 1 … limit−1."""
    limit = threshold() if limit is None else limit
    return value is not None and 0 < value < limit


# --- the centre: national tables from the latest accepted pushes --------------------------------


def latest_pushes() -> dict[str, ReceivedPush]:
    """The accepted push with the highest sequence of each province."""
    latest: dict[str, ReceivedPush] = {}
    qs = ReceivedPush.objects.filter(status=ReceivedPush.Status.ACCEPTED).order_by(
        "province_code", "-sequence"
    )
    seen: set[str] = set()
    for push in qs.only("id", "province_code", "sequence", "on", "received_at", "province_id"):
        if push.province_code in seen:
            continue
        seen.add(push.province_code)
        latest[push.province_code] = push
    return latest


def national_figures() -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    """National figures now and at the end of last year (every commune row of every province's
    latest accepted push), and each province's totals."""
    latest = latest_pushes()
    payloads: dict[str, dict[str, Any]] = {
        p.province_code: p.payload or {}
        for p in ReceivedPush.objects.filter(pk__in=[p.pk for p in latest.values()]).only(
            "province_code", "payload"
        )
    }
    now_rows: list[dict[str, Any]] = []
    base_rows: list[dict[str, Any]] = []
    provinces: dict[str, dict[str, Any]] = {}
    for code, payload in sorted(payloads.items()):
        rows = payload["figures"]["rows"]
        history = payload.get("history") or []
        base = history[-1]["rows"] if history else []
        now_rows.extend(rows)
        base_rows.extend(base)
        provinces[code] = {
            "name": payload["figures"]["area"].get("name", code),
            "on": payload["on"],
            "now": fig.totals(rows),
            "base": fig.totals(base),
            "history": [(h["on"], fig.totals(h["rows"])) for h in history],
            "rows_now": rows,
            "rows_base": base,
            "push": latest[code],
        }
    return {"rows": now_rows}, {"rows": base_rows}, provinces


@dataclass
class ProvinceStatus:
    province: Area
    registered: bool
    latest: ReceivedPush | None
    expected_on: dt.date
    deadline: dt.date
    late: bool
    days_late: int
    rejected_recent: ReceivedPush | None


def due(today: dt.date) -> tuple[dt.date, dt.date]:
    """(figures expected as of, deadline): the figures at the end of a month are due by day
    ``OVERSIGHT_PUSH_DUE_DAY`` of the next month; the latest deadline already passed counts."""
    day = int(getattr(settings, "OVERSIGHT_PUSH_DUE_DAY", 5))
    deadline = dt.date(today.year, today.month, min(day, 28))
    if deadline > today:
        first = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
        deadline = dt.date(first.year, first.month, min(day, 28))
    expected_on = dt.date(deadline.year, deadline.month, 1) - dt.timedelta(days=1)
    return expected_on, deadline


def province_statuses(today: dt.date) -> list[ProvinceStatus]:
    """Every province: registered or not, its latest accepted push, and late or not. Late first."""
    expected_on, deadline = due(today)
    latest = latest_pushes()
    registered = set(
        ProvinceKey.objects.filter(is_active=True).values_list("province__code", flat=True).distinct()
    )
    rejected: dict[str, ReceivedPush] = {}
    for push in ReceivedPush.objects.filter(status=ReceivedPush.Status.REJECTED).order_by("-received_at")[
        :200
    ]:
        rejected.setdefault(push.province_code, push)
    best_on: dict[str, dt.date] = {}
    for code, on in ReceivedPush.objects.filter(status=ReceivedPush.Status.ACCEPTED).values_list(
        "province_code", "on"
    ):
        if on and (code not in best_on or on > best_on[code]):
            best_on[code] = on
    out = []
    for province in Area.objects.filter(level=Area.Level.PROVINCE, historical=False).order_by("code"):
        got = best_on.get(province.code)
        late = province.code in registered and (got is None or got < expected_on)
        out.append(
            ProvinceStatus(
                province=province,
                registered=province.code in registered,
                latest=latest.get(province.code),
                expected_on=expected_on,
                deadline=deadline,
                late=late,
                days_late=(today - deadline).days if late else 0,
                rejected_recent=rejected.get(province.code),
            )
        )
    return sorted(out, key=lambda s: (not s.late, not s.registered, s.province.code))
