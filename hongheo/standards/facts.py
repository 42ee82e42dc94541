"""The registry facts a poverty standard reads, and classifying one registered household.

One list of fact names for every place that classifies households from the database (the
classification job, the review's Phiếu B step, the household page's explanation), so they can
never disagree about what a standard sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hongheo.registry.facts import HOUSEHOLD_FACTS, MEMBER_FACTS, record_facts
from hongheo.registry.models import Household, Member

from .rules.catalog import Standard
from .rules.engine import Classification, classify_household

__all__ = ["HOUSEHOLD_FACTS", "MEMBER_FACTS", "classify_record", "classify_registered_household"]


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


def classify_record(standard: Standard, record: Any, *, reference_date: dt.date) -> Classification:
    """Classify exactly the facts of a dated record (:class:`~hongheo.registry.models.FactRecord`)."""
    household, members = record_facts(record.household_facts, record.member_facts)
    area = record.household_facts.get("area") or record.household.commune.setting
    return classify_household(
        standard, {"area": area, **household}, members=members, reference_date=reference_date
    )
