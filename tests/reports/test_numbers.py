"""Exact numbers on small hand-made data: statuses and ledger rows at dates, groups, causes, needs,
deprived indicators, agricultural average-living households; scope by role."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import NotFound
from hongheo.reports import builders, engine
from hongheo.users.models import Role

from .conftest import add_change, add_household, set_deprived, set_status

D = dt.date
START, END = D(2024, 1, 1), D(2024, 12, 31)
TOTAL = engine.TOTAL_ROW


@pytest.fixture
def scene(world):
    a1, a2 = world.village_a1, world.village_a2
    ca, cb, cc = world.commune_a, world.commune_b, world.commune_c
    h = {}
    h[1] = add_household(ca, a1)
    set_status(h[1], "poor", D(2023, 1, 1), ever_poor=True)
    add_change(h[1], "poor", "near_poor", D(2024, 6, 15))
    h[2] = add_household(
        ca,
        a1,
        size=5,
        ethnic_minority=True,
        merit=True,
        poverty_causes=["lack_land", "lack_capital"],
        support_needs=["credit"],
    )
    set_status(h[2], "poor", D(2023, 1, 1), ever_poor=True)
    h[3] = add_household(ca, a1, income_sources=["crops", "wages"])
    set_status(h[3], "near_poor", D(2022, 1, 1))
    add_change(h[3], "near_poor", "average", D(2024, 3, 1))
    h[4] = add_household(ca, a2, no_working_capacity=True)
    add_change(h[4], "", "poor", D(2024, 9, 1))
    h[5] = add_household(ca, a2)
    set_status(h[5], "not_poor", D(2020, 1, 1), ever_poor=True)
    add_change(h[5], "", "poor", D(2024, 10, 1), kind="re_entered_poverty")
    h[6] = add_household(ca, a2)
    set_status(h[6], "poor", D(2024, 5, 1))
    h[7] = add_household(ca, a2, is_active=False, closed_at=D(2024, 7, 1))
    set_status(h[7], "poor", D(2023, 1, 1))
    h[8] = add_household(ca, a2, income_sources=["wages"])
    set_status(h[8], "poor", D(2023, 1, 1), ever_poor=True)
    add_change(h[8], "poor", "average", D(2024, 11, 1))
    add_change(h[8], "average", "poor", D(2025, 2, 1))
    h[9] = add_household(ca, a2)
    add_change(h[9], "near_poor", "poor", D(2025, 3, 1))
    h[10] = add_household(cb)
    set_status(h[10], "poor", D(2023, 1, 1))
    h[11] = add_household(cc)
    set_status(h[11], "poor", D(2023, 1, 1))
    set_deprived({h[2]: ["water", "sanitation", "telecom"], h[1]: ["water"], h[10]: ["water"]}, world.hue)
    return h


def _tables(user, area, start=START, end=END):
    return {t.layout.code: t for t in builders.report_tables(user, area, start, end)}


def test_commune_tables_exact(world, scene):
    officer = world.users[Role.COMMUNE_OFFICER]
    t = _tables(officer, world.commune_a)
    kq = t["ket_qua"]
    assert [r.name for r in kq.rows] == ["Thôn 1", "Thôn 2", "Tổng cộng"]
    a1, a2 = str(world.village_a1.pk), str(world.village_a2.pk)
    assert kq.value(TOTAL, "households") == 10
    assert kq.value(TOTAL, "cls:poor") == 4
    assert kq.value(TOTAL, "cls:near_poor") == 2
    assert kq.value(TOTAL, "cls:average") == 2
    assert kq.value(TOTAL, "rate:poor") == pytest.approx(40.0)
    assert kq.value(TOTAL, "rate:near_poor") == pytest.approx(20.0)
    assert kq.value(TOTAL, "persons:poor") == 5 + 3 + 3 + 3
    assert kq.value(TOTAL, "agri:average") == 1
    assert (kq.value(a1, "households"), kq.value(a1, "cls:poor"), kq.value(a1, "cls:near_poor")) == (4, 1, 1)
    assert (kq.value(a2, "households"), kq.value(a2, "cls:poor"), kq.value(a2, "cls:average")) == (6, 3, 1)
    assert kq.value(a2, "rate:poor") == pytest.approx(50.0)

    dn = t["dien_bien_ngheo"]
    got = {c.measure: dn.value(TOTAL, c.measure) for c in dn.columns}
    assert got["tr:poor:start"] == 4
    assert got["tr:poor:dec:to_near_poor"] == 1
    assert got["tr:poor:dec:above_line"] == 1
    assert got["tr:poor:dec:other"] == 1
    assert got["tr:poor:dec_total"] == 3
    assert got["tr:poor:inc:from_near_poor"] == 0
    assert got["tr:poor:inc:re_entered"] == 1
    assert got["tr:poor:inc:new"] == 1
    assert got["tr:poor:inc:other"] == 1
    assert got["tr:poor:inc_total"] == 3
    assert got["tr:poor:end"] == 4

    dc = t["dien_bien_can_ngheo"]
    got = {c.measure: dc.value(TOTAL, c.measure) for c in dc.columns}
    assert (got["tr:near_poor:start"], got["tr:near_poor:end"]) == (2, 2)
    assert got["tr:near_poor:dec:above_line"] == 1
    assert got["tr:near_poor:inc:from_poor"] == 1

    g = t["nhom_doi_tuong"]
    assert g.value(TOTAL, "group:ethnic_minority:poor") == 1
    assert g.value(TOTAL, "group:merit:poor") == 1
    assert g.value(TOTAL, "group:no_working_capacity:poor") == 1
    assert g.value(TOTAL, "group:social_protection:poor") == 0
    assert g.value(TOTAL, "group:other:poor") == 2
    assert g.value(TOTAL, "group:other:near_poor") == 2

    c = t["nguyen_nhan"]
    assert c.value(TOTAL, "cause:lack_land:poor") == 1
    assert c.value(TOTAL, "cause:lack_capital:poor") == 1
    assert c.value(TOTAL, "cause:lack_labour:poor") == 0
    assert t["nhu_cau"].value(TOTAL, "need:credit:poor") == 1

    ind = t["thieu_hut_ngheo"]
    assert [ind.value(TOTAL, f"ind:{k}:poor") for k in ("water", "sanitation", "telecom", "nutrition")] == [
        1,
        1,
        1,
        0,
    ]
    assert t["thieu_hut_can_ngheo"].value(TOTAL, "ind:water:near_poor") == 1

    nl = t["nlnd_trung_binh"]
    assert nl.value(TOTAL, "agri:average") == 1
    assert nl.value(TOTAL, "rate:agri_average") == pytest.approx(10.0)


def test_status_at_other_dates(world, scene):
    officer = world.users[Role.COMMUNE_OFFICER]
    # 1 June 2024: H1, H2, H6 (since 1/5), H7, H8 poor; H9 near-poor (from the later ledger row)
    kq = _tables(officer, world.commune_a, D(2024, 6, 1), D(2024, 6, 1))["ket_qua"]
    assert kq.value(TOTAL, "cls:poor") == 5
    assert kq.value(TOTAL, "cls:near_poor") == 1
    assert kq.value(TOTAL, "households") == 11
    # after every ledger row: H8 back to poor, H9 poor
    kq = _tables(officer, world.commune_a, D(2025, 1, 1), D(2025, 12, 31))["ket_qua"]
    assert kq.value(TOTAL, "cls:poor") == 6


def test_commune_officer_never_sees_other_communes(world, scene):
    officer = world.users[Role.COMMUNE_OFFICER]
    with pytest.raises(NotFound):
        builders.report_area(officer, world.hue.code)
    with pytest.raises(NotFound):
        builders.report_area(officer, world.commune_b.code)
    area = builders.report_area(officer, None)
    assert area == world.commune_a
    kq = _tables(officer, area)["ket_qua"]
    assert kq.value(TOTAL, "cls:poor") == 4  # commune_b's and Hà Nội's poor households are not counted


def test_province_rows_per_commune(world, scene):
    officer = world.users[Role.PROVINCE_OFFICER]
    area = builders.report_area(officer, None)
    assert area == world.hue
    kq = _tables(officer, area)["ket_qua"]
    keys = [r.key for r in kq.rows]
    assert str(world.commune_a.pk) in keys and str(world.commune_b.pk) in keys
    assert len(keys) > 30  # every commune of the province has its row, even with no household
    assert kq.value(str(world.commune_a.pk), "cls:poor") == 4
    assert kq.value(str(world.commune_b.pk), "cls:poor") == 1
    assert kq.value(TOTAL, "cls:poor") == 5
    assert str(world.commune_c.pk) not in keys
    with pytest.raises(NotFound):
        builders.report_area(officer, world.hanoi.code)


def test_central_rows_per_province(world, scene):
    analyst = world.users[Role.CENTRAL_ANALYST]
    kq = _tables(analyst, builders.report_area(analyst, None))["ket_qua"]
    assert len(kq.rows) == 34 + 1
    assert kq.value(str(world.hue.pk), "cls:poor") == 5
    assert kq.value(str(world.hanoi.pk), "cls:poor") == 1
    assert kq.value(TOTAL, "cls:poor") == 6
    assert kq.value(TOTAL, "households") == 2 + 8 + 2 + 2  # world households + scene (H7 closed)


def test_rows_and_lists_in_natural_vietnamese_order(world):
    """Villages (report rows, Excel rows, the household list) come in natural Vietnamese order:
    "Tổ dân phố 2" before "Tổ dân phố 10", "Thôn Dương" before "Thôn Đan" — not in code or byte order."""
    from hongheo.geography.services import village_create

    commune = world.commune_b
    names = ["Tổ dân phố 10", "Thôn Đan", "Tổ dân phố 2", "Thôn Dương", "Tổ dân phố 1"]
    for name in names:
        village = village_create(actor=None, commune=commune, name=name)
        set_status(add_household(commune, village, head_name=f"Hộ {name}"), "poor", D(2023, 1, 1))
    expected = ["Thôn Dương", "Thôn Đan", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 10"]
    assert [name for _, name in builders.row_areas(commune)] == expected
    user = world.users[Role.PROVINCE_OFFICER]
    tables = builders.report_tables(user, commune, START, END, ["ket_qua"])
    body = [row.name for row in tables[0].rows if not row.is_total and row.key != ""]
    assert body == expected
    listed = builders.household_list(user, commune, END, "poor")
    assert [line.village for line in listed] == expected
