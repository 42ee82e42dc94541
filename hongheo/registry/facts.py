"""The facts a poverty standard reads about a household and its members (thông tin xếp loại), and
their dated records (:class:`~hongheo.registry.models.FactRecord`).

One list of fact names for every place that records or classifies facts (Phiếu B, edits, the
classification job, the household page, the citizen portal, the field app), so they can never disagree
about what a standard sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

HOUSEHOLD_FACTS = (
    "housing_quality",
    "floor_area_m2",
    "water_source",
    "toilet",
    "waste_handling",
    "internet",
    "information_devices",
    "income_per_capita",
)
MEMBER_FACTS = (
    "date_of_birth",
    "sex",
    "relation_to_head",
    "health_insurance",
    "in_school",
    "education_level",
    "has_qualification",
    "employment",
    "disability",
    "disability_allowance",
    "undernourished",
)
#: Member facts a survey may correct (identity — birth date, sex, relation — goes through member edits).
MEMBER_SURVEY_FACTS = tuple(f for f in MEMBER_FACTS if f not in ("date_of_birth", "sex", "relation_to_head"))


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def household_values(household: Any) -> dict[str, Any]:
    return {k: getattr(household, k) for k in HOUSEHOLD_FACTS}


def member_values(member: Any) -> dict[str, Any]:
    return {k: getattr(member, k) for k in MEMBER_FACTS}


def record_json(
    household: Mapping[str, Any], members: Iterable[tuple[Any, Mapping[str, Any]]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The JSON of a record: household facts by name; per member its id, name, ID number and facts."""
    hh = {k: _json(household.get(k)) for k in HOUSEHOLD_FACTS}
    mm = [
        {
            "member_id": m.pk,
            "full_name": m.full_name,
            "personal_id": m.personal_id or "",
            **{k: _json(values.get(k)) for k in MEMBER_FACTS},
        }
        for m, values in members
    ]
    return hh, mm


def record_facts(
    household_facts: Mapping[str, Any], member_facts: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A record's facts as the classification engine reads them (dates back to ``date``)."""
    hh = {k: household_facts.get(k) for k in HOUSEHOLD_FACTS}
    mm = []
    for m in member_facts:
        row = {k: m.get(k) for k in MEMBER_FACTS}
        if isinstance(row["date_of_birth"], str):
            row["date_of_birth"] = dt.date.fromisoformat(row["date_of_birth"])
        mm.append(row)
    return hh, mm
