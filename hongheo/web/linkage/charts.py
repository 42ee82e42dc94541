"""The data-quality trend as a server-rendered SVG line chart (no JavaScript; strict CSP kept: colours
are presentation attributes). Each point links to the run behind it and carries its figure as a
tooltip; the chart scales to its container (``svg.chart`` in app.css), so it fits 390 px."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

LINKED = "#1f6f8b"
VALID = "#3a7d44"


def _pct(value: float) -> str:
    return f"{number_format(value, 1)} %"


def trend_chart(trend: Sequence[dict[str, Any]], *, run_url: Any = None, width: int = 360) -> SafeString:
    """Lines of the linked share and the valid-ID share (0–100 %) over the snapshots of ``trend``
    (oldest first, as :func:`hongheo.linkage.quality.trend` gives them). ``run_url(run_id)`` makes
    each point a link to its run."""
    points = [t for t in trend if t.get("linked_pct") is not None or t.get("valid_ids_pct") is not None]
    if not points:
        return mark_safe("")
    series = (
        (_("% đã liên thông"), "linked_pct", LINKED),
        (_("Số định danh hợp lệ (%)"), "valid_ids_pct", VALID),
    )
    height, top, bottom, left, right = 200, 12, 150, 34, 12
    span = bottom - top
    n = len(points)
    step = (width - left - right) / max(n - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if n > 1 else (width - left - right) / 2)

    def y(v: float) -> float:
        return bottom - span * max(0.0, min(100.0, v)) / 100

    title = _("Diễn biến chất lượng dữ liệu")
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" data-testid="quality-trend-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for pct in (0, 50, 100):
        parts.append(
            f'<line x1="{left}" y1="{y(pct):.1f}" x2="{width - right}" y2="{y(pct):.1f}" '
            f'stroke="#ddd"></line>'
            f'<text x="{left - 4}" y="{y(pct) + 3:.1f}" font-size="9" text-anchor="end" fill="#444">'
            f"{pct} %</text>"
        )
    for name, key, colour in series:
        coords = [(x(i), y(p[key])) for i, p in enumerate(points) if p.get(key) is not None]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"></polyline>'
            )
        for i, p in enumerate(points):
            value = p.get(key)
            if value is None:
                continue
            label = f"{name} {p['at']:%d/%m/%Y %H:%M}: {_pct(value)}"
            dot = (
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(label)}</title></circle>"
            )
            href = run_url(p["run"]) if run_url and p.get("run") else ""
            parts.append(f'<a href="{escape(href)}">{dot}</a>' if href else dot)
    # dates under the axis: first, last and (when there is room) every other one
    every = max(1, n // 5)
    for i, p in enumerate(points):
        if i in (0, n - 1) or i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{bottom + 13}" font-size="9" text-anchor="middle" fill="#444">'
                f"{p['at']:%d/%m}</text>"
            )
    for si, (name, _key, colour) in enumerate(series):
        lx = left + si * 150
        parts.append(
            f'<rect x="{lx}" y="{height - 22}" width="10" height="10" fill="{colour}"></rect>'
            f'<text x="{lx + 14}" y="{height - 13}" font-size="10" fill="#222">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
