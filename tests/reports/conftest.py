"""Helpers for report tests: minimal households, baseline statuses, ledger rows and current
classifications written directly (the services that normally write them are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

_SEQ = itertools.count(1)


def add_household(commune, village=None, *, size=3, code=None, **fields):
    from hongheo.registry.models import Household

    return Household.objects.create(
        code=code or f"R-{next(_SEQ):06d}",
        commune=commune,
        village=village,
        area_path=(village or commune).path,
        head_name=fields.pop("head_name", "Nguyễn Văn Test"),
        size=size,
        **fields,
    )


def set_status(household, classification, since, *, ever_poor=False):
    """Append a period to the household's official history (as a decision or a baseline does);
    ``ever_poor`` with another class puts a poor period a year before it."""
    from hongheo.reviews.status import official_status_set

    if ever_poor and classification != "poor":
        official_status_set(
            actor=None,
            household=household,
            classification="poor",
            effective_on=since - dt.timedelta(days=365),
            source="test",
        )
    return official_status_set(
        actor=None, household=household, classification=classification, effective_on=since, source="test"
    )


def add_change(household, from_class, to_class, on, kind=None):
    """A ledger row and the history period it opens, as the decision service writes them. A
    household with no period yet gets ``from_class`` as its class from before the history."""
    from hongheo.reviews.models import StatusChange
    from hongheo.reviews.status import (
        BEFORE_HISTORY,
        official_status_close,
        status_current,
        was_ever_poor,
    )
    from hongheo.reviews.workflow import change_kind

    if status_current(household) is None and from_class:
        set_status(household, from_class, BEFORE_HISTORY)
    kind = kind or change_kind(from_class or None, to_class, was_ever_poor=was_ever_poor(household))
    StatusChange.objects.create(
        household=household,
        commune=household.commune,
        year=on.year,
        from_class=from_class,
        to_class=to_class,
        kind=kind or "other",
        effective_on=on,
    )
    if to_class:
        set_status(household, to_class, on)
    else:
        official_status_close(household=household, on=on)


def set_deprived(households_codes: dict, area):
    """One official run over ``area`` with the given deprived codes per household (is_current)."""
    from hongheo.standards.models import ClassificationRun, HouseholdClassification

    run = ClassificationRun.objects.create(
        area=area, standard_code="vn-2022-2025", reference_date=dt.date(2024, 1, 1), state="done"
    )
    for household, codes in households_codes.items():
        HouseholdClassification.objects.create(
            run=run,
            household=household,
            standard_code="vn-2022-2025",
            classification="poor",
            area_setting="rural",
            deprived=";".join(codes),
            deprived_count=len(codes),
            reason="test",
            is_current=True,
        )
    # computed when the run's reference date says (reports read the results known on their end date)
    computed = timezone.make_aware(dt.datetime(2024, 1, 2, 9, 0))
    HouseholdClassification.objects.filter(run=run).update(classified_at=computed)
    return run


@pytest.fixture
def helpers():
    class H:
        add_household = staticmethod(add_household)
        set_status = staticmethod(set_status)
        add_change = staticmethod(add_change)
        set_deprived = staticmethod(set_deprived)

    return H
