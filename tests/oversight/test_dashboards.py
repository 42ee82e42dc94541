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


def test_every_level_sees_its_dashboard_and_figures_link_to_lists(client, world, huế):
    login(client, world, Role.PROVINCE_OFFICER)
    page = client.get(reverse("web:oversight_dashboard") + f"?dia_ban={world.hue.code}").content.decode()
    assert "<svg" in page and 'data-testid="kpi-poor"' in page
    assert f"xa={huế['a'].code}&amp;loai=poor" in page  # the commune's poor list
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    page = client.get(reverse("web:oversight_dashboard")).content.decode()
    assert huế["a"].name in page
    village_list = f"thon={world.village_a1.code}&amp;loai=poor"
    assert village_list in page  # a commune's rows are villages, each opening its own list
    listed = client.get(
        reverse("web:household_list") + "?" + village_list.replace("&amp;", "&") + f"&xa={huế['a'].code}"
    )
    assert "4 hộ" in listed.content.decode()
    # a commune officer cannot open the province or another commune
    other = client.get(reverse("web:oversight_dashboard") + f"?dia_ban={huế['b'].code}")
    assert other.status_code == 404


def test_the_list_behind_a_figure_is_the_same_households(client, world, huế):
    login(client, world, Role.PROVINCE_OFFICER)
    url = reverse("web:household_list") + f"?dia_ban={world.hue.code}&xa={huế['a'].code}&loai=poor"
    page = client.get(url).content.decode()
    assert "4 hộ" in page and 'data-testid="list-filter"' in page
    page = client.get(url + "&nhom=merit").content.decode()
    assert "1 hộ" in page
    last_year = f"&ngay={TODAY.year - 1}-12-31"
    assert "6 hộ" in client.get(url + last_year).content.decode()
    assert client.get(url.replace("loai=poor", "loai=rich")).status_code == 422


def test_map_data_is_points_and_extents_within_access(client, world, huế):
    login(client, world, Role.PROVINCE_OFFICER)
    data = client.get(reverse("web:oversight_map_data") + f"?dia_ban={world.hue.code}").json()
    a = next(c for c in data["communes"] if c["code"] == huế["a"].code)
    assert a["located"] == 20 and a["bbox"][0] == pytest.approx(16.40)
    assert a["rate"] == pytest.approx(4 * 100 / 22)
    clusters = client.get(reverse("web:oversight_map_data") + f"?dia_ban={world.hue.code}&lop=ho&z=8").json()[
        "clusters"
    ]
    assert sum(c["n"] for c in clusters) == 30
    assert sum(c["by"].get("poor", 0) for c in clusters) == 5
    points = client.get(reverse("web:oversight_map_data") + f"?dia_ban={world.hue.code}&lop=ho&z=17").json()
    assert len(points["points"]) == 30 and "name" not in points["points"][0]
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    only_a = client.get(reverse("web:oversight_map_data") + "?lop=ho&z=17").json()["points"]
    assert len(only_a) == 20
    assert client.get(reverse("web:oversight_map") + f"?dia_ban={world.hue.code}").status_code == 404


def test_exported_aggregates_suppress_small_cells_and_are_audited(client, world, huế, settings):
    settings.OVERSIGHT_SMALL_CELL = 5
    login(client, world, Role.PROVINCE_OFFICER)
    body = client.get(reverse("web:oversight_export") + f"?dia_ban={world.hue.code}").content.decode(
        "utf-8-sig"
    )
    line_a = next(line for line in body.splitlines() if line.startswith(huế["a"].code))
    line_b = next(line for line in body.splitlines() if line.startswith(huế["b"].code))
    assert line_a.split(",")[3:5] == ["<5", ""]  # 4 poor households: suppressed with their rate
    assert line_b.split(",")[2] == "11"  # households: not small
    assert AuditEvent.objects.filter(action="oversight.dashboard_export", kind="export").exists()


def test_targets_are_set_by_the_level_that_owns_them(world, huế):
    commune_officer = world.users[Role.COMMUNE_OFFICER]
    with pytest.raises(PermissionDenied):
        services.target_create(
            actor=commune_officer,
            area=world.hue,
            year_from=2025,
            year_to=2025,
            metric="rate",
            op="below",
            value=1,
            title="x",
        )
    with pytest.raises(ValidationError):
        services.target_create(
            actor=world.users[Role.PROVINCE_OFFICER],
            area=world.hue,
            year_from=2025,
            year_to=2025,
            metric="rate",
            op="below",
            value="abc",
            title="x",
        )
    assert not Target.objects.exists()
    # a commune target overrides the province's of the same kind for that commune only
    services.target_create(
        actor=world.users[Role.PROVINCE_OFFICER],
        area=world.hue,
        year_from=TODAY.year,
        year_to=TODAY.year,
        metric="rate",
        op="below",
        value=16,
        title="tỉnh",
    )
    services.target_create(
        actor=commune_officer,
        area=huế["a"],
        year_from=TODAY.year,
        year_to=TODAY.year,
        metric="rate",
        op="below",
        value=25,
        title="xã",
    )
    assert [s.title for s in selectors.targets_for(huế["a"], TODAY.year)] == ["xã"]
    assert [s.title for s in selectors.targets_for(huế["b"], TODAY.year)] == ["tỉnh"]


def test_rollup_command_precomputes_the_dashboards(world, huế):
    from django.core.management import call_command

    call_command("oversight_rollup", "--user", "province_officer", "--area", world.hue.code)
    assert Rollup.objects.filter(area=world.hue).count() == 4
    assert Rollup.objects.filter(area=huế["a"], on=TODAY).get().figures["rows"]


def test_indicator_cause_and_need_figures_open_the_same_households(client, world, huế):
    from tests.reports.conftest import set_deprived

    hh = huế["households"]
    set_deprived({hh[0]: ["water"], hh[1]: ["water", "sanitation"], hh[7]: ["water"]}, world.hue)
    hh[0].poverty_causes = ["lack_land"]
    hh[0].support_needs = ["credit"]
    hh[0].save(update_fields=["poverty_causes", "support_needs"])
    officer = login(client, world, Role.PROVINCE_OFFICER)
    now = figures.compute(officer, world.hue, TODAY)
    water = next(i for i in now["breakdowns"]["indicators"] if i["code"] == "water")
    assert water["poor"] == 2  # hh[7] is not poor
    page = client.get(reverse("web:oversight_dashboard") + f"?dia_ban={world.hue.code}").content.decode()
    assert "chi_so=water" in page and "nguyen_nhan=lack_land" in page
    base = reverse("web:household_list") + f"?dia_ban={world.hue.code}&loai=poor"
    assert "2 hộ" in client.get(base + "&chi_so=water").content.decode()
    assert "1 hộ" in client.get(base + "&nguyen_nhan=lack_land").content.decode()
    assert "1 hộ" in client.get(base + "&nhu_cau=credit").content.decode()
    assert client.get(base + "&chi_so=wa'ter").status_code == 422
