"""Fixtures shared by the review tests."""

from __future__ import annotations

import pytest

from hongheo.users.models import Role


@pytest.fixture
def people(world):
    """The users of commune A who take the review's steps, by what they do."""
    u = world.users
    return {
        "officer": u[Role.COMMUNE_OFFICER],
        "chairman": u[Role.COMMUNE_CHAIRMAN],
        "surveyor": u[Role.SURVEYOR],
        "village_head": u[Role.VILLAGE_HEAD],
        "province": u[Role.PROVINCE_OFFICER],
    }
