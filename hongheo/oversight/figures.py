"""Dashboard figures of an area at a date, taken from the report builders (the change ledger and
the official status at that date), never re-derived from the status table.

The figures are plain JSON (aggregate counts only, no personal data): the same structure is shown
on the dashboards, stored as a roll-up, and pushed by a province to the centre.

- ``rows``: one per row of the report on the area (communes of a province, villages of a commune),
  each with its area code, urban/rural setting, mountain designation, households and persons,
  counts by class at the date and at the start of the year, the transitions of the year and the
  three target groups (households of the group, poor and near-poor among them);
- ``breakdowns``: area totals of poor / near-poor households per deprived indicator, group,
  cause and need;
- ``support``: support received in the year (households and amount per kind).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_user
from hongheo.reports import builders, engine

from .models import AreaDesignation, Rollup
from .progress import GROUPS

SCHEMA_VERSION = 1

ROW_MEASURES = {
    "households": "households",
    "households_start": "households_start",
    "persons": "persons",
    "poor": "cls:poor",
    "near_poor": "cls:near_poor",
    "average": "cls:average",
    "poor_start": "tr:poor:start",
    "near_poor_start": "tr:near_poor:start",
    "poor_new": "tr:poor:inc:new",
    "poor_re_entered": "tr:poor:inc:re_entered",
    "poor_from_near_poor": "tr:poor:inc:from_near_poor",
    "poor_escaped": "tr:poor:dec:above_line",
    "poor_to_near_poor": "tr:poor:dec:to_near_poor",
    "near_poor_new": "tr:near_poor:inc:new",
    "near_poor_escaped": "tr:near_poor:dec:above_line",
}
COUNT_KEYS = tuple(ROW_MEASURES)


def _active_on(on: dt.date) -> Q:
    return Q(closed_at__isnull=True, is_active=True) | Q(closed_at__gt=on)


def group_households(user: Any, area: Area, on: dt.date) -> dict[str, dict[str, int]]:
    """Households of each target group per report row (the denominators of group rates), through
    the gate. The report cube counts group members by class; this adds how many there are."""
    row_field = builders.ROW_FIELD.get(area.level, "commune_id")
    qs = (
        household_qs_for_user(user)
        .filter(area_path__startswith=area.path)
        .filter(_active_on(on))
        .order_by()
        .values(row_field)
        .annotate(**{g: Count("pk", filter=Q(**{g: True})) for g in GROUPS})
    )
    return {str(r[row_field] or ""): {g: int(r[g]) for g in GROUPS} for r in qs}


def _row_areas(area: Area, keys: list[str]) -> dict[str, Area]:
    pks = [int(k) for k in keys if k and k.isdigit()]
    return {str(a.pk): a for a in Area.objects.filter(pk__in=pks)}


def _mountain_ids(areas: list[Area]) -> set[int]:
    ids = {a.pk for a in areas} | {a.parent_id for a in areas if a.parent_id}
    return set(
        AreaDesignation.objects.filter(area_id__in=ids, kind=AreaDesignation.Kind.MOUNTAIN).values_list(
            "area_id", flat=True
        )
    )


def _setting_of(area: Area, parent: Area | None) -> str:
    if area.level == Area.Level.VILLAGE and parent is not None:
        return parent.setting or ""
    return area.setting or ""


def support_of(user: Any, area: Area, year: int) -> list[dict[str, Any]]:
    from hongheo.registry import code_lists
    from hongheo.registry.models import SupportReceived

    households = household_qs_for_user(user).filter(area_path__startswith=area.path)
    rows = (
        SupportReceived.objects.filter(household__in=households.values("pk"), year=year)
        .order_by()
        .values("kind")
        .annotate(households=Count("household", distinct=True), amount=Sum("amount_vnd"))
    )
    try:
        labels = code_lists.labels("support_kind")
    except KeyError:
        labels = {}
    return sorted(
        (
            {
                "code": r["kind"],
                "label": labels.get(r["kind"], r["kind"]),
                "households": int(r["households"]),
                "amount": int(r["amount"] or 0),
            }
            for r in rows
        ),
        key=lambda r: -r["households"],
    )


def compute(user: Any, area: Area, on: dt.date, *, with_support: bool = True) -> dict[str, Any]:
    """The figures of ``area`` on ``on`` (the year so far: 1/1 to ``on``) as ``user`` may see them."""
    start = dt.date(on.year, 1, 1)
    cube = builders.build_cube(user, area, start, on)
    wide = builders.measures_frame(cube)
    records = {r["row"]: r for r in wide.iter_rows(named=True)}
    groups = group_households(user, area, on)
    names = dict(cube.rows)
    keys = [k for k in records if k != engine.TOTAL_ROW]
    areas = _row_areas(area, keys)
    mountains = _mountain_ids([*areas.values(), area])
    rows: list[dict[str, Any]] = []
    for key in keys:
        rec = records[key]
        if not (rec.get("households") or rec.get("households_start")) and key not in names:
            continue
        row_area = areas.get(key)
        row: dict[str, Any] = {
            "code": row_area.code if row_area else "",
            "name": names.get(key) or (row_area.name if row_area else builders.NO_VILLAGE),
            "setting": _setting_of(row_area, area) if row_area else (area.setting or ""),
            "mountain": bool(row_area and (row_area.pk in mountains or row_area.parent_id in mountains))
            or (row_area is None and area.pk in mountains),
        }
        row.update({k: int(rec.get(m) or 0) for k, m in ROW_MEASURES.items()})
        counted = groups.get(key, {})
        row["groups"] = {
            g: {
                "households": counted.get(g, 0),
                "poor": int(rec.get(f"group:{g}:poor") or 0),
                "near_poor": int(rec.get(f"group:{g}:near_poor") or 0),
            }
            for g in GROUPS
        }
        rows.append(row)
    total = records.get(engine.TOTAL_ROW, {})
    dims = cube.dims

    def breakdown(prefix: str, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "label": label,
                "poor": int(total.get(f"{prefix}:{code}:poor") or 0),
                "near_poor": int(total.get(f"{prefix}:{code}:near_poor") or 0),
            }
            for code, label in items
        ]

    return {
        "schema": SCHEMA_VERSION,
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "on": on.isoformat(),
        "start": start.isoformat(),
        "standard": dims.standard_code,
        "rows": rows,
        "breakdowns": {
            "indicators": breakdown("ind", dims.indicators),
            "groups": breakdown("group", dims.groups),
            "causes": breakdown("cause", dims.causes),
            "needs": breakdown("need", dims.needs),
        },
        "support": support_of(user, area, on.year) if with_support else [],
    }


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of rows (counts and groups)."""
    out: dict[str, Any] = {k: 0 for k in COUNT_KEYS}
    out["groups"] = {g: {"households": 0, "poor": 0, "near_poor": 0} for g in GROUPS}
    for row in rows:
        for k in COUNT_KEYS:
            out[k] += int(row.get(k) or 0)
        for g, part in (row.get("groups") or {}).items():
            slot = out["groups"].setdefault(g, {"households": 0, "poor": 0, "near_poor": 0})
            for k in ("households", "poor", "near_poor"):
                slot[k] += int(part.get(k) or 0)
    return out


