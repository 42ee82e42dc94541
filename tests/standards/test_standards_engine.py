"""Classification at every threshold, properties, and batch/single agreement."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hongheo.standards.rules.catalog import get_standard, list_standards
from hongheo.standards.rules.engine import (
    ClassificationError,
    classify_frame,
    classify_household,
    format_vnd,
)

S16 = get_standard("vn-2016-2020")
S22 = get_standard("vn-2022-2025")
S27 = get_standard("vn-2026-2030")
D3 = "water;telecom;housing_area"
D2 = "water;telecom"


def classify(std: Any, area: str, income: int | None, deprived: str = "", **extra: Any) -> Any:
    return classify_household(std, {"area": area, "income_per_capita": income, "deprived": deprived, **extra})


@pytest.mark.parametrize(
    ("std", "area", "income", "deprived", "expected"),
    [
        # 2022–2025, rural line 1,500,000, average band up to 2,250,000
        (S22, "rural", 1_500_000, D3, "poor"),
        (S22, "rural", 1_500_000, D2, "near_poor"),
        (S22, "rural", 1_500_000, "", "near_poor"),
        (S22, "rural", 1_500_001, D3, "average"),
        (S22, "rural", 2_250_000, "", "average"),
        (S22, "rural", 2_250_001, "", "not_poor"),
        (S22, "rural", 0, D3, "poor"),
        # urban line 2,000,000, band up to 3,000,000
        (S22, "urban", 2_000_000, D3, "poor"),
        (S22, "urban", 2_000_000, D2, "near_poor"),
        (S22, "urban", 2_000_001, D3, "average"),
        (S22, "urban", 3_000_000, D3, "average"),
        (S22, "urban", 3_000_001, D3, "not_poor"),
        (S22, "rural", 1_800_000, D3, "average"),  # urban-poor income is rural-average
        # 2026–2030: 2,200,000 / 2,800,000, band unknown → not_poor above the line
        (S27, "rural", 2_200_000, D3, "poor"),
        (S27, "rural", 2_200_000, D2, "near_poor"),
        (S27, "rural", 2_200_001, D3, "not_poor"),
        (S27, "urban", 2_800_000, D3, "poor"),
        (S27, "urban", 2_800_001, "", "not_poor"),
        # 2016–2020: income-only path 700,000 / 900,000, lines 1,000,000 / 1,300,000
        (S16, "rural", 700_000, "", "poor"),
        (S16, "rural", 700_001, "", "near_poor"),
        (S16, "rural", 700_001, D3, "poor"),
        (S16, "rural", 1_000_000, D3, "poor"),
        (S16, "rural", 1_000_000, D2, "near_poor"),
        (S16, "rural", 1_000_001, D3, "average"),
        (S16, "rural", 1_500_000, "", "average"),
        (S16, "rural", 1_500_001, "", "not_poor"),
        (S16, "urban", 900_000, "", "poor"),
        (S16, "urban", 900_001, "", "near_poor"),
        (S16, "urban", 1_300_000, D3, "poor"),
        (S16, "urban", 1_950_000, "", "average"),
        (S16, "urban", 1_950_001, "", "not_poor"),
    ],
)
def test_income_thresholds(std: Any, area: str, income: int, deprived: str, expected: str) -> None:
    result = classify(std, area, income, deprived)
    assert result.classification == expected
    assert result.basis == "income" and result.income_used == income
    batch = classify_frame(
        std,
        pl.DataFrame(
            {
                "household_id": ["x"],
                "area": [area],
                "income_per_capita": [str(income)],
                "deprived": [deprived],
            }
        ),
    )
    assert batch.row(0, named=True)["classification"] == expected
    assert batch.row(0, named=True)["reason"] == result.reason


def test_reason_names_the_threshold() -> None:
    r = classify(S22, "rural", 1_450_000, D3)
    assert r.reason == "Thu nhập ≤ chuẩn nông thôn 1.500.000 đ và thiếu hụt 3 chỉ số (≥ 3): hộ nghèo"
    assert r.threshold == 1_500_000 and r.deprived_count == 3
    assert classify(S22, "urban", 2_000_000, D2).reason.endswith("thiếu hụt 2 chỉ số (< 3): hộ cận nghèo")
    assert "2.250.000 đ: hộ có mức sống trung bình" in classify(S22, "rural", 2_000_000).reason
    assert "chưa có ngưỡng hộ có mức sống trung bình" in classify(S27, "urban", 3_000_000).reason
    assert "đô thị 2.800.000 đ" in classify(S27, "urban", 3_000_000).reason
    assert "chuẩn nghèo theo thu nhập nông thôn 700.000 đ" in classify(S16, "rural", 700_000).reason


def test_reason_is_categorical_not_per_household() -> None:
    # Same threshold, area, outcome and count → the same text, whatever the income; the income
    # itself is reported in income_used.
    a, b = classify(S22, "rural", 0, D3), classify(S22, "rural", 1_499_999, D3)
    assert a.reason == b.reason and (a.income_used, b.income_used) == (0, 1_499_999)
    assert "1.500.000 đ" in a.reason and "nông thôn" in a.reason and "3 chỉ số" in a.reason
    frame = pl.DataFrame(
        {
            "household_id": [f"h{i}" for i in range(2000)],
            "area": ["rural", "urban"] * 1000,
            "income_per_capita": list(range(0, 4_000_000, 2000)),
            "deprived": ["", "water", D2, D3] * 500,
        },
        schema_overrides={"income_per_capita": pl.Int64},
    )
    out = classify_frame(S22, frame)
    assert out["reason"].n_unique() <= 2 * (2 + 2 * 13)


@pytest.mark.parametrize(
    ("std", "area", "score_a", "score_b", "deprived", "expected"),
    [
        (S22, "rural", 140, None, D3, "poor"),
        (S22, "rural", 140, None, D2, "near_poor"),
        (S22, "rural", 141, None, D3, "not_poor"),
        (S22, "urban", 175, 30, "", "poor"),
        (S22, "urban", 175, 29, D3, "near_poor"),
        (S22, "urban", 176, 120, D3, "not_poor"),
        (S22, "rural", 175, None, D3, "not_poor"),
        (S16, "rural", 120, None, "", "poor"),
        (S16, "rural", 121, None, "", "near_poor"),
        (S16, "rural", 150, None, D3, "poor"),
        (S16, "rural", 151, None, D3, "not_poor"),
        (S16, "urban", 140, None, "", "poor"),
        (S16, "urban", 141, None, D2, "near_poor"),
        (S16, "urban", 175, None, D3, "poor"),
        (S16, "urban", 176, None, D3, "not_poor"),
    ],
)
def test_score_cut_offs(
    std: Any, area: str, score_a: float, score_b: float | None, deprived: str, expected: str
) -> None:
    result = classify(std, area, None, deprived, score_a=score_a, score_b=score_b)
    assert result.classification == expected and result.basis == "score"
    frame = pl.DataFrame(
        {
            "household_id": ["x"],
            "area": [area],
            "income_per_capita": [""],
            "deprived": [deprived],
            "score_a": [str(score_a)],
            "score_b": ["" if score_b is None else str(score_b)],
        }
    )
    row = classify_frame(std, frame).row(0, named=True)
    assert row["classification"] == expected and row["reason"] == result.reason


def test_score_reason_and_income_wins_over_score() -> None:
    r = classify(S22, "rural", None, D3, score_a=140)
    assert r.reason == "Điểm A ≤ 140 (nông thôn) và điểm B ≥ 30: hộ nghèo"
    assert r.score_a_used == 140 and r.score_b_used == 30
    assert classify(S16, "rural", None, "", score_a=120).reason == "Điểm B1 ≤ 120 (nông thôn): hộ nghèo"
    assert classify(S22, "rural", 3_000_000, D3, score_a=100).classification == "not_poor"


def test_no_score_cut_offs_for_2026_2030() -> None:
    with pytest.raises(ClassificationError) as err:
        classify(S27, "rural", None, D3, score_a=100)
    assert err.value.column == "score_a"


def test_bad_single_inputs() -> None:
    with pytest.raises(ClassificationError):
        classify(S22, "mountain", 1)
    with pytest.raises(ClassificationError):
        classify(S22, "rural", 1, "water;flying")
    with pytest.raises(ClassificationError):
        classify(S22, "rural", -1)
    with pytest.raises(ClassificationError):
        classify(S22, "rural", None)


def test_classification_carries_indicator_explanation() -> None:
    r = classify(S22, "rural", 1_000_000, "water")
    water = next(i for i in r.indicators if i.code == "water")
    assert water.deprived and water.provenance.status == "unverified"
    assert len(r.indicators) == 12 and sum(i.deprived for i in r.indicators) == 1
    assert r.as_dict()["standard"] == "vn-2022-2025"


def test_classify_from_household_facts() -> None:
    hh = {
        "area": "rural",
        "income_per_capita": 1_200_000,
        "size": 2,
        "housing_quality": "makeshift",
        "floor_area_m2": 10.0,
        "water_source": "surface",
        "toilet": "none",
        "waste_handling": "dumped",
        "internet": True,
        "information_devices": 1,
    }
    import datetime as dt

    members = [
        {"date_of_birth": dt.date(1980, 1, 1), "health_insurance": True, "employment": "self_employed"},
        {"date_of_birth": dt.date(1985, 1, 1), "health_insurance": True, "employment": "self_employed"},
    ]
    r = classify_household(S22, hh, members=members, reference_date=dt.date(2024, 1, 1))
    assert r.classification == "poor"
    assert {i.code for i in r.indicators if i.deprived} == {
        "housing_quality",
        "housing_area",
        "water",
        "sanitation",
    }


def test_provincial_standard_two_deprivations(dong_nai: dict[str, Any]) -> None:
    dn = list_standards([dong_nai])[-1]
    assert classify(dn, "rural", 2_000_000, D2).classification == "poor"
    assert classify(dn, "rural", 2_000_000, "water").classification == "near_poor"
    assert classify(dn, "urban", 3_750_000).classification == "average"
    assert classify(dn, "urban", 3_750_001).classification == "not_poor"


@pytest.mark.parametrize("amount", [0, 7, 999, 1000, 1_450_000, 12_345_678_901])
def test_format_vnd(amount: int) -> None:
    assert format_vnd(amount) == f"{amount:,}".replace(",", ".")


RANK = {"poor": 0, "near_poor": 1, "average": 2, "not_poor": 3}
STANDARDS = st.sampled_from([S16, S22, S27])
AREAS = st.sampled_from(["rural", "urban"])
INCOME = st.integers(min_value=0, max_value=5_000_000)


def codes(std: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(list(std.indicator_codes)), unique=True)


@given(
    data=st.data(),
    std=STANDARDS,
    area=AREAS,
    income=INCOME,
    more=st.integers(min_value=0, max_value=2_000_000),
)
def test_more_income_never_makes_a_household_poorer(
    data: Any, std: Any, area: str, income: int, more: int
) -> None:
    deprived = ";".join(data.draw(codes(std)))
    a = classify(std, area, income, deprived).classification
    b = classify(std, area, income + more, deprived).classification
    assert RANK[b] >= RANK[a]


@given(data=st.data(), std=STANDARDS, area=AREAS, income=INCOME)
def test_more_deprivations_never_make_a_household_less_poor(
    data: Any, std: Any, area: str, income: int
) -> None:
    fewer = data.draw(codes(std))
    extra = data.draw(codes(std))
    more = sorted(set(fewer) | set(extra))
    a = classify(std, area, income, ";".join(fewer)).classification
    b = classify(std, area, income, ";".join(more)).classification
    assert RANK[b] <= RANK[a]


@settings(max_examples=40, deadline=None)
@given(data=st.data(), std=STANDARDS)
def test_batch_and_single_paths_agree(data: Any, std: Any) -> None:
    n = data.draw(st.integers(min_value=1, max_value=30))
    rows = []
    scores_ok = std.scores is not None and std.scores.usable
    for i in range(n):
        use_score = scores_ok and data.draw(st.booleans())
        rows.append(
            {
                "household_id": f"h{i}",
                "area": data.draw(AREAS),
                "income_per_capita": None
                if use_score
                else data.draw(st.integers(min_value=0, max_value=10**13)),
                "deprived": ";".join(data.draw(codes(std))),
                "score_a": data.draw(
                    st.sampled_from([0.0, 100.0, 120.0, 140.0, 140.5, 150.0, 175.0, 176.0, 300.0])
                )
                if use_score
                else None,
                "score_b": data.draw(st.sampled_from([None, 0.0, 29.5, 30.0, 120.0])) if use_score else None,
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "household_id": pl.String,
            "area": pl.String,
            "income_per_capita": pl.Int64,
            "deprived": pl.String,
            "score_a": pl.Float64,
            "score_b": pl.Float64,
        },
    )
    batch = classify_frame(std, frame)
    for row, out in zip(rows, batch.iter_rows(named=True), strict=True):
        single = classify_household(std, row)
        assert out["classification"] == single.classification
        assert out["deprived_count"] == single.deprived_count
        assert out["reason"] == single.reason
        assert out["threshold"] == single.threshold
        assert out["income_used"] == single.income_used


def _frame(**cols: list[Any]) -> pl.DataFrame:
    base = {
        "household_id": ["a", "b", "c"],
        "area": ["rural", "urban", "rural"],
        "income_per_capita": ["1000000", "2000000", "3000000"],
        "deprived": ["", "water", "telecom;water"],
    }
    return pl.DataFrame(base | cols)


@pytest.mark.parametrize(
    ("cols", "row", "column"),
    [
        ({"income_per_capita": ["1", "abc", "3"]}, 2, "income_per_capita"),
        ({"income_per_capita": ["1", "2", ""]}, 3, "income_per_capita"),
        ({"income_per_capita": ["1", "2.5", "3"]}, 2, "income_per_capita"),
        ({"income_per_capita": ["-1", "2", "3"]}, 1, "income_per_capita"),
        ({"area": ["rural", "urban", "city"]}, 3, "area"),
        ({"deprived": ["", "water;unicorns", ""]}, 2, "deprived"),
        ({"household_id": ["a", "b", "a"]}, 3, "household_id"),
        ({"household_id": ["a", None, "c"]}, 2, "household_id"),
    ],
)
def test_frame_errors_name_row_and_column(cols: dict[str, list[Any]], row: int, column: str) -> None:
    with pytest.raises(ClassificationError) as err:
        classify_frame(S22, _frame(**cols))
    assert (err.value.row, err.value.column) == (row, column)
    assert f"dòng {row}" in str(err.value) and column in str(err.value)


def test_band_known_in_one_area_only(dong_nai: dict[str, Any]) -> None:
    # A published standard may know the average-living band for one area only; batch and single
    # paths then use the band where it exists and "above the line" elsewhere.
    dong_nai["income_lines"]["average_upper"]["urban"] = {
        "value": None,
        "provenance": {"status": "unknown", "source": "chưa công bố"},
    }
    std = list_standards([dong_nai])[-1]
    frame = pl.DataFrame(
        {
            "household_id": ["a", "b", "c", "d"],
            "area": ["rural", "urban", "rural", "urban"],
            "income_per_capita": [2_500_000, 3_000_000, 3_500_000, 1_000_000],
            "deprived": ["", "", D2, "water"],
        }
    )
    batch = classify_frame(std, frame)
    assert batch["classification"].to_list() == ["average", "not_poor", "not_poor", "near_poor"]
    for row, out in zip(frame.iter_rows(named=True), batch.iter_rows(named=True), strict=True):
        single = classify_household(std, row)
        assert (out["classification"], out["reason"], out["threshold"]) == (
            single.classification,
            single.reason,
            single.threshold,
        )
    assert "chưa có ngưỡng hộ có mức sống trung bình" in batch["reason"][1]
