"""Dashboards, targets, the list behind a figure, the map data and small-cell suppression."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.oversight import figures, selectors, services
from hongheo.oversight.models import Rollup, Target
from hongheo.users.models import Role

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def login(client, world, role):
    client.force_login(world.users[role])
    return world.users[role]


def test_figures_come_from_the_ledger_at_both_dates(world, huế):
    officer = world.users[Role.PROVINCE_OFFICER]
    now = figures.compute(officer, world.hue, TODAY)
    base = figures.compute(officer, world.hue, dt.date(TODAY.year - 1, 12, 31))
    a = next(r for r in now["rows"] if r["code"] == huế["a"].code)
    a0 = next(r for r in base["rows"] if r["code"] == huế["a"].code)
    assert (a0["poor"], a["poor"], a["near_poor"]) == (6, 4, 4)
    assert a["poor_escaped"] == 1 and a["poor_to_near_poor"] == 1 and a["poor_start"] == 6
    assert a["groups"]["merit"] == {"households": 1, "poor": 1, "near_poor": 0}
    assert a["groups"]["ethnic_minority"]["households"] == 8 and a["setting"] == "rural"
    total = figures.totals(now["rows"])
    assert (total["households"], total["poor"]) == (33, 5)  # the world's 3 in Huế + 20 + 10


def test_province_sets_a_target_and_sees_off_track_communes_first(client, world, huế):
    officer = login(client, world, Role.PROVINCE_OFFICER)
    response = client.post(
        reverse("web:oversight_targets") + f"?dia_ban={world.hue.code}",
        {
            "title": "Tỷ lệ hộ nghèo dưới 16 %",
            "metric": "rate",
            "op": "below",
            "value": "16",
            "klass": "poor",
            "scope": "whole",
            "year_from": TODAY.year,
            "year_to": TODAY.year,
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(area=world.hue)
    assert AuditEvent.objects.filter(action="oversight.target_create", object_id=str(target.pk)).exists()
    page = client.get(reverse("web:oversight_dashboard") + f"?dia_ban={world.hue.code}").content.decode()
    assert "Tỷ lệ hộ nghèo dưới 16 %" in page
    now = figures.cached(officer, world.hue, TODAY)
    base = figures.cached(officer, world.hue, dt.date(TODAY.year - 1, 12, 31))
    [tp] = selectors.target_progress(world.hue, now, base, TODAY.year)
    assert tp.whole.status == "met"  # 5 / 33 = 15.2 %
    assert [p.unit_code for p in tp.off_track_communes] == [huế["a"].code]  # 4 / 22 = 18.2 %
    assert {p.unit_code: p.status for p in tp.communes}[huế["b"].code] == "met"  # 1 / 11
    assert Rollup.objects.filter(area=world.hue, on=TODAY).exists()