def totals_of_totals(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of several :func:`totals` (e.g. provinces' totals into the nation's)."""
    return totals(parts)


def rate(num: int, den: int) -> float | None:
    return num * 100.0 / den if den else None


def year_ends(on: dt.date, years: int) -> list[dt.date]:
    """The ends of the ``years`` previous years, oldest first, then ``on``."""
    return [*(dt.date(on.year - k, 12, 31) for k in range(years, 0, -1)), on]


def cached(user: Any, area: Area, on: dt.date) -> dict[str, Any]:
    """The figures through the roll-up table. A roll-up is shared by every user who covers the
    whole area (the gate gives them the same households); others get figures computed for them.
    A roll-up older than ``OVERSIGHT_ROLLUP_MAX_AGE_SECONDS`` is recomputed (a late decision can
    change a past date's figures); ``manage.py oversight_rollup`` refreshes them in the background."""
    from hongheo.users.access import scope_paths

    covers_all = any(area.path.startswith(p) for p in scope_paths(user))
    if not covers_all:
        return compute(user, area, on)
    now = timezone.now()
    max_age = dt.timedelta(seconds=getattr(settings, "OVERSIGHT_ROLLUP_MAX_AGE_SECONDS", 600))
    found = Rollup.objects.filter(area=area, on=on).first()
    if found is not None and now - found.computed_at < max_age:
        return found.figures
    figures = compute(user, area, on)
    Rollup.objects.update_or_create(area=area, on=on, defaults={"figures": figures, "computed_at": now})
    return figures
