"""A small Huế for the oversight tests: two communes with households whose official status (and
its change ledger) is written with the report tests' helpers, so these tests follow the record
model wherever it goes."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports.conftest import add_change, add_household, set_status

D = dt.date


@pytest.fixture
def huế(world):
    return build_hue(world)


def build_hue(world):
    """Commune A (rural): 20 households, 6 poor at the end of last year, 4 poor now (one escaped,
    one moved to near-poor), 1 poor merit household; commune B (urban ward): 10 households, 1 poor
    household that can work. GPS on every household."""
    ca, cb = world.commune_a, world.commune_b
    ca.setting, cb.setting = "rural", "urban"
    ca.save(update_fields=["setting"])
    cb.save(update_fields=["setting"])
    year = dt.date.today().year
    last = D(year - 1, 6, 1)
    change_day = D(year, 1, 15) if dt.date.today() >= D(year, 1, 16) else dt.date.today()
    hh = []
    for i in range(20):
        h = add_household(
            ca,
            world.village_a1,
            latitude=16.40 + i * 0.001,
            longitude=107.50 + i * 0.001,
            merit=(i == 0),
            ethnic_minority=(i < 8),
        )
        hh.append(h)
        if i < 6:
            set_status(h, "poor", last, ever_poor=True)
        elif i < 9:
            set_status(h, "near_poor", last)
    add_change(hh[5], "poor", "average", change_day)  # escaped
    add_change(hh[4], "poor", "near_poor", change_day)
    for i in range(10):
        h = add_household(cb, None, latitude=16.46 + i * 0.001, longitude=107.60 + i * 0.001)
        if i == 0:
            set_status(h, "poor", last, ever_poor=True)
    return {"a": ca, "b": cb, "households": hh}
