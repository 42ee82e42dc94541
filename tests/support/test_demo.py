"""The demo shows support plans and a flag the province can act on."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.reviews.models import ReviewRound
from hongheo.support import integrity
from hongheo.support.demo import demo_support_seed
from hongheo.support.models import Assignment, Organisation, PlanItem
from hongheo.users.models import User


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_shows_a_bunching_flag():
    from hongheo.geography.models import Area
    from hongheo.registry.demo import demo_seed
    from hongheo.registry.models import Household
    from hongheo.reviews.demo import demo_statuses_seed
    from hongheo.reviews.services import status_baseline_set

    demo_seed(households=60, communes=2, seed=5)
    demo_statuses_seed(province=Area.objects.get(code="46"))
    first = User.objects.get(username="xa").assignments.get().area
    for h in Household.objects.filter(commune=first, village__isnull=False).exclude(
        status_history__isnull=False
    )[:3]:
        status_baseline_set(
            actor=None, household=h, classification="poor", since=dt.date(2025, 12, 20), source="x"
        )
    result = demo_support_seed()
    assert result["organisations"] == 4 and result["plans"] == 3 and result["bunched"] >= 8
    assert demo_support_seed() == {"organisations": 0}
    assert Organisation.objects.count() == 4 and Assignment.objects.exists()
    assert PlanItem.objects.filter(status="given").count() == 1
    second = User.objects.get(username="xa2").assignments.get().area
    assert ReviewRound.objects.get(commune=second).state == "meeting"
    rows = integrity.province_flags(User.objects.get(username="tinh"), only=second.code)
    assert "bunching" in dict(rows[0].by_check()) and rows[0].can_send_back
