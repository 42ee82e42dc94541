"""The diễn biến identity (cuối kỳ = đầu kỳ − giảm + tăng) over random ledgers, and the vectorised
class-at-date against a plain per-household reading of the rule."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hongheo.reports import engine

CLASSES = ["poor", "near_poor", "average", "not_poor"]
DAY0 = dt.date(2023, 1, 1)
dates = st.integers(min_value=0, max_value=3 * 365).map(lambda d: DAY0 + dt.timedelta(days=d))

household = st.fixed_dictionaries(
    {
        "status_class": st.sampled_from([*CLASSES, None]),
        "status_since": st.one_of(st.none(), dates),
        "is_active": st.booleans(),
        "closed_at": st.one_of(st.none(), dates),
        "changes": st.lists(
            st.tuples(
                dates,
                st.sampled_from([*CLASSES, ""]),
                st.sampled_from(CLASSES),
                st.sampled_from(
                    [
                        "newly_poor",
                        "re_entered_poverty",
                        "near_poor_to_poor",
                        "newly_near_poor",
                        "escaped_poverty",
                        "poor_to_near_poor",
                    ]
                ),
            ),
            max_size=4,
        ),
        "row": st.sampled_from(["1", "2", "3"]),
    }
)


def _frames(households):
    rows, ledger = [], []
    lid = 0
    for i, h in enumerate(households, start=1):
        rows.append((i, h["row"], h["is_active"], h["closed_at"], h["status_class"], h["status_since"], 1))
        for on, frm, to, kind in h["changes"]:
            lid += 1
            ledger.append((i, on, lid, frm, to, kind))
    changed = pl.DataFrame(
        rows,
        schema={
            "household_id": pl.Int64,
            "row": pl.String,
            "is_active": pl.Boolean,
            "closed_at": pl.Date,
            "status_class": pl.String,
            "status_since": pl.Date,
            "persons": pl.Int64,
        },
        orient="row",
    )
    return changed, pl.DataFrame(ledger, schema=engine.LEDGER_SCHEMA, orient="row")


def naive_class(h, on):
    active = h["is_active"] if h["closed_at"] is None else h["closed_at"] > on
    if not active:
        return "gone"
    ordered = sorted(((c[0], i, c) for i, c in enumerate(h["changes"])), key=lambda x: (x[0], x[1]))
    before = [c for d, _i, c in ordered if d <= on]
    if before:
        return before[-1][2] or "none"
    after = [c for d, _i, c in ordered if d > on]
    if after:
        return after[0][1] or "none"
    if h["status_since"] is not None and h["status_since"] <= on and h["status_class"]:
        return h["status_class"]
    return "none"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(household, min_size=1, max_size=12), dates, dates)
def test_identity_and_class_rule(households, a, b):
    start, end = min(a, b), max(a, b)
    changed, ledger = _frames(households)
    for on in (start, end):
        got = engine.class_on(changed, ledger, on).to_list()
        assert got == [naive_class(h, on) for h in households]
    cube = engine.changed_cube(changed, ledger, start, end, ["persons"])
    table = engine.measures(cube, ["persons"], ["1", "2", "3"])
    assert engine.transition_identity_holds(table)
    total = table.filter(pl.col("row") == engine.TOTAL_ROW).row(0, named=True)
    for c in engine.LISTED:
        assert total[f"tr:{c}:start"] == sum(naive_class(h, start) == c for h in households)
        assert total[f"tr:{c}:end"] == sum(naive_class(h, end) == c for h in households)
        assert (
            total[f"tr:{c}:end"]
            == total[f"tr:{c}:start"] - total[f"tr:{c}:dec_total"] + total[f"tr:{c}:inc_total"]
        )
    assert total["households"] == sum(naive_class(h, end) != "gone" for h in households)


def test_entry_kinds():
    hh = [
        {
            "status_class": None,
            "status_since": None,
            "is_active": True,
            "closed_at": None,
            "row": "1",
            "changes": [(dt.date(2024, 3, 1), "", "poor", "newly_poor")],
        },
        {
            "status_class": None,
            "status_since": None,
            "is_active": True,
            "closed_at": None,
            "row": "1",
            "changes": [
                (dt.date(2022, 3, 1), "", "poor", "newly_poor"),
                (dt.date(2023, 3, 1), "poor", "average", "escaped_poverty"),
                (dt.date(2024, 3, 1), "", "near_poor", "newly_near_poor"),
                (dt.date(2024, 5, 1), "near_poor", "poor", "near_poor_to_poor"),
            ],
        },
        {
            "status_class": "poor",
            "status_since": dt.date(2024, 2, 1),
            "is_active": True,
            "closed_at": None,
            "row": "1",
            "changes": [],
        },
    ]
    changed, ledger = _frames(hh)
    table = engine.measures(
        engine.changed_cube(changed, ledger, dt.date(2023, 12, 31), dt.date(2024, 12, 31), ["persons"]),
        ["persons"],
    )
    total = table.filter(pl.col("row") == engine.TOTAL_ROW).row(0, named=True)
    assert (total["tr:poor:inc:new"], total["tr:poor:inc:re_entered"], total["tr:poor:inc:other"]) == (
        1,
        1,
        1,
    )


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_identity_through_the_database(world, data):
    """Random baselines and ledgers written to the database: the built tables keep the identity
    and agree with the per-household rule."""
    from hongheo.reports import builders
    from hongheo.reviews.models import HouseholdStatus, StatusChange
    from hongheo.users.models import Role

    from .conftest import add_household

    hs = data.draw(st.lists(household, min_size=1, max_size=8))
    start, end = sorted([data.draw(dates), data.draw(dates)])
    StatusChange.objects.filter(commune=world.commune_a).delete()
    HouseholdStatus.objects.filter(household__commune=world.commune_a).delete()
    world.hh_a1.is_active = world.hh_a2.is_active = False
    for w in (world.hh_a1, world.hh_a2):
        w.is_active = False
        w.save(update_fields=["is_active"])
    made = []
    for h in hs:
        obj = add_household(
            world.commune_a, world.village_a1, is_active=h["is_active"], closed_at=h["closed_at"]
        )
        if h["status_class"] and h["status_since"]:
            HouseholdStatus.objects.create(
                household=obj, classification=h["status_class"], since=h["status_since"]
            )
        for on, frm, to, kind in h["changes"]:
            StatusChange.objects.create(
                household=obj,
                commune=world.commune_a,
                year=on.year,
                from_class=frm,
                to_class=to,
                kind=kind,
                effective_on=on,
            )
        made.append(obj)
    officer = world.users[Role.COMMUNE_OFFICER]
    tables = {t.layout.code: t for t in builders.report_tables(officer, world.commune_a, start, end)}
    day0 = start - dt.timedelta(days=1)
    for code, c in (("dien_bien_ngheo", "poor"), ("dien_bien_can_ngheo", "near_poor")):
        t = tables[code]
        s, e = t.value(engine.TOTAL_ROW, f"tr:{c}:start"), t.value(engine.TOTAL_ROW, f"tr:{c}:end")
        assert e == s - t.value(engine.TOTAL_ROW, f"tr:{c}:dec_total") + t.value(
            engine.TOTAL_ROW, f"tr:{c}:inc_total"
        )
        norm = [dict(h, status_class=h["status_class"] if h["status_since"] else None) for h in hs]
        assert s == sum(naive_class(h, day0) == c for h in norm)
        assert e == sum(naive_class(h, end) == c for h in norm)
    for obj in made:
        StatusChange.objects.filter(household=obj).delete()
        HouseholdStatus.objects.filter(household=obj).delete()
        obj.delete()
