"""What the household page and the printed score card show about a household's classification,
keeping three things apart: the stored result (computed from named facts under a named standard, with
its date), the facts it read, and — only when the facts of record changed since, or nothing is stored —
an indicative result on the current facts, labelled as such and never stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hongheo.registry.facts import household_values, member_values, record_json
from hongheo.registry.models import Household, Member

from .facts import classify_registered_household
from .models import HouseholdClassification
from .rules.catalog import Standard
from .rules.engine import CLASS_NAMES_VI, Classification
from .selectors import (
    household_classification_history,
    household_current_classification,
    standard_get,
    standard_in_force,
)

SOURCE_LABELS_VI = {
    "run": "Lần xếp loại theo địa bàn",
    "survey": "Phiếu B của đợt rà soát",
    "single": "Xếp loại lại trên thông tin đang quản lý",
}


@dataclass
class IndicatorLine:
    name_vi: str
    deprived: bool
    facts: dict[str, Any] | None
    verified: bool


@dataclass
class Explanation:
    """The stored result shown, with everything needed to print it again exactly."""

    result: HouseholdClassification
    standard: Standard
    label: str
    source_label: str
    reference_date: dt.date | None
    indicators: list[IndicatorLine]
    facts_record: Any  # registry.FactRecord or None (a batch run keeps no per-household record)
    stale: bool  # the facts of record changed since the result was computed
    indicative: Classification | None  # on current facts, labelled indicative, never stored
    indicative_label: str = ""
    history: list[HouseholdClassification] = field(default_factory=list)

    @property
    def facts_date(self) -> dt.date | None:
        if self.facts_record is not None:
            return self.facts_record.observed_on
        return None


def _indicators_from_result(
    result: HouseholdClassification, standard: Standard, same_facts: Classification | None
) -> list[IndicatorLine]:
    if result.explanation:
        return [
            IndicatorLine(i["name_vi"], bool(i["deprived"]), i.get("facts"), bool(i.get("verified")))
            for i in result.explanation.get("indicators", [])
        ]
    # A batch run stores which indicators were deprived, not the facts of each one. While the facts of
    # record have not changed since, they are the facts the run read: show them beside the stored outcome.
    deprived = set(result.deprived_codes)
    facts = {i.code: i.facts for i in same_facts.indicators} if same_facts is not None else {}
    return [
        IndicatorLine(
            ind.name_vi, ind.code in deprived, facts.get(ind.code), ind.provenance.status == "verified"
        )
        for ind in standard.indicators
    ]


def _current_json(household: Household, members: list[Member]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return record_json(household_values(household), [(m, member_values(m)) for m in members])


def _facts_changed(result: HouseholdClassification, household: Household, members: list[Member]) -> bool:
    last_change = max([household.updated_at, *(m.updated_at for m in members)], default=household.updated_at)
    if last_change <= result.classified_at:
        return False
    record = result.facts_record
    if record is None:
        return True
    hh, mm = _current_json(household, members)
    stored_hh = {k: v for k, v in record.household_facts.items() if k != "area"}
    return hh != stored_hh or mm != record.member_facts


def household_explanation(household: Household, members: list[Member]) -> Explanation | None:
    """The household's stored classification result and, when its facts changed since, an
    indicative result on the current facts under the same standard. None when nothing is stored."""
    result = household_current_classification(household=household)
    if result is None:
        return None
    standard = standard_get(result.standard_code)
    stale = _facts_changed(result, household, members)
    on_current = None
    if household.income_per_capita is not None and (stale or not result.explanation):
        on_current = classify_registered_household(
            standard,
            household,
            members,
            reference_date=result.reference_day or dt.date.today(),
            area=result.area_setting,
        )
    indicative = on_current if stale else None
    return Explanation(
        result=result,
        standard=standard,
        label=str(result.get_classification_display()),
        source_label=SOURCE_LABELS_VI.get(result.source, result.source),
        reference_date=result.reference_day,
        indicators=_indicators_from_result(result, standard, None if stale else on_current),
        facts_record=result.facts_record,
        stale=stale,
        indicative=indicative,
        indicative_label=CLASS_NAMES_VI.get(indicative.classification, "") if indicative else "",
        history=list(household_classification_history(household=household)[:10]),
    )


def indicative_only(household: Household, members: list[Member], *, on: dt.date) -> Classification | None:
    """For a household with no stored result: an indicative result on current facts under the
    standard in force on ``on`` (labelled indicative on every page)."""
    if household.income_per_capita is None:
        return None
    standard = standard_in_force(on, province_code=household.commune.province_code)
    return classify_registered_household(standard, household, members, reference_date=on)
