"""Progress against targets (pure: no Django).

Figures are plain rows (one per commune, as built by :mod:`hongheo.oversight.figures` or received in
a province's push): counts of households by class at a date, per group, with the commune's area
type. A target is evaluated on a *unit* (a set of rows: the whole area, or one commune) from two
sets of figures: ``now`` (the report date) and ``base`` (the end of the previous year).

Statuses: ``met`` (the target holds now), ``on_track`` (not yet, but the reduction of the last year
reaches the target by its year), ``off_track``, ``no_data`` (no household in the unit). Areas off
track come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]

STATUS_ORDER = {"off_track": 0, "on_track": 1, "met": 2, "no_data": 3}
OPS = {
    "at_most": lambda a, b: a <= b + 1e-9,
    "below": lambda a, b: a < b - 1e-9,
    "at_least": lambda a, b: a >= b - 1e-9,
    "above": lambda a, b: a > b + 1e-9,
}
GROUPS = ("ethnic_minority", "merit", "no_working_capacity")


@dataclass(frozen=True)
class TargetSpec:
    id: int
    title: str
    area_code: str
    area_path: str
    area_level: str
    year_from: int
    year_to: int
    metric: str  # rate | count | reduction
    op: str  # at_most | below | at_least | above
    value: float
    value_high: float | None = None
    klass: str = "poor"  # poor | near_poor | listed
    area_type: str = ""  # "" | urban | rural | mountain
    group: str = ""
    except_group: str = ""
    scope: str = "whole"  # whole | each_commune
    min_base_rate: float | None = None

    @property
    def kind_key(self) -> tuple[str, ...]:
        return (self.metric, self.klass, self.area_type, self.group, self.except_group, self.scope)

    def applies_in(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to


@dataclass
class Progress:
    target: TargetSpec
    unit_code: str
    unit_name: str
    status: str
    actual: float | None
    base: float | None
    needed_per_year: float | None = None
    households: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def off_track(self) -> bool:
        return self.status == "off_track"


def effective_targets(specs: Iterable[TargetSpec], area_path: str, year: int) -> list[TargetSpec]:
    """Targets in force for the area at ``area_path`` in ``year``: its own and its ancestors', a
    lower level's target replacing a higher level's of the same kind."""
    best: dict[tuple[str, ...], TargetSpec] = {}
    for spec in specs:
        if not area_path.startswith(spec.area_path) or not spec.applies_in(year):
            continue
        key = spec.kind_key
        held = best.get(key)
        if held is None or len(spec.area_path) > len(held.area_path):
            best[key] = spec
    return sorted(best.values(), key=lambda s: (len(s.area_path), s.year_to, s.id))


def row_matches(row: Row, area_type: str) -> bool:
    if not area_type:
        return True
    if area_type == "mountain":
        return bool(row.get("mountain"))
    return row.get("setting") == area_type


def _class_count(part: Row, klass: str) -> int:
    if klass == "listed":
        return int(part.get("poor", 0) or 0) + int(part.get("near_poor", 0) or 0)
    return int(part.get(klass, 0) or 0)


def unit_numbers(rows: Iterable[Row], spec: TargetSpec) -> tuple[int, int]:
    """(households of the class counted by the target, households they are a share of)."""
    num = den = 0
    for row in rows:
        if not row_matches(row, spec.area_type):
            continue
        groups = row.get("groups") or {}
        part: Row = groups.get(spec.group, {}) if spec.group else row
        num += _class_count(part, spec.klass)
        den += int(part.get("households", 0) or 0)
        if spec.except_group:
            num -= _class_count(groups.get(spec.except_group, {}), spec.klass)
    return max(num, 0), den


def rate_of(rows: Iterable[Row], spec: TargetSpec) -> float | None:
    num, den = unit_numbers(rows, spec)
    return num * 100.0 / den if den else None


def evaluate(spec: TargetSpec, now: Sequence[Row], base: Sequence[Row], year: int) -> tuple[str, dict]:
    """The status of ``spec`` on one unit: ``now`` and ``base`` are its rows at the two dates."""
    num, den = unit_numbers(now, spec)
    if den == 0:
        return "no_data", {"actual": None, "base": None, "households": 0}
    rate_now = num * 100.0 / den
    base_num, base_den = unit_numbers(base, spec)
    rate_base = base_num * 100.0 / base_den if base_den else None
    info: dict[str, Any] = {"households": den, "base": None, "needed": None}
    if spec.metric == "reduction":
        actual = None if rate_base is None else rate_base - rate_now
        info.update(actual=actual, base=rate_base)
        if actual is None:
            return "no_data", info
        return ("met" if OPS[spec.op](actual, spec.value) else "off_track"), info
    if spec.metric == "rate":
        actual_v: float = rate_now
        base_v = rate_base
    else:
        actual_v = float(num)
        base_v = float(base_num) if base_den else None
    info.update(actual=actual_v, base=base_v)
    if OPS[spec.op](actual_v, spec.value):
        return "met", info
    years_left = spec.year_to - year
    if years_left <= 0 or spec.op in ("at_least", "above") or base_v is None:
        return "off_track", info
    needed = (actual_v - spec.value) / years_left
    info["needed"] = needed
    reduction = base_v - actual_v
    return ("on_track" if reduction >= needed else "off_track"), info


@dataclass
class Unit:
    code: str
    name: str
    now: list[Row]
    base: list[Row]


def progress(spec: TargetSpec, whole: Unit, communes: Sequence[Unit], year: int) -> list[Progress]:
    """Progress of one target: on the whole area (``whole`` scope) and on every commune the target
    reaches (each commune of its area type; for ``each_commune`` targets with ``min_base_rate``,
    only those above it at the start of the year)."""
    out: list[Progress] = []
    units: list[Unit] = []
    if spec.scope == "whole":
        units.append(whole)
    for unit in communes:
        if not any(row_matches(r, spec.area_type) for r in unit.now):
            continue
        if spec.min_base_rate is not None:
            rate = rate_of(unit.base, spec)
            if rate is None or rate <= spec.min_base_rate:
                continue
        units.append(unit)
    for unit in units:
        status, info = evaluate(spec, unit.now, unit.base, year)
        out.append(
            Progress(
                target=spec,
                unit_code=unit.code,
                unit_name=unit.name,
                status=status,
                actual=info.get("actual"),
                base=info.get("base"),
                needed_per_year=info.get("needed"),
                households=int(info.get("households") or 0),
            )
        )
    return out


def off_track_first(items: Iterable[Progress]) -> list[Progress]:
    def gap(p: Progress) -> float:
        if p.actual is None:
            return 0.0
        return abs(p.actual - p.target.value)

    return sorted(items, key=lambda p: (STATUS_ORDER.get(p.status, 9), -gap(p), p.unit_name))
