"""The pure integrity checks and code lists of support plans, as tables."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.support import checks, lists

LINE = 2_000_000


def _incomes(below: int, above: int, far: int = 0) -> list[tuple[str, int]]:
    rows = [(f"B{i}", LINE - 1_000 * (i + 1)) for i in range(below)]
    rows += [(f"A{i}", LINE + 1_000 * (i + 1)) for i in range(above)]
    rows += [(f"F{i}", LINE * 2) for i in range(far)]
    return rows


@pytest.mark.parametrize(
    ("below", "above", "flagged"),
    [
        (0, 0, False),
        (7, 0, False),  # too few to say anything
        (8, 0, True),
        (8, 2, True),  # 8 ≥ 3 × 2
        (8, 3, False),  # 8 < 3 × 3
        (30, 9, True),
        (30, 11, False),
        (12, 12, False),  # smooth
    ],
)
def test_bunching_table(below, above, flagged):
    finding = checks.bunching(_incomes(below, above, far=50), line=LINE, line_name="chuẩn nghèo")
    assert (finding is not None) is flagged
    if finding:
        assert finding.check == "bunching"
        assert len(finding.households) == below
        assert all(code.startswith("B") for code in finding.households)
        assert "2.000.000" in finding.reason


def test_bunching_band_edges():
    # exactly on the line counts as below (income ≤ line is classified in); outside the band never counts
    rows = [("ON", LINE)] * 1 + [(f"X{i}", int(LINE * 0.94)) for i in range(20)] + [("N", None)]
    rows += [(f"B{i}", LINE - 10) for i in range(7)]
    finding = checks.bunching(rows, line=LINE, line_name="x")
    assert finding is not None and finding.figures["below"] == 8


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"previous_class": "", "current_class": "poor", "income_per_capita": 2_500_000}, ["thu nhập"]),
        ({"previous_class": "", "current_class": "poor", "income_per_capita": 1_900_000}, []),
        ({"previous_class": "poor", "current_class": "poor", "income_per_capita": 9_000_000}, []),
        ({"previous_class": "", "current_class": "near_poor", "income_per_capita": 9_000_000}, []),
        (
            {
                "previous_class": "not_poor",
                "current_class": "poor",
                "housing_quality": "durable",
                "floor_area_m2": 120,
                "size": 3,
            },
            ["nhà kiên cố"],
        ),
        (
            {
                "previous_class": "",
                "current_class": "poor",
                "housing_quality": "durable",
                "floor_area_m2": 40,
                "size": 4,
            },
            [],
        ),
        (
            {
                "previous_class": "near_poor",
                "current_class": "poor",
                "information_devices": 3,
                "internet": True,
                "income_per_capita": 2_100_000,
            },
            ["thu nhập", "internet"],
        ),
        ({"previous_class": "", "current_class": "poor", "information_devices": 5, "internet": False}, []),
    ],
)
def test_newly_poor_contradictions_table(row, expected):
    found = checks.newly_poor_contradictions([{"code": "H1", **row}], poor_line=LINE)
    if not expected:
        assert found == []
    else:
        assert len(found) == 1 and found[0].households == ("H1",)
        for word in expected:
            assert word in found[0].reason


def test_newly_poor_without_a_line_checks_assets_only():
    row = {"code": "H", "previous_class": "", "current_class": "poor", "income_per_capita": 10**9}
    assert checks.newly_poor_contradictions([row], poor_line=None) == []


def _rate(code, before, after, kind="xa", households=1000):
    return checks.CommuneRate(code, kind, households, before, after)


def test_rate_drop_against_similar_communes():
    rates = [_rate("A", 100, 95), _rate("B", 100, 96), _rate("C", 100, 94), _rate("D", 100, 30)]
    out = checks.rate_drop_outliers(rates)
    assert set(out) == {"D"}
    assert out["D"].figures["drop_pp"] == 7.0 and out["D"].figures["peers"] == 3


@pytest.mark.parametrize(
    ("drop_d", "flagged"), [(0, False), (30, False), (35, False), (36, True), (90, True)]
)
def test_rate_drop_limit_is_peer_median_plus_margin(drop_d, flagged):
    # peers drop 0.5 pp: the limit is max(0.5 + 3, 0.5 × 2) = 3.5 pp; D drops drop_d / 10 pp
    rates = [_rate("A", 100, 95), _rate("B", 100, 95), _rate("C", 100, 95), _rate("D", 100, 100 - drop_d)]
    assert ("D" in checks.rate_drop_outliers(rates)) is flagged


def test_rate_drop_compares_same_kind_when_enough_and_skips_empty():
    rates = [
        _rate("P1", 100, 40, kind="phuong"),
        _rate("P2", 100, 42, kind="phuong"),
        _rate("P3", 100, 41, kind="phuong"),
        _rate("P4", 100, 40, kind="phuong"),
        _rate("X1", 100, 99),
        _rate("X2", 100, 99),
        _rate("E", 0, 0, households=0),
    ]
    # the wards all drop ~6 pp: normal among wards although far above the two communes
    assert checks.rate_drop_outliers(rates) == {}
    assert checks.rate_drop_outliers(rates[:2]) == {}  # too few peers: no judgement


def test_rate_drop_against_a_target_when_one_is_given():
    rates = [_rate("A", 100, 50)]
    assert checks.rate_drop_outliers(rates) == {}
    out = checks.rate_drop_outliers(rates, targets_pp={"A": 1.0})
    assert "chỉ tiêu" in out["A"].reason
    assert checks.rate_drop_outliers(rates, targets_pp={"A": 3.0}) == {}  # 5 ≤ 3 + 3


MEETING = dt.date(2026, 10, 20)


@pytest.mark.parametrize(
    ("row", "flagged"),
    [
        ({"proposed_class": "poor", "final_class": ""}, False),
        ({"proposed_class": "poor", "final_class": "poor"}, False),
        ({"proposed_class": "poor", "final_class": "near_poor"}, True),
        ({"proposed_class": "poor", "final_class": "near_poor", "complaint_classes": {"near_poor"}}, False),
        ({"proposed_class": "poor", "final_class": "not_poor", "complaint_classes": {"near_poor"}}, True),
        ({"proposed_class": "poor", "surveyed_on": MEETING}, False),
        ({"proposed_class": "poor", "surveyed_on": MEETING + dt.timedelta(days=1)}, True),
        ({"proposed_class": "poor", "final_class": "average", "meeting_held_on": None}, False),
    ],
)
def test_changed_after_meeting_table(row, flagged):
    base = {"code": "H1", "meeting_held_on": MEETING, "complaint_classes": set()}
    found = checks.changed_after_meeting([{**base, **row}])
    assert bool(found) is flagged


def _surveys(n, minutes_apart, user="rasoat", start=dt.datetime(2026, 10, 1, 8, 0)):
    return [(user, start + dt.timedelta(minutes=minutes_apart * i), f"{user}-{i}") for i in range(n)]


@pytest.mark.parametrize(
    ("n", "apart", "flagged"),
    [
        (20, 1, False),  # exactly the limit
        (21, 1, True),
        (21, 3, True),  # 60 minutes from the first to the 21st: still one window
        (21, 4, False),
        (100, 30, False),
    ],
)
def test_survey_bursts_table(n, apart, flagged):
    found = checks.survey_bursts(_surveys(n, apart))
    assert bool(found) is flagged
    if found:
        assert found[0].figures["user"] == "rasoat" and found[0].figures["count"] > checks.SURVEY_LIMIT


def test_survey_bursts_are_per_user():
    rows = _surveys(15, 1, "a") + _surveys(15, 1, "b")
    assert checks.survey_bursts(rows) == []
    assert [f.figures["user"] for f in checks.survey_bursts(rows + _surveys(25, 1, "c"))] == ["c"]


# --- code lists ---------------------------------------------------------------------------------------


def test_lists_have_english_names_and_check_codes():
    assert lists.label("organisation_kind", "womens_union") == "Hội Liên hiệp Phụ nữ"
    assert lists.label("organisation_kind", "womens_union", "en") == "Women's Union"
    assert lists.label("support_kind", "health_insurance_card", "en") == "Health insurance card"
    assert lists.label("support_kind", "health_insurance_card") == "Thẻ bảo hiểm y tế"
    assert lists.label("support_need", "") == "—"
    assert lists.check("support_programme", "social_policy_bank") == "social_policy_bank"
    with pytest.raises(ValueError, match="mã không hợp lệ"):
        lists.check("support_kind", "=HYPERLINK()")
    for name in ("poverty_cause", "support_need", "support_kind"):
        for code in lists.codes(name):
            assert lists.label(name, code, "en") != lists.label(name, code), (name, code)


def test_suggestions_from_needs_then_causes_each_kind_once():
    out = lists.suggestions(["lack_capital", "illness_accident"], ["health", "credit"])
    kinds = [k for k, _, _ in out]
    assert kinds == ["health_insurance_card", "preferential_loan"]  # the causes add nothing new
    assert out[0][2] == "need:health"
    out = lists.suggestions(["lack_skills"], [])
    assert out == [("vocational_training", "production", "cause:lack_skills")]


@pytest.mark.parametrize(
    ("needs", "received", "met"),
    [
        (["health"], [], {"health": False}),
        (["health"], ["health_insurance_card"], {"health": True}),
        (["health", "housing"], ["electricity"], {"health": False, "housing": True}),
        (["credit"], ["livelihood"], {"credit": False}),
        ([], ["housing"], {}),
    ],
)
def test_needs_met_table(needs, received, met):
    assert lists.needs_met(needs, received) == met


def test_needs_met_count():
    assert lists.needs_met_count({1: (["health", "credit"], ["preferential_loan"]), 2: ([], [])}) == (1, 2)
