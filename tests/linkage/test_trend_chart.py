"""The quality trend chart: an inline SVG built on the server, one point per run linking to it,
values escaped and clamped, nothing without data; shown beside the table on the dashboard."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import translation

from hongheo.users.models import Role
from hongheo.web.linkage.charts import trend_chart


def _points() -> list[dict]:  # type: ignore[type-arg]
    at = dt.datetime(2026, 11, 1, 8, 0)
    return [
        {"at": at, "run": 1, "linked_pct": 40.0, "valid_ids_pct": 90.0},
        {"at": at + dt.timedelta(days=7), "run": 2, "linked_pct": 75.5, "valid_ids_pct": None},
        {"at": at + dt.timedelta(days=14), "run": 3, "linked_pct": 130.0, "valid_ids_pct": 95.0},
    ]


def test_points_lines_links_and_legend() -> None:
    svg = str(trend_chart(_points(), run_url=lambda pk: f"/lan-ghep/{pk}/"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 5  # 3 linked + 2 valid (one missing)
    assert svg.count("<polyline") == 2
    assert 'href="/lan-ghep/3/"' in svg and "75,5 %" in svg
    # 130 % is drawn at the top of the axis (y of 100 %), not outside the chart
    assert 'cy="12.0"' in svg
    assert "01/11" in svg and "15/11" in svg


def test_english_labels_and_empty() -> None:
    with translation.override("en"):
        svg = str(trend_chart(_points()))
    assert "% linked" in svg and "Valid ID numbers (%)" in svg and "Data quality trend" in svg
    assert "<a " not in svg  # no run_url: points are not links
    assert str(trend_chart([])) == ""
    assert (
        str(trend_chart([{"at": dt.datetime(2026, 1, 1), "linked_pct": None, "valid_ids_pct": None}])) == ""
    )


def test_dashboard_shows_the_chart(world, linked) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users[Role.PROVINCE_OFFICER])
    page = c.get(reverse("web:linkage_quality") + f"?dia_ban={world.hue.code}").content.decode()
    assert 'data-testid="quality-trend-chart"' in page
    _, run = linked
    assert f'href="{reverse("web:linkage_run", args=[run.pk])}"' in page
