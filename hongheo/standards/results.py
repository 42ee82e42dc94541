"""Stored classification results of one household (kết quả xếp loại), each computed from a named
dated fact record under a named standard, with its explanation — what the household page, the score
card and the review show, never a result recomputed on the fly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import PermissionDenied
from hongheo.registry.models import FactRecord, Household
from hongheo.registry.services import facts_record
from hongheo.users.access import user_covers_area

from .facts import classify_record
from .models import HouseholdClassification
from .rules.catalog import Standard
from .rules.engine import Classification

CLASSIFY_ROLES = {"commune_officer", "province_officer", "administrator"}


def explanation_of(result: Classification) -> dict[str, Any]:
    """What a stored result keeps to be shown again exactly: per indicator, deprived and its facts."""

    def _plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: _plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [_plain(v) for v in value]
        return value

    return {
        "threshold_kind": result.threshold_kind,
        "deprivation_threshold": result.deprivation_threshold,
        "indicators": [
            {
                "code": i.code,
                "name_vi": i.name_vi,
                "deprived": i.deprived,
                "facts": _plain(i.facts),
                "verified": i.provenance.status == "verified",
            }
            for i in result.indicators
        ],
    }


def result_store(
    *, household: Household, standard: Standard, record: FactRecord, reference_date: dt.date, source: str
) -> HouseholdClassification:
    """Classify exactly ``record``'s facts and store the result as the household's current one."""
    result = classify_record(standard, record, reference_date=reference_date)
    HouseholdClassification.objects.filter(household=household, is_current=True).update(is_current=False)
    return HouseholdClassification.objects.create(
        run=None,
        household=household,
        standard_code=standard.code,
        classification=result.classification,
        area_setting=result.area,
        basis=result.basis,
        income_used=result.income_used,
        threshold=float(result.threshold) if result.threshold is not None else None,
        deprived_count=result.deprived_count,
        deprived=";".join(i.code for i in result.indicators if i.deprived)[:400],
        reason=result.reason[:400],
        is_current=True,
        source=source,
        reference_date=reference_date,
        facts_record=record,
        explanation=explanation_of(result),
    )


@transaction.atomic
def household_classify(
    *, actor: Any, household: Household, standard: Standard, reference_date: dt.date
) -> HouseholdClassification:
    """ "Xếp loại lại": record the household's facts of record as of today and store their result."""
    if getattr(actor, "role", "") not in CLASSIFY_ROLES or not user_covers_area(actor, household.commune):
        raise PermissionDenied(_("Bạn không có quyền xếp loại hộ ở địa bàn này."))
    record = facts_record(
        actor=actor,
        household=household,
        source=FactRecord.Source.EDIT,
        observed_on=dt.date.today(),
        source_ref="Thông tin đang quản lý (xếp loại lại)",
    )
    stored = result_store(
        household=household, standard=standard, record=record, reference_date=reference_date, source="single"
    )
    audit_write(
        actor=actor,
        action="standards.household_classify",
        obj=stored,
        household_code=household.code,
        area_code=household.commune.code,
        after={"classification": stored.classification, "standard": standard.code, "record": record.pk},
    )
    return stored
