"""Targets as data: every example of the issue is expressible, and progress decides off track
first (pure: no database)."""

from __future__ import annotations

import pytest

from hongheo.oversight.progress import (
    TargetSpec,
    Unit,
    effective_targets,
    evaluate,
    off_track_first,
    progress,
)

VN, HUE = "/VN/", "/VN/46/"


def spec(**kw):
    base = dict(
        id=kw.pop("id", 1),
        title=kw.pop("title", "t"),
        area_code=kw.pop("area_code", "VN"),
        area_path=kw.pop("area_path", VN),
        area_level="central",
        year_from=kw.pop("year_from", 2025),
        year_to=kw.pop("year_to", 2025),
    )
    base.update(kw)
    return TargetSpec(**base)


def row(code, households, poor, *, setting="rural", mountain=False, near_poor=0, groups=None):
    g = {
        "ethnic_minority": {"households": 0, "poor": 0, "near_poor": 0},
        "merit": {"households": 0, "poor": 0, "near_poor": 0},
        "no_working_capacity": {"households": 0, "poor": 0, "near_poor": 0},
    }
    g.update(groups or {})
    return {
        "code": code,
        "name": code,
        "setting": setting,
        "mountain": mountain,
        "households": households,
        "poor": poor,
        "near_poor": near_poor,
        "groups": g,
    }


# (example of the issue, target, rows now, rows at the end of last year, year, expected status)
EXAMPLES = [
    (
        "2.2 % poor households by 2024 (met)",
        spec(metric="rate", op="at_most", value=2.2, year_from=2022, year_to=2024),
        [row("a", 1000, 20)],
        [row("a", 1000, 30)],
        2024,
        "met",
    ),
    (
        "2.2 % by 2024, two years left, reducing fast enough",
        spec(metric="rate", op="at_most", value=2.2, year_from=2022, year_to=2024),
        [row("a", 1000, 40)],
        [row("a", 1000, 60)],
        2022,
        "on_track",
    ),
    (
        "2.2 % by 2024, reducing too slowly",
        spec(metric="rate", op="at_most", value=2.2, year_from=2022, year_to=2024),
        [row("a", 1000, 58)],
        [row("a", 1000, 60)],
        2022,
        "off_track",
    ),
    (
        "rural below 1.5 % by end of 2025 (urban rows are not counted)",
        spec(metric="rate", op="below", value=1.5, area_type="rural"),
        [row("r", 1000, 14), row("u", 100, 50, setting="urban")],
        [row("r", 1000, 20), row("u", 100, 50, setting="urban")],
        2025,
        "met",
    ),
    (
        "mountain areas below 5 %",
        spec(metric="rate", op="below", value=5, area_type="mountain"),
        [row("m", 200, 12, mountain=True), row("x", 1000, 0)],
        [row("m", 200, 14, mountain=True), row("x", 1000, 0)],
        2025,
        "off_track",
    ),
    (
        "no poor households in wards except those without working capacity",
        spec(metric="count", op="at_most", value=0, area_type="urban", except_group="no_working_capacity"),
        [
            row(
                "w",
                500,
                3,
                setting="urban",
                groups={"no_working_capacity": {"households": 4, "poor": 3, "near_poor": 0}},
            ),
            row("r", 500, 40),
        ],
        [row("w", 500, 5, setting="urban"), row("r", 500, 40)],
        2025,
        "met",
    ),
    (
        "wards: one poor household able to work is off track",
        spec(metric="count", op="at_most", value=0, area_type="urban", except_group="no_working_capacity"),
        [row("w", 500, 1, setting="urban")],
        [row("w", 500, 1, setting="urban")],
        2025,
        "off_track",
    ),
    (
        "ethnic-minority poverty down more than 3 points a year",
        spec(metric="reduction", op="above", value=3, group="ethnic_minority", year_from=2021, year_to=2025),
        [row("a", 1000, 50, groups={"ethnic_minority": {"households": 200, "poor": 30, "near_poor": 0}})],
        [row("a", 1000, 60, groups={"ethnic_minority": {"households": 200, "poor": 40, "near_poor": 0}})],
        2025,
        "met",  # 20 % → 15 %: 5 points
    ),
    (
        "no poor household with a người có công member",
        spec(metric="count", op="at_most", value=0, group="merit", year_from=2021, year_to=2025),
        [row("a", 1000, 50, groups={"merit": {"households": 30, "poor": 1, "near_poor": 0}})],
        [row("a", 1000, 50, groups={"merit": {"households": 30, "poor": 2, "near_poor": 0}})],
        2025,
        "off_track",
    ),
    (
        "Huế below 1.2 % in 2025",
        spec(area_code="46", area_path=HUE, metric="rate", op="below", value=1.2),
        [row("a", 10000, 110)],
        [row("a", 10000, 150)],
        2025,
        "met",
    ),
    (
        "Huế 0.3–0.4 points a year 2026–2030",
        spec(
            area_code="46",
            area_path=HUE,
            metric="reduction",
            op="at_least",
            value=0.3,
            value_high=0.4,
            year_from=2026,
            year_to=2030,
        ),
        [row("a", 10000, 90)],
        [row("a", 10000, 110)],
        2026,
        "off_track",  # 1.1 % → 0.9 %: 0.2 points
    ),
    (
        "Huế basically no poor households by 2030 (the province sets 'basically' as < 0.5 %)",
        spec(
            area_code="46", area_path=HUE, metric="rate", op="below", value=0.5, year_from=2026, year_to=2030
        ),
        [row("a", 10000, 90)],
        [row("a", 10000, 110)],
        2026,
        "on_track",  # 0.9 % with 4 years left needs 0.1/yr; reduced 0.2
    ),
]


