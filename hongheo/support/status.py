"""The one place this app reads a household's official class (poor, near-poor…): the period of
the official history (``reviews.OfficialStatus``) that covers today, through ``reviews.status``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

LISTED = ("poor", "near_poor")


def class_q(classes: Iterable[str] = LISTED, *, on: dt.date | None = None) -> Q:
    """Households whose official class on ``on`` (today) is one of ``classes`` (a filter on Household)."""
    from hongheo.reviews.models import OfficialStatus
    from hongheo.reviews.status import covering

    periods = OfficialStatus.objects.filter(
        covering(on or timezone.localdate()), household=OuterRef("pk"), classification__in=list(classes)
    )
    return Q(Exists(periods))


def official_classes(household_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, str]:
    """Household id → its official class on ``on`` (today); households on no list are absent."""
    from hongheo.reviews.models import OfficialStatus
    from hongheo.reviews.status import covering

    ids = list(household_ids)
    return dict(
        OfficialStatus.objects.filter(covering(on or timezone.localdate()), household_id__in=ids).values_list(
            "household_id", "classification"
        )
    )
