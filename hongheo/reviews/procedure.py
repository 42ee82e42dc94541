"""Procedure settings (durations, windows, reporting calendar) as data with provenance.

The numbers live in ``data/procedure.json``; where the legal text is unclear (posting days,
calendar vs working days, re-check deadline) the file says so, and a province can override a
value in the environment-free settings table later without a code change.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def procedure() -> dict[str, Any]:
    return json.loads(resources.files("hongheo.reviews").joinpath("data/procedure.json").read_text("utf-8"))


def setting(name: str) -> dict[str, Any]:
    return procedure()["settings"][name]


def value(name: str) -> Any:
    return setting(name)["value"]


def add_days(start: dt.date, days: int, unit: str) -> dt.date:
    """``start`` plus ``days`` calendar or working days (Monday–Friday; public holidays are not
    modelled yet). Day 1 is ``start`` itself for working days counted inclusively."""
    if unit == "calendar_days":
        return start + dt.timedelta(days=days)
    current = start
    counted = 0
    while True:
        if current.weekday() < 5:
            counted += 1
            if counted == days:
                return current
        current += dt.timedelta(days=1)


def yearly_window(year: int) -> tuple[dt.date, dt.date]:
    window = value("yearly_window")
    start_m, start_d = (int(x) for x in window["start"].split("-"))
    end_m, end_d = (int(x) for x in window["end"].split("-"))
    return dt.date(year, start_m, start_d), dt.date(year, end_m, end_d)


def monthly_window(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, int(value("monthly_review_start_day")))
    spec = setting("monthly_decision_days")
    return start, add_days(start, int(spec["value"]), spec.get("unit", "calendar_days"))


def posting_end(posted_from: dt.date) -> dt.date:
    spec = setting("posting_days")
    return add_days(posted_from, int(spec["value"]), spec.get("unit", "working_days"))