@pytest.mark.parametrize(
    ("label", "target", "now", "base", "year", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_every_example_of_the_issue_is_expressible(label, target, now, base, year, expected):
    status, info = evaluate(target, now, base, year)
    assert status == expected, (label, info)


def test_communes_above_25_percent_must_cut_3_5_points_and_only_they_are_judged():
    target = spec(
        metric="reduction", op="at_least", value=3.5, value_high=4, scope="each_commune", min_base_rate=25
    )
    communes = [
        Unit("hi-ok", "A", [row("hi-ok", 100, 26)], [row("hi-ok", 100, 30)]),  # 30 → 26: 4 points
        Unit("hi-slow", "B", [row("hi-slow", 100, 28)], [row("hi-slow", 100, 30)]),  # 2 points
        Unit("low", "C", [row("low", 100, 10)], [row("low", 100, 10)]),  # not above 25 %: not judged
    ]
    whole = Unit("46", "Huế", [r for u in communes for r in u.now], [r for u in communes for r in u.base])
    result = off_track_first(progress(target, whole, communes, 2025))
    assert [(p.unit_code, p.status) for p in result] == [("hi-slow", "off_track"), ("hi-ok", "met")]


def test_no_household_means_no_data_not_met():
    assert evaluate(spec(metric="rate", op="below", value=1), [], [], 2025)[0] == "no_data"


def test_a_lower_level_target_of_the_same_kind_replaces_the_inherited_one():
    central = spec(id=1, metric="rate", op="below", value=1.5, area_type="rural")
    other_kind = spec(id=2, metric="count", op="at_most", value=0, group="merit")
    hue = spec(id=3, area_code="46", area_path=HUE, metric="rate", op="below", value=1.2, area_type="rural")
    hanoi_only = spec(id=4, area_code="01", area_path="/VN/01/", metric="rate", op="below", value=1)
    got = effective_targets([central, other_kind, hue, hanoi_only], "/VN/46/19900/", 2025)
    assert sorted(s.id for s in got) == [2, 3]
    assert [s.id for s in effective_targets([central, hue], "/VN/01/00004/", 2025)] == [1]
    assert effective_targets([central], "/VN/46/", 2026) == []  # outside its years
