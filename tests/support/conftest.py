from __future__ import annotations

import datetime as dt

import pytest

from hongheo.users.models import Role

ROLES = [r.value for r in Role]


@pytest.fixture
def listed(world):
    """hh_a1 poor (Thôn 1), hh_a2 near-poor (Thôn 2), hh_b poor in another commune; needs and causes."""
    from hongheo.registry.services import household_update_groups_causes_needs
    from hongheo.reviews.services import status_baseline_set

    for hh, cls, needs, causes in [
        (world.hh_a1, "poor", ["health", "credit"], ["lack_capital"]),
        (world.hh_a2, "near_poor", ["housing"], ["illness_accident"]),
        (world.hh_b, "poor", ["health"], []),
    ]:
        status_baseline_set(
            actor=None, household=hh, classification=cls, since=dt.date(2025, 12, 20), source="x"
        )
        household_update_groups_causes_needs(
            actor=None, household=hh, support_needs=needs, poverty_causes=causes
        )
        hh.refresh_from_db()
    return world


@pytest.fixture
def users(world):
    return {str(role): user for role, user in world.users.items()}


@pytest.fixture
def womens_union(listed):
    from hongheo.support.services import organisation_create

    return organisation_create(
        actor=None,
        commune=listed.commune_a,
        name="Hội Liên hiệp Phụ nữ xã",
        kind="womens_union",
        contact="0905",
    )
