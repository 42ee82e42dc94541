"""The registry facts a poverty standard reads, and classifying one registered household.

One list of fact names for every place that classifies households from the database (the
classification job, the review's Phiếu B step, the household page's explanation), so they can
never disagree about what a standard sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hongheo.registry.models import Household, Member

from .rules.catalog import Standard
from .rules.engine import Classification, classify_household

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


def household_facts(household: Household, *, area: str | None = None) -> dict[str, Any]:
    """``area`` defaults to the commune's urban/rural class."""
    return {"area": area or household.commune.setting, **{k: getattr(household, k) for k in HOUSEHOLD_FACTS}}


def member_facts(members: Iterable[Member]) -> list[dict[str, Any]]:
    return [{k: getattr(m, k) for k in MEMBER_FACTS} for m in members]


def classify_registered_household(
    standard: Standard,
    household: Household,
    members: Iterable[Member],
    *,
    reference_date: dt.date,
    area: str | None = None,
) -> Classification:
    """Classify a household of the registry, with the per-indicator facts that decided it."""
    return classify_household(
        standard,
        household_facts(household, area=area),
        members=member_facts(members),
        reference_date=reference_date,
    )
