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
