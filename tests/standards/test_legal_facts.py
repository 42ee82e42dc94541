"""Legal facts corrected after the fact check of November 2026 (issue 7 §5, addendum §10): water and
sanitation codes, the meeting rule's wording, the 2026–2030 standard's confirmed numbers, citing a
standard by its legal instrument (no database)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from hongheo.capture.imports.mapping import code_aliases
from hongheo.core.text import fold
from hongheo.registry import code_lists
from hongheo.standards.rules.catalog import get_standard, instrument_citation
from hongheo.standards.rules.indicators import derive_deprivations, evaluate_indicators

ROOT = Path(__file__).resolve().parents[2]
S16 = get_standard("vn-2016-2020")
S22 = get_standard("vn-2022-2025")
S27 = get_standard("vn-2026-2030")
REF = dt.date(2026, 10, 1)


def _household(**facts):
    base = {
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
    return base | facts


MEMBER_SCHEMA = {
    "household_id": pl.String,
    "personal_id": pl.String,
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


def _deprived(std, household, code):
    single = {o.code: o.deprived for o in evaluate_indicators(std, household, [], reference_date=REF)}
    vec = derive_deprivations(
        pl.DataFrame([household]),
        pl.DataFrame(schema=MEMBER_SCHEMA),
        standard=std,
        reference_date=REF,
    )
    assert bool(vec[code][0]) == single[code]
    return single[code]


@pytest.mark.parametrize("std", [S22, S27])
@pytest.mark.parametrize(
    ("fact", "code", "indicator"),
    [("water_source", "protected_spring", "water"), ("toilet", "pour_flush", "sanitation")],
)
def test_protected_spring_and_pour_flush_are_not_deprived(std, fact, code, indicator):
    assert _deprived(std, _household(**{fact: code}), indicator) is False
    # the unsafe neighbours still are
    worse = "unprotected_well" if fact == "water_source" else "unimproved"
    assert _deprived(std, _household(**{fact: worse}), indicator) is True


def test_new_codes_are_in_the_code_lists_with_provenance_and_an_english_name():
    lists = code_lists.code_lists()["lists"]
    for list_name, code, vi, en in (
        ("water_source", "protected_spring", "Nước khe/mó được bảo vệ", "Protected spring"),
        ("toilet", "pour_flush", "Thấm dội nước", "Pour-flush latrine"),
    ):
        item = next(i for i in lists[list_name]["items"] if i["code"] == code)
        assert item["label_vi"] == vi and item["label_en"] == en
        assert (
            item["provenance"]["status"] == "verified-weak" and "addendum §10" in item["provenance"]["source"]
        )
        assert code_lists.check_code(list_name, code) == code
        # the import recognises the label and everyday spellings
        aliases = code_aliases(list_name)
        assert aliases[fold(vi)] == code
    assert code_aliases("water_source")["nuoc khe mo duoc bao ve"] == "protected_spring"
    assert code_aliases("toilet")["nha tieu tham doi nuoc"] == "pour_flush"
    # an unprotected spring is not silently taken for a protected one
    assert "nuoc khe" not in code_aliases("water_source")


def test_the_2016_2020_lists_are_unchanged():
    water = S16.indicator("water").params["accepted_values"]
    assert "protected_spring" not in water


def test_meeting_rule_says_at_least_half_everywhere():
    procedure = json.loads((ROOT / "hongheo/reviews/data/procedure.json").read_text("utf-8"))
    rule = json.dumps(procedure, ensure_ascii=False)
    assert "trên 50" not in rule and "ít nhất 50 %" in rule
    for template in (
        "hongheo/web/reviews/templates/web/reviews/meeting.html",
        "hongheo/reviews/templates/reviews/pdf/minutes.html",
    ):
        text = (ROOT / template).read_text("utf-8")
        assert "ít nhất {{ share_percent }} %" in text and "trên 50" not in text


def test_2026_2030_confirmed_numbers_and_the_rest_unchanged():
    assert {a: q.value for a, q in S27.poor_line.items()} == {"rural": 2_200_000, "urban": 2_800_000}
    for q in S27.poor_line.values():
        assert q.provenance.status == "verified" and "351/2025/NĐ-CP ngày 30/12/2025" in q.provenance.source
    assert S27.deprivation_threshold.value == 3
    assert S27.deprivation_threshold.provenance.status == "verified"
    assert S27.area_names["urban"] == "đô thị"
    # every indicator threshold stays as shipped: none is marked verified
    for ind in S27.indicators:
        for name, prov in ind.param_provenance.items():
            assert prov.status != "verified", (ind.code, name)
    assert S27.average_upper is None or all(q.value is None for q in S27.average_upper.values())


def test_a_standard_is_cited_by_its_instrument_never_its_code():
    assert S22.instrument == "Nghị định số 07/2021/NĐ-CP ngày 27/01/2021"
    assert S27.instrument == "Nghị định số 351/2025/NĐ-CP ngày 30/12/2025"
    assert instrument_citation({"document": "Quyết định số 59/2015/QĐ-TTg", "date": "bad"}) == (
        "Quyết định số 59/2015/QĐ-TTg"
    )
    assert (
        instrument_citation({"document": "Thông tư  07/2021/TT-BLĐTBXH"}) == "Thông tư số 07/2021/TT-BLĐTBXH"
    )
