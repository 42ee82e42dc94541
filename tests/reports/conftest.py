"""Helpers for report tests: minimal households, baseline statuses, ledger rows and current
classifications written directly (the services that normally write them are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

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
    from hongheo.reviews.models import HouseholdStatus

    return HouseholdStatus.objects.update_or_create(
        household=household,
        defaults={"classification": classification, "since": since, "ever_poor": ever_poor},
    )[0]


def add_change(household, from_class, to_class, on, kind=None):
    """A ledger row; the household's HouseholdStatus follows it, as the decision service does."""
    from hongheo.reviews.models import HouseholdStatus, StatusChange
    from hongheo.reviews.workflow import change_kind

    status = HouseholdStatus.objects.filter(household=household).first()
    kind = kind or change_kind(from_class or None, to_class, was_ever_poor=bool(status and status.ever_poor))
    StatusChange.objects.create(
        household=household,
        commune=household.commune,
        year=on.year,
        from_class=from_class,
        to_class=to_class,
        kind=kind or "other",
        effective_on=on,
    )
    set_status(household, to_class, on, ever_poor=bool(status and status.ever_poor) or to_class == "poor")


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
    return run


@pytest.fixture
def helpers():
    class H:
        add_household = staticmethod(add_household)
        set_status = staticmethod(set_status)
        add_change = staticmethod(add_change)
        set_deprived = staticmethod(set_deprived)

    return H
