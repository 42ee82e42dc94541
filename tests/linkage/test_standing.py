"""The finding "deceased or moved away but still on the poor list or receiving support": the
extract's status crossed with the household's official class today (``reviews.status``) and the
support it received (``registry.SupportReceived``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from hongheo.core.jobs import run_pending_jobs
from hongheo.linkage import services as svc
from hongheo.linkage.models import LinkFinding
from hongheo.linkage.quality import quality_table
from hongheo.registry.services import support_received_add
from hongheo.reviews.status import official_status_close, official_status_set
from hongheo.users.models import Role

from .worlddata import members


def _run(world):  # type: ignore[no-untyped-def]
    province = world.users[Role.PROVINCE_OFFICER]
    run = svc.run_start(actor=province, area=world.hue)
    run_pending_jobs()
    run.refresh_from_db()
    return run


@pytest.mark.parametrize(
    ("official", "support_years_ago", "kind", "cls", "year"),
    [
        ("poor", None, "deceased_listed", "poor", None),
        ("near_poor", None, "deceased_listed", "near_poor", None),
        ("not_poor", None, "deceased", "", None),
        (None, None, "deceased", "", None),
        (None, 0, "deceased_listed", "", 0),
        (None, 1, "deceased_listed", "", 1),
        (None, 3, "deceased", "", None),  # support long ago is not "still receiving"
        ("poor", 0, "deceased_listed", "poor", 0),
        ("average", 0, "deceased_listed", "", 0),
    ],
)
def test_deceased_finding_crosses_status_and_support(  # type: ignore[no-untyped-def]
    world, linked, official, support_years_ago, kind, cls, year
) -> None:
    """Đức (household B) is deceased in the extract; the kind of his finding depends on whether
    household B is poor / near-poor now or received support this year or last."""
    (_, _), (_, _), (duc, _) = members(world)
    officer = world.users[Role.PROVINCE_OFFICER]
    today = timezone.localdate()
    with transaction.atomic():
        if official:
            official_status_set(
                actor=officer,
                household=world.hh_b,
                classification=official,
                effective_on=today - dt.timedelta(days=30),
                source="test",
            )
        if support_years_ago is not None:
            support_received_add(
                actor=None, household=world.hh_b, kind="housing", year=today.year - support_years_ago
            )
    run = _run(world)
    finding = LinkFinding.objects.get(run=run, member=duc, kind__in=["deceased", "deceased_listed"])
    assert finding.kind == kind
    assert finding.official_class == cls
    assert finding.support_year == (None if year is None else today.year - year)
    rows, _ = quality_table(officer, world.hue)
    b = next(r for r in rows if r["commune"] == world.commune_b.code)
    assert b["not_alive_or_resident"] == 1
    assert b["gone_listed"] == (1 if kind.endswith("_listed") else 0)


def test_status_that_ended_no_longer_counts(world, linked) -> None:  # type: ignore[no-untyped-def]
    """A household taken off the list before today is not "still" on it."""
    (_, _), (_, _), (duc, _) = members(world)
    officer = world.users[Role.PROVINCE_OFFICER]
    today = timezone.localdate()
    with transaction.atomic():
        official_status_set(
            actor=officer,
            household=world.hh_b,
            classification="poor",
            effective_on=today - dt.timedelta(days=400),
            source="test",
        )
        official_status_close(household=world.hh_b, on=today - dt.timedelta(days=10))
    run = _run(world)
    kinds = set(LinkFinding.objects.filter(run=run, member=duc).values_list("kind", flat=True))
    assert "deceased" in kinds and "deceased_listed" not in kinds


def test_standing_of_households(world) -> None:  # type: ignore[no-untyped-def]
    officer = world.users[Role.PROVINCE_OFFICER]
    today = timezone.localdate()
    with transaction.atomic():
        official_status_set(
            actor=officer, household=world.hh_a1, classification="near_poor", effective_on=today, source="t"
        )
        support_received_add(actor=None, household=world.hh_a2, kind="housing", year=today.year)
    got = svc.household_standing([world.hh_a1.pk, world.hh_a2.pk, world.hh_b.pk], on=today)
    assert got == {world.hh_a1.pk: ("near_poor", None), world.hh_a2.pk: ("", today.year)}
    # the day before the status began, household A1 was on no list
    assert world.hh_a1.pk not in svc.household_standing([world.hh_a1.pk], on=today - dt.timedelta(days=1))
