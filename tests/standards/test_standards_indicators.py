"""Boundary tests for every indicator evaluator, and agreement of the vectorised path."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
import pytest

from hongheo.standards.rules.catalog import get_standard
from hongheo.standards.rules.indicators import age_on, derive_deprivations, evaluate_indicators

REF = dt.date(2024, 10, 1)
S22 = get_standard("vn-2022-2025")
S16 = get_standard("vn-2016-2020")
S27 = get_standard("vn-2026-2030")


def born(age: int, *, days_after: int = 0) -> dt.date:
    """A birth date giving exactly ``age`` completed years at REF (``days_after`` > 0: birthday not yet)."""
    return dt.date(REF.year - age, REF.month, REF.day) + dt.timedelta(days=days_after)


def member(age: int, **facts: Any) -> dict[str, Any]:
    base = {
        "personal_id": f"p{age}",
        "sex": "female",
        "date_of_birth": born(age),
        "health_insurance": True,
        "in_school": False,
        "education_level": "upper_secondary",
        "has_qualification": False,
        "employment": "self_employed",
        "disability": False,
        "disability_allowance": False,
        "undernourished": False,
    }
    return base | facts


def household(**facts: Any) -> dict[str, Any]:
    base = {
        "household_id": "h",
        "area": "rural",
        "size": 2,
        "housing_quality": "durable",
        "floor_area_m2": 60.0,
        "water_source": "piped",
        "toilet": "flush_septic",
        "waste_handling": "collected",
        "internet": True,
        "information_devices": 2,
        "income_per_capita": 1_000_000,
    }
    return base | facts


def deprived(std: Any, code: str, hh: dict[str, Any], members: list[dict[str, Any]]) -> bool:
    out = {o.code: o for o in evaluate_indicators(std, hh, members, reference_date=REF)}
    single = out[code].deprived
    vec = derive_deprivations(
        pl.DataFrame([hh]),
        pl.DataFrame([m | {"household_id": hh["household_id"]} for m in members])
        if members
        else pl.DataFrame(schema=MEMBER_SCHEMA),
        standard=std,
        reference_date=REF,
    )
    assert vec[code][0] == single, (code, hh, members, out[code].facts)
    return single


MEMBER_SCHEMA = {
    "personal_id": pl.String,
    "household_id": pl.String,
    "sex": pl.String,
    "date_of_birth": pl.Date,
    "health_insurance": pl.Boolean,
    "in_school": pl.Boolean,
    "education_level": pl.String,
    "has_qualification": pl.Boolean,
    "employment": pl.String,
    "disability": pl.Boolean,
    "disability_allowance": pl.Boolean,
    "undernourished": pl.Boolean,
}


def adult() -> dict[str, Any]:
    return member(40, health_insurance=True)


def test_age_on_birthday_boundaries() -> None:
    assert age_on(born(6), REF) == 6
    assert age_on(born(6, days_after=1), REF) == 5
    assert age_on(dt.date(2000, 2, 29), dt.date(2024, 2, 28)) == 23
    assert age_on(dt.date(2000, 2, 29), dt.date(2024, 2, 29)) == 24
    assert age_on(None, REF) is None


@pytest.mark.parametrize(
    ("age", "days_after", "expected"), [(6, 0, True), (6, 1, False), (5, 0, False), (70, 0, True)]
)
def test_health_insurance_from_age_6(age: int, days_after: int, expected: bool) -> None:
    m = member(age, health_insurance=False) | {"date_of_birth": born(age, days_after=days_after)}
    assert deprived(S22, "health_insurance", household(), [adult(), m]) is expected
    assert deprived(S22, "health_insurance", household(), [adult(), m | {"health_insurance": True}]) is False


@pytest.mark.parametrize(("age", "expected"), [(2, False), (3, True), (10, True), (15, True), (16, False)])
def test_child_schooling_3_to_under_16(age: int, expected: bool) -> None:
    child = member(age, in_school=False, education_level="none")
    assert deprived(S22, "child_schooling", household(), [adult(), child]) is expected
    assert deprived(S22, "child_schooling", household(), [adult(), child | {"in_school": True}]) is False


@pytest.mark.parametrize(("age", "expected"), [(4, False), (5, True), (14, True), (15, False)])
def test_child_schooling_2016_5_to_under_15(age: int, expected: bool) -> None:
    child = member(age, in_school=False, education_level="none")
    assert deprived(S16, "child_schooling", household(), [adult(), child]) is expected


@pytest.mark.parametrize(
    ("age", "level", "in_school", "qualification", "expected"),
    [
        (15, "none", False, False, False),  # below the band
        (16, "primary", False, False, True),
        (16, "lower_secondary", False, False, False),
        (16, "primary", True, False, False),  # still studying
        (17, "primary", False, True, True),  # a qualification does not count below 18
        (18, "lower_secondary", False, False, True),
        (18, "lower_secondary", False, True, False),  # vocational certificate
        (18, "vocational", False, False, False),
        (30, "primary", False, False, True),
        (31, "none", False, False, False),  # above the band
    ],
)
def test_adult_education_16_to_30(
    age: int, level: str, in_school: bool, qualification: bool, expected: bool
) -> None:
    m = member(age, education_level=level, in_school=in_school, has_qualification=qualification)
    assert deprived(S22, "adult_education", household(), [m]) is expected


def test_adult_education_2016_born_from_1986() -> None:
    young = member(30, education_level="primary")  # born 1994
    assert deprived(S16, "adult_education", household(), [young]) is True
    old = member(45, education_level="primary")  # born 1979
    assert deprived(S16, "adult_education", household(), [old]) is False
    assert deprived(S16, "adult_education", household(), [member(14, education_level="primary")]) is False
    assert deprived(S16, "adult_education", household(), [member(15, education_level="primary")]) is True


@pytest.mark.parametrize(("age", "expected"), [(15, True), (16, False)])
def test_nutrition_children_under_16(age: int, expected: bool) -> None:
    assert deprived(S22, "nutrition", household(), [adult(), member(age, undernourished=True)]) is expected
    assert deprived(S22, "nutrition", household(), [adult(), member(age)]) is False


@pytest.mark.parametrize(
    ("age", "sex", "status", "expected"),
    [
        (14, "male", "unemployed", False),
        (15, "male", "unemployed", True),
        (40, "female", "wage_no_contract", True),
        (40, "female", "wage_with_contract", False),
        (40, "female", "not_in_labour_force", False),
        # REF is in 2024: retirement age (Labour Code 2019 Art. 169) men 61 y, women 56 y 4 m.
        (56, "female", "unemployed", True),
        (57, "female", "unemployed", False),
        (61, "male", "unemployed", True),
        (62, "male", "unemployed", False),
    ],
)
def test_employment_working_age(age: int, sex: str, status: str, expected: bool) -> None:
    assert deprived(S22, "employment", household(), [member(age, sex=sex, employment=status)]) is expected


def test_dependants_more_than_half() -> None:
    two_adults = [member(30), member(35)]
    # exactly 50 % → not deprived
    assert deprived(S22, "dependents", household(), [*two_adults, member(5), member(70)]) is False
    # 3 of 5 → deprived
    assert deprived(S22, "dependents", household(), [*two_adults, member(5), member(70), member(15)]) is True
    # age boundaries: 16 and 59 are not dependants, 15 and 60 are
    assert deprived(S22, "dependents", household(), [member(30), member(16), member(59)]) is False
    assert deprived(S22, "dependents", household(), [member(30), member(15), member(60)]) is True
    # a disabled adult counts only with the monthly allowance
    disabled = member(40, disability=True)
    assert deprived(S22, "dependents", household(), [member(30), disabled, member(10)]) is False
    with_allowance = disabled | {"disability_allowance": True}
    assert deprived(S22, "dependents", household(), [member(30), with_allowance, member(10)]) is True


@pytest.mark.parametrize(
    ("area", "people", "expected"), [(16.0, 2, False), (15.99, 2, True), (8.0, 1, False), (7.9, 1, True)]
)
def test_housing_area_below_8_m2_per_person(area: float, people: int, expected: bool) -> None:
    members = [member(30 + i) for i in range(people)]
    assert deprived(S22, "housing_area", household(floor_area_m2=area, size=people), members) is expected


def test_housing_area_uses_size_without_members() -> None:
    out = {
        o.code: o
        for o in evaluate_indicators(S22, household(floor_area_m2=20.0, size=3), [], reference_date=REF)
    }
    assert out["housing_area"].deprived is True
    assert out["housing_area"].facts["m2_per_person"] == pytest.approx(6.67)


@pytest.mark.parametrize(
    ("quality", "expected"),
    [("durable", False), ("semi_durable", False), ("non_durable", True), ("makeshift", True)],
)
def test_housing_quality(quality: str, expected: bool) -> None:
    assert deprived(S22, "housing_quality", household(housing_quality=quality), [adult()]) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("piped", False),
        ("protected_well", False),
        ("rainwater", False),
        ("purchased", False),
        ("unprotected_well", True),
        ("surface", True),
    ],
)
def test_water(source: str, expected: bool) -> None:
    assert deprived(S22, "water", household(water_source=source), [adult()]) is expected


@pytest.mark.parametrize(
    ("toilet", "expected"),
    [("flush_septic", False), ("improved_pit", False), ("unimproved", True), ("none", True)],
)
def test_sanitation(toilet: str, expected: bool) -> None:
    assert deprived(S22, "sanitation", household(toilet=toilet), [adult()]) is expected


def test_telecom_and_information_devices() -> None:
    assert deprived(S22, "telecom", household(internet=False), [adult()]) is True
    assert deprived(S22, "telecom", household(internet=True), [adult()]) is False
    assert deprived(S22, "information_devices", household(information_devices=0), [adult()]) is True
    assert deprived(S22, "information_devices", household(information_devices=1), [adult()]) is False
    assert deprived(S16, "information_access", household(information_devices=0), [adult()]) is True


@pytest.mark.parametrize(
    ("waste", "expected"), [("collected", False), ("burned_buried", False), ("dumped", True)]
)
def test_waste_2026(waste: str, expected: bool) -> None:
    assert deprived(S27, "waste", household(waste_handling=waste), [adult()]) is expected


def test_health_access_2016_is_reported_only() -> None:
    assert deprived(S16, "health_access", household(), [adult()]) is False
    assert deprived(S16, "health_access", household(health_access_deprived=True), [adult()]) is True


def test_missing_facts_never_deprive_and_are_reported() -> None:
    hh = household(water_source=None, floor_area_m2=None)
    out = {
        o.code: o for o in evaluate_indicators(S22, hh, [member(40, date_of_birth=None)], reference_date=REF)
    }
    assert out["water"].deprived is False and out["water"].facts["missing"] == "water_source"
    assert out["housing_area"].deprived is False
    assert out["health_insurance"].facts.get("missing") == 1


def test_deciding_facts_name_the_member() -> None:
    out = {
        o.code: o
        for o in evaluate_indicators(
            S22, household(), [adult(), member(8, health_insurance=False)], reference_date=REF
        )
    }
    assert out["health_insurance"].facts["members"] == [
        {"age": 8, "personal_id": "p8", "health_insurance": False}
    ]


def test_vectorised_agrees_with_single_path_on_random_households() -> None:
    rng = random.Random(7)
    households, members = [], []
    for i in range(300):
        hid = f"h{i}"
        n = rng.randint(0, 6)
        households.append(
            household(
                household_id=hid,
                size=max(n, 1),
                housing_quality=rng.choice(["durable", "semi_durable", "non_durable", "makeshift"]),
                floor_area_m2=rng.choice([None, rng.uniform(5, 80)]),
                water_source=rng.choice(
                    ["piped", "protected_well", "rainwater", "unprotected_well", "surface", "purchased"]
                ),
                toilet=rng.choice(["flush_septic", "improved_pit", "unimproved", "none"]),
                waste_handling=rng.choice(["collected", "burned_buried", "dumped"]),
                internet=rng.random() < 0.7,
                information_devices=rng.randint(0, 3),
            )
        )
        for j in range(n):
            age = rng.randint(0, 90)
            members.append(
                member(
                    age,
                    personal_id=f"{hid}-{j}",
                    household_id=hid,
                    sex=rng.choice(["male", "female"]),
                    health_insurance=rng.random() < 0.8,
                    in_school=rng.random() < 0.5,
                    education_level=rng.choice(
                        [
                            "none",
                            "primary",
                            "lower_secondary",
                            "upper_secondary",
                            "vocational",
                            "college",
                            "university",
                        ]
                    ),
                    has_qualification=rng.random() < 0.2,
                    employment=rng.choice(
                        [
                            "wage_with_contract",
                            "wage_no_contract",
                            "self_employed",
                            "unemployed",
                            "not_in_labour_force",
                        ]
                    ),
                    disability=rng.random() < 0.1,
                    disability_allowance=rng.random() < 0.5,
                    undernourished=rng.random() < 0.1,
                )
                | {"date_of_birth": born(age, days_after=rng.choice([0, 1, -1]))}
            )
    hh_df = pl.DataFrame(households)
    mem_df = pl.DataFrame(members, schema=MEMBER_SCHEMA)
    for std in (S16, S22, S27):
        vec = derive_deprivations(hh_df.lazy(), mem_df.lazy(), standard=std, reference_date=REF)
        assert vec["household_id"].to_list() == [h["household_id"] for h in households]
        for row, hh in zip(vec.iter_rows(named=True), households, strict=True):
            mine = [m for m in members if m["household_id"] == hh["household_id"]]
            single = evaluate_indicators(std, hh, mine, reference_date=REF)
            assert {o.code: o.deprived for o in single} == {c: row[c] for c in std.indicator_codes}
            assert row["deprived"] == ";".join(o.code for o in single if o.deprived)
