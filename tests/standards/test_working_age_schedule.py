"""Employment indicator: working age ends at the retirement age of the reference year (Labour Code
2019 Art. 169), a dated schedule in the standard's data; both evaluation paths agree at the
boundaries (a table) and everywhere (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hongheo.standards.rules.catalog import StandardError, build_standard, get_standard, shipped_documents
from hongheo.standards.rules.indicators import (
    derive_deprivations,
    evaluate_indicators,
    months_on,
    scheduled_age_months,
)

S22 = get_standard("vn-2022-2025")
S27 = get_standard("vn-2026-2030")


def minus_months(day: dt.date, years: int, months: int) -> dt.date:
    """The birth date giving exactly ``years`` y ``months`` m of age on ``day``."""
    total = day.year * 12 + (day.month - 1) - (years * 12 + months)
    return dt.date(total // 12, total % 12 + 1, day.day)


def person(dob: dt.date, sex: str, employment: str = "unemployed") -> dict[str, Any]:
    return {
        "personal_id": "p1",
        "sex": sex,
        "date_of_birth": dob,
        "health_insurance": True,
        "in_school": False,
        "education_level": "upper_secondary",
        "has_qualification": False,
        "employment": employment,
        "disability": False,
        "disability_allowance": False,
        "undernourished": False,
    }


HOUSEHOLD = {
    "household_id": "h",
    "area": "rural",
    "size": 1,
    "housing_quality": "durable",
    "floor_area_m2": 60.0,
    "water_source": "piped",
    "toilet": "flush_septic",
    "waste_handling": "collected",
    "internet": True,
    "information_devices": 2,
    "income_per_capita": 1_000_000,
}


def employment_deprived(std: Any, member: dict[str, Any], ref: dt.date) -> bool:
    single = {o.code: o for o in evaluate_indicators(std, HOUSEHOLD, [member], reference_date=ref)}
    vec = derive_deprivations(
        pl.DataFrame([HOUSEHOLD]),
        pl.DataFrame([member | {"household_id": "h"}]),
        standard=std,
        reference_date=ref,
    )
    assert bool(vec["employment"][0]) == single["employment"].deprived, (member, ref)
    return single["employment"].deprived


# (standard, reference date, sex, years, months of age on that date, in working age)
BOUNDARIES = [
    # 2026 (vn-2022-2025 still applies): men 61 y 6 m, women 57 y
    (S22, dt.date(2026, 9, 15), "male", 61, 6, True),
    (S22, dt.date(2026, 9, 15), "male", 61, 7, False),
    (S22, dt.date(2026, 9, 15), "female", 57, 0, True),
    (S22, dt.date(2026, 9, 15), "female", 57, 1, False),
    (S22, dt.date(2026, 9, 15), "female", 56, 11, True),
    # 2027 (vn-2026-2030): men 61 y 9 m, women 57 y 4 m
    (S27, dt.date(2027, 3, 1), "male", 61, 9, True),
    (S27, dt.date(2027, 3, 1), "male", 61, 10, False),
    (S27, dt.date(2027, 3, 1), "female", 57, 4, True),
    (S27, dt.date(2027, 3, 1), "female", 57, 5, False),
    # the end of the path: men 62 from 2028, women 60 from 2035
    (S27, dt.date(2030, 12, 28), "male", 62, 0, True),
    (S27, dt.date(2030, 12, 28), "male", 62, 1, False),
    (S27, dt.date(2030, 12, 28), "female", 58, 4, True),
    (S27, dt.date(2030, 12, 28), "female", 58, 5, False),
    # the shipped fixed 60/55 would have missed these unemployed people of working age
    (S22, dt.date(2025, 10, 1), "male", 61, 0, True),
    (S22, dt.date(2025, 10, 1), "female", 56, 6, True),
    # the lower bound is unchanged: from 15 full years
    (S27, dt.date(2027, 3, 1), "female", 14, 11, False),
    (S27, dt.date(2027, 3, 1), "female", 15, 0, True),
]


@pytest.mark.parametrize(("std", "ref", "sex", "years", "months", "working_age"), BOUNDARIES)
def test_working_age_boundaries(std, ref, sex, years, months, working_age):
    dob = minus_months(ref, years, months)
    assert months_on(dob, ref) == years * 12 + months
    assert employment_deprived(std, person(dob, sex), ref) is working_age
    if not working_age and years > 20:  # one day younger (month not complete): still in working age
        assert employment_deprived(std, person(dob + dt.timedelta(days=1), sex), ref) is True
    # the same person with a labour contract is never deprived
    assert employment_deprived(std, person(dob, sex, "wage_with_contract"), ref) is False


def test_the_schedule_is_data_evaluated_at_the_reference_date():
    schedule = S27.indicator("employment").params["age_max_schedule"]
    assert scheduled_age_months(schedule, dt.date(2026, 1, 1)) == {"male": 738, "female": 684}
    assert scheduled_age_months(schedule, dt.date(2025, 12, 31)) == {"male": 735, "female": 680}
    assert scheduled_age_months(schedule, dt.date(2027, 6, 30)) == {"male": 741, "female": 688}
    assert scheduled_age_months(schedule, dt.date(2040, 1, 1)) == {"male": 744, "female": 720}
    assert scheduled_age_months(schedule, dt.date(2019, 1, 1)) == {"male": 720, "female": 660}
    prov = S27.indicator("employment").param_provenance["age_max_schedule"]
    assert prov.status == "unverified" and "Điều 169" in prov.source
    assert "CHƯA XÁC MINH" in (prov.note or "")  # whether the decree's appendix uses this path


def test_a_broken_schedule_is_refused_with_a_clear_message():
    doc = next(d for d in shipped_documents() if d["code"] == "vn-2026-2030")
    import copy

    bad = copy.deepcopy(doc)
    bad["code"] = "thu-sai"
    node = bad["dimensions"][0]["indicators"][0]["params"]["age_max_schedule"]
    node["value"] = [{"from": "2027-01-01", "male": [61, 9], "female": [57, 12]}]
    with pytest.raises(StandardError) as err:
        build_standard(bad)
    assert "số tháng 0–11" in " ".join(err.value.errors)
    node["value"] = [
        {"from": "2027-01-01", "male": [61, 9], "female": [57, 4]},
        {"from": "2026-01-01", "male": [61, 6], "female": [57, 0]},
    ]
    with pytest.raises(StandardError) as err:
        build_standard(bad)
    assert "tăng dần" in " ".join(err.value.errors)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ref=st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2040, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    age_months=st.integers(min_value=14 * 12, max_value=64 * 12),
    std=st.sampled_from([S22, S27]),
)
def test_both_paths_follow_the_schedule(ref, sex, age_months, std):
    dob = minus_months(ref.replace(day=min(ref.day, 28)), age_months // 12, age_months % 12)
    limit = scheduled_age_months(std.indicator("employment").params["age_max_schedule"], ref)[sex]
    months = months_on(dob, ref)
    assert months is not None
    expected = months >= 15 * 12 and months <= limit
    assert employment_deprived(std, person(dob, sex), ref) is expected


def test_an_unresolved_schedule_is_an_error_not_no_upper_age():
    from hongheo.standards.rules.indicators import EVALUATORS, HouseholdFacts

    ind = S27.indicator("employment")
    hh = HouseholdFacts.build(HOUSEHOLD, [person(dt.date(1940, 1, 1), "male")], dt.date(2027, 3, 1))
    with pytest.raises(ValueError, match="resolve_params"):
        EVALUATORS["any_member"].evaluate(ind.fact, ind.params, hh)
