"""Catalog: shipped documents, provenance, validation, lookup by date and provincial standards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hongheo.standards.rules.catalog import (
    PROVENANCE_STATUSES,
    StandardError,
    UnknownStandard,
    build_standard,
    get_standard,
    list_standards,
    shipped_documents,
    standard_for_date,
    validate_document,
)

CLI_CODES = {
    "vn-2022-2025": [
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "housing_quality",
        "housing_area",
        "water",
        "sanitation",
        "telecom",
        "information_devices",
    ],
    "vn-2016-2020": [
        "health_access",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "housing_quality",
        "housing_area",
        "water",
        "sanitation",
        "telecom",
        "information_access",
    ],
}
CLI_CODES["vn-2026-2030"] = [c for c in CLI_CODES["vn-2022-2025"] if c != "information_devices"] + ["waste"]


def test_shipped_standards_load_with_cli_indicator_codes() -> None:
    for code, codes in CLI_CODES.items():
        assert sorted(get_standard(code).indicator_codes) == sorted(codes)


def test_shipped_numbers_from_fact_sheet() -> None:
    s22 = get_standard("vn-2022-2025")
    assert (s22.poor_line["rural"].value, s22.poor_line["urban"].value) == (1_500_000, 2_000_000)
    assert s22.average_upper is not None
    assert (s22.average_upper["rural"].value, s22.average_upper["urban"].value) == (2_250_000, 3_000_000)
    assert s22.scores is not None and s22.scores.poor_max["rural"].value == 140
    assert s22.scores.poor_max["urban"].value == 175 and s22.scores.poor_min.value == 30
    assert (s22.effective_from, s22.effective_to) == (dt.date(2022, 1, 1), dt.date(2026, 12, 31))
    s27 = get_standard("vn-2026-2030")
    assert (s27.poor_line["rural"].value, s27.poor_line["urban"].value) == (2_200_000, 2_800_000)
    assert s27.average_upper is not None and s27.average_upper["rural"].value is None
    assert s27.average_upper["rural"].provenance.status == "unknown"
    assert s27.area_names["urban"] == "đô thị"
    s16 = get_standard("vn-2016-2020")
    assert s16.income_only_line is not None and s16.income_only_line["rural"].value == 700_000
    assert s16.income_only_line["urban"].value == 900_000
    assert s16.scores is not None and s16.scores.poor_max["rural"].provenance.status == "unverified"
    assert s16.scores.poor_max["urban"].provenance.status == "verified"
    for s in (s16, s22, s27):
        assert s.scores is not None and s.scores.score_table is None and s.scores.score_table_note
        assert s.deprivation_threshold.value == 3


def _walk(node: Any, path: str, covered: bool, found: list[str]) -> None:
    if isinstance(node, dict):
        has_prov = "provenance" in node
        if has_prov:
            assert node["provenance"]["status"] in PROVENANCE_STATUSES, path
            assert node["provenance"]["source"].strip(), path
        for key, value in node.items():
            if key == "schema_version":
                continue
            _walk(value, f"{path}.{key}", covered or (has_prov and key == "value"), found)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, f"{path}[{i}]", covered, found)
    elif isinstance(node, int | float) and not isinstance(node, bool) and not covered:
        found.append(path)


@pytest.mark.parametrize("doc", shipped_documents(), ids=lambda d: d["code"])
def test_every_shipped_number_carries_provenance(doc: dict[str, Any]) -> None:
    uncovered: list[str] = []
    _walk(doc, doc["code"], False, uncovered)
    assert uncovered == []
    for dim in doc["dimensions"]:
        for ind in dim["indicators"]:
            assert ind["provenance"]["status"] in PROVENANCE_STATUSES
            for param in ind["params"].values():
                assert "provenance" in param


def test_unknown_values_are_null_with_unknown_status() -> None:
    def check(node: Any) -> None:
        if isinstance(node, dict):
            if "provenance" in node and "value" in node:
                assert (node["value"] is None) == (node["provenance"]["status"] == "unknown")
            for v in node.values():
                check(v)
        elif isinstance(node, list):
            for v in node:
                check(v)

    for doc in shipped_documents():
        check(doc)


def test_standard_for_date() -> None:
    assert standard_for_date(dt.date(2018, 6, 1)).code == "vn-2016-2020"
    assert standard_for_date(dt.date(2021, 12, 31)).code == "vn-2016-2020"
    assert standard_for_date(dt.date(2022, 1, 1)).code == "vn-2022-2025"
    assert standard_for_date(dt.date(2026, 12, 31)).code == "vn-2022-2025"
    assert standard_for_date(dt.date(2027, 1, 1)).code == "vn-2026-2030"
    with pytest.raises(StandardError):
        standard_for_date(dt.date(2031, 1, 1))


def test_provincial_standard_wins_inside_its_province_only(dong_nai: dict[str, Any]) -> None:
    extra = [dong_nai]
    on = dt.date(2024, 5, 1)
    local = standard_for_date(on, "75", extra=extra)
    assert local.code == "dong-nai-2022-2025"
    assert local.poor_line["rural"].value == 2_000_000 and local.poor_line["urban"].value == 2_500_000
    assert local.deprivation_threshold.value == 2
    assert local.average_upper is not None and local.average_upper["urban"].value == 3_750_000
    # indicators inherited from the national standard, scores not inherited
    assert local.indicator_codes == get_standard("vn-2022-2025").indicator_codes
    assert local.scores is None
    assert standard_for_date(on, "01", extra=extra).code == "vn-2022-2025"
    assert standard_for_date(on, extra=extra).code == "vn-2022-2025"
    # outside its period the national one applies
    assert standard_for_date(dt.date(2026, 3, 1), "75", extra=extra).code == "vn-2022-2025"
    assert get_standard("dong-nai-2022-2025", extra).title.startswith("Chuẩn nghèo")


def test_validation_lists_every_bad_field(dong_nai: dict[str, Any]) -> None:
    doc = dong_nai
    doc["scope"] = "district"
    doc["income_lines"]["poor"]["rural"]["value"] = -1
    doc["deprivation_threshold"] = {"value": 2}
    doc["effective_to"] = "2021-13-01"
    with pytest.raises(StandardError) as err:
        build_standard(doc, {d["code"]: d for d in shipped_documents()})
    text = str(err.value)
    for field in (
        "scope",
        "income_lines.poor.rural.value",
        "deprivation_threshold.provenance",
        "effective_to",
    ):
        assert field in text
    assert len(err.value.errors) >= 4


def test_validation_of_indicator_params() -> None:
    doc = shipped_documents()[1]
    ind = doc["dimensions"][0]["indicators"][0]
    ind["evaluator"] = "nope"
    doc["dimensions"][3]["indicators"][1]["params"]["min_m2_per_person"]["value"] = "eight"
    doc["dimensions"][1]["indicators"][0]["params"]["bogus"] = {
        "value": 1,
        "provenance": {"status": "derived", "source": "x"},
    }
    errors = validate_document(doc)
    joined = "\n".join(errors)
    assert "dimensions[0].indicators[0].evaluator" in joined
    assert "dimensions[3].indicators[1].params.min_m2_per_person" in joined
    assert "dimensions[1].indicators[0].params.bogus" in joined


def test_null_value_requires_unknown_status() -> None:
    doc = shipped_documents()[2]
    doc["income_lines"]["average_upper"]["rural"]["provenance"]["status"] = "verified"
    assert any("average_upper.rural" in e for e in validate_document(doc))


def test_unknown_code_and_duplicates(dong_nai: dict[str, Any]) -> None:
    with pytest.raises(UnknownStandard) as err:
        get_standard("vn-1990")
    assert "vn-2022-2025" in str(err.value)
    doc = shipped_documents()[0]
    with pytest.raises(StandardError):
        list_standards([doc])
    orphan = dong_nai | {"based_on": "vn-1990"}
    with pytest.raises(StandardError):
        list_standards([orphan])
