"""The one place this app reads a household's official class (poor, near-poor…).

Today it is ``reviews.HouseholdStatus``; when the official status becomes an effective-dated
history, only these two functions change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

LISTED = ("poor", "near_poor")


def class_q(classes: Iterable[str] = LISTED, *, prefix: str = "") -> Q:
    """Households whose official class is one of ``classes`` (a filter on Household)."""
    return Q(**{f"{prefix}official_status__classification__in": list(classes)})


def official_classes(household_ids: Iterable[int]) -> dict[int, str]:
    from hongheo.reviews.models import HouseholdStatus

    ids = list(household_ids)
    return dict(
        HouseholdStatus.objects.filter(household_id__in=ids).values_list("household_id", "classification")
    )
