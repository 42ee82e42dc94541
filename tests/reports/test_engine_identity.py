"""The diễn biến identity (cuối kỳ = đầu kỳ − giảm + tăng) over random official histories, the class
at a date read from the history, and how a household entered its class (new, re-entered)."""

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

# A household's history: dated decisions, each giving a class ("" = it ceased to exist: the period
# closes), applied in date order like the services do.
household = st.fixed_dictionaries(
    {
        "events": st.lists(st.tuples(dates, st.sampled_from([*CLASSES, ""])), max_size=5),
        "row": st.sampled_from(["1", "2", "3"]),
    }
)


def periods_of(h):
    """The periods the services would write for ``h`` (class, valid_from, valid_to), mirroring
    ``official_status_set`` (same class: kept; later class: close and open; closing: end)."""
    out: list[list] = []
    for on, cls in sorted(h["events"], key=lambda e: e[0]):
        current = out[-1] if out and out[-1][2] is None else None
        if cls == "":
            if current is not None:
                current[2] = on
            continue
        if current is not None:
            if current[0] == cls:
                continue
            current[2] = on
        out.append([cls, on, None])
    return out


def naive_class(h, on):
    if h.get("closed_at") is not None and h["closed_at"] <= on:
        return "gone"
    for cls, start, end in periods_of(h):
        if start <= on and (end is None or end > on):
            return cls
    return "none"


def _frames(households, start, end):
    rows, ledger = [], []
    lid = 0
    for i, h in enumerate(households, start=1):
        rows.append((i, h["row"], naive_class(h, start), naive_class(h, end), 1))
        previous = ""
        for cls, on, _end in periods_of(h):
            lid += 1
            kind = {"poor": "newly_poor", "near_poor": "newly_near_poor"}.get(cls, "escaped_poverty")
            ledger.append((i, on, lid, previous, cls, kind))
            previous = cls
    changed = pl.DataFrame(
        rows,
        schema={
            "household_id": pl.Int64,
            "row": pl.String,
            "cls_start": pl.String,
            "cls_end": pl.String,
            "persons": pl.Int64,
        },
        orient="row",
    )
    return changed, pl.DataFrame(ledger, schema=engine.LEDGER_SCHEMA, orient="row")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(household, min_size=1, max_size=12), dates, dates)
def test_identity_over_random_histories(households, a, b):
    start, end = min(a, b), max(a, b)
    changed, ledger = _frames(households, start, end)
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


def test_entry_kinds():
    """new, re-entered (a poor period before the report period) and other (no ledger row)."""
    rows = [
        (1, "1", "none", "poor", 1),
        (2, "1", "average", "poor", 1),
        (3, "1", "none", "poor", 1),
    ]
    ledger = [
        (1, dt.date(2024, 3, 1), 1, "", "poor", "newly_poor"),
        (2, dt.date(2022, 3, 1), 2, "", "poor", "newly_poor"),
        (2, dt.date(2023, 3, 1), 3, "poor", "average", "escaped_poverty"),
        (2, dt.date(2024, 3, 1), 4, "", "near_poor", "newly_near_poor"),
        (2, dt.date(2024, 5, 1), 5, "near_poor", "poor", "near_poor_to_poor"),
    ]
    changed = pl.DataFrame(
        rows,
        schema={
            "household_id": pl.Int64,
            "row": pl.String,
            "cls_start": pl.String,
            "cls_end": pl.String,
            "persons": pl.Int64,
        },
        orient="row",
    )
    table = engine.measures(
        engine.changed_cube(
            changed,
            pl.DataFrame(ledger, schema=engine.LEDGER_SCHEMA, orient="row"),
            dt.date(2023, 12, 31),
            dt.date(2024, 12, 31),
            ["persons"],
        ),
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
    """Random histories written through the history's writers, with the ledger rows the decision
    service writes: the built tables keep the identity and agree with the periods."""
    from hongheo.reports import builders
    from hongheo.reviews.models import OfficialStatus, StatusChange
    from hongheo.reviews.status import (
        official_status_close,
        official_status_set,
        status_current,
        was_ever_poor,
    )
    from hongheo.reviews.workflow import change_kind
    from hongheo.users.models import Role

    from .conftest import add_household

    hs = data.draw(st.lists(household, min_size=1, max_size=8))
    start, end = sorted([data.draw(dates), data.draw(dates)])
    StatusChange.objects.filter(commune=world.commune_a).delete()
    OfficialStatus.objects.filter(household__commune=world.commune_a).delete()
    for w in (world.hh_a1, world.hh_a2):
        w.is_active = False
        w.save(update_fields=["is_active"])
    made = []
    for h in hs:
        obj = add_household(world.commune_a, world.village_a1)
        for on, cls in sorted(h["events"], key=lambda e: e[0]):
            current = status_current(obj)
            before = (
                current.classification if current and current.classification in ("poor", "near_poor") else ""
            )
            if cls == "":
                official_status_close(household=obj, on=on)
                continue
            kind = change_kind(before or None, cls, was_ever_poor=was_ever_poor(obj))
            if kind:
                StatusChange.objects.create(
                    household=obj,
                    commune=world.commune_a,
                    year=on.year,
                    from_class=before,
                    to_class=cls,
                    kind=kind,
                    effective_on=on,
                )
            official_status_set(actor=None, household=obj, classification=cls, effective_on=on, source="t")
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
        assert s == sum(naive_class(h, day0) == c for h in hs)
        assert e == sum(naive_class(h, end) == c for h in hs)
    for obj in made:
        StatusChange.objects.filter(household=obj).delete()
        OfficialStatus.objects.filter(household=obj).delete()
        obj.delete()
