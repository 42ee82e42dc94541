"""Demo data for the review: last year's official lists for the demo province.

The demo households are classified under the standard in force at the end of 2025 and the
poor / near-poor ones are recorded as the commune lists decided on 20/12/2025, so a commune
officer who opens the 2026 yearly round finds a realistic Phụ lục I.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from hongheo.core.audit import audit_write
from hongheo.geography.models import Area
from hongheo.standards.classification import classification_run
from hongheo.standards.models import HouseholdClassification

from .models import OfficialStatus

DEMO_LIST_DATE = dt.date(2025, 12, 20)
DEMO_SOURCE = "Dữ liệu demo: danh sách hộ nghèo, hộ cận nghèo cuối năm 2025 (mô phỏng)"


def demo_statuses_seed(*, province: Area) -> dict[str, Any]:
    """Idempotent: does nothing when the province already has official statuses."""
    if OfficialStatus.objects.filter(household__commune__parent=province).exists():
        return {"statuses": 0}
    run = classification_run(actor=None, area=province, reference_date=dt.date(2025, 12, 1))
    rows = HouseholdClassification.objects.filter(
        run=run, classification__in=["poor", "near_poor"]
    ).values_list("household_id", "classification")
    with transaction.atomic():
        statuses = [
            OfficialStatus(
                household_id=household_id,
                classification=cls,
                valid_from=DEMO_LIST_DATE,
                source=DEMO_SOURCE,
            )
            for household_id, cls in rows
        ]
        OfficialStatus.objects.bulk_create(statuses)
        audit_write(
            actor=None,
            action="reviews.demo_statuses_seed",
            object_type="reviews.officialstatus",
            object_id="*",
            after={"province": province.code, "statuses": len(statuses), "source": DEMO_SOURCE},
        )
    return {"statuses": len(statuses), "run": str(run.pk)}


def demo_round_seed(*, commune: Area, year: int, surveyed: int = 5) -> dict[str, Any]:
    """Idempotent: a yearly round of ``commune`` in progress (in the survey step, a few households
    surveyed, one application waiting), so the demo and the page crawls reach every review page."""
    from hongheo.registry.models import Household

    from . import services
    from .models import ReviewRound

    existing = ReviewRound.objects.filter(commune=commune, kind="yearly", year=year).first()
    if existing is not None:
        return {"round": existing, "created": False}
    applicant = (
        Household.objects.filter(commune=commune, is_active=True)
        .exclude(status_history__valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    if applicant is not None:
        services.application_receive(
            actor=None,
            commune=commune,
            kind="review",
            applicant_name=applicant.head_name,
            household=applicant,
            received_on=dt.date(year, 10, 1),
        )
    review_round = services.round_open(actor=None, commune=commune, kind="yearly", year=year)
    for entry in review_round.entries.filter(origin="application"):
        services.screening_record(actor=None, entry=entry, excluded=False)
    review_round = services.round_advance(actor=None, review_round=review_round, action="start_survey")
    for entry in review_round.entries.select_related("household").order_by("id")[:surveyed]:
        services.survey_record(actor=None, entry=entry)
    return {"round": review_round, "created": True}
