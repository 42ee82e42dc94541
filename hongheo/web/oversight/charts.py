"""Small server-rendered SVG charts (no JavaScript library): horizontal bars and grouped columns.

Every bar may carry a link (the list behind the figure). Labels are escaped; colours are SVG
presentation attributes, so the pages keep their strict Content-Security-Policy (no inline style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

COLOURS = {
    "poor": "#b3261e",
    "near_poor": "#e8a33d",
    "average": "#6fa8dc",
    "ok": "#3a7d44",
    "off": "#b3261e",
    "neutral": "#5b6b7b",
}


@dataclass
class Bar:
    label: str
    value: float | None
    href: str = ""
    colour: str = COLOURS["neutral"]
    text: str = ""  # what to print beside the bar (defaults to the value)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.2f}".replace(".", ",") + " %"
    return f"{round(value):,}".replace(",", ".")


def _link(inner: str, href: str, title: str) -> str:
    if not href:
        return f"<g><title>{escape(title)}</title>{inner}</g>"
    return f'<a href="{escape(href)}"><title>{escape(title)}</title>{inner}</a>'


def hbars(bars: Sequence[Bar], *, unit: str = "", title: str = "", width: int = 360) -> SafeString:
    """Horizontal bars, one per item, label above the bar (reads well at 390 px)."""
    if not bars:
        return mark_safe("")
    top = max((b.value or 0) for b in bars) or 1
    row_h, bar_h = 34, 14
    height = row_h * len(bars) + 6
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, b in enumerate(bars):
        y = i * row_h + 4
        w = 0 if b.value is None else max(1.0, (width - 90) * (b.value / top)) if b.value else 0
        text = b.text or _fmt(b.value, unit)
        inner = (
            f'<text x="0" y="{y + 10}" font-size="11" fill="#222">{escape(b.label[:60])}</text>'
            f'<rect x="0" y="{y + 14}" width="{w:.1f}" height="{bar_h}" rx="2" fill="{b.colour}"></rect>'
            f'<text x="{w + 4:.1f}" y="{y + 25}" font-size="11" fill="#222">{escape(text)}</text>'
        )
        parts.append(_link(inner, b.href, f"{b.label}: {text}"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass
class Series:
    name: str
    colour: str
    values: list[float | None]
    hrefs: list[str] | None = None


def columns(
    categories: Sequence[str], series: Sequence[Series], *, unit: str = "", title: str = "", width: int = 360
) -> SafeString:
    """Grouped columns (one group per category, e.g. a year), with a legend."""
    if not categories or not series:
        return mark_safe("")
    height, base, left = 190, 150, 8
    top = max((v or 0) for s in series for v in s.values) or 1
    group_w = (width - left) / len(categories)
    bar_w = max(6.0, (group_w - 10) / len(series))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#999"></line>',
    ]
    for gi, cat in enumerate(categories):
        x0 = left + gi * group_w
        for si, s in enumerate(series):
            value = s.values[gi]
            h = 0 if not value else max(1.0, (base - 20) * value / top)
            x = x0 + si * bar_w
            text = _fmt(value, unit)
            inner = (
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{s.colour}"></rect>'
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{base - h - 3:.1f}" font-size="9" '
                f'text-anchor="middle" fill="#222">{escape(text)}</text>'
            )
            href = s.hrefs[gi] if s.hrefs else ""
            parts.append(_link(inner, href, f"{s.name} {cat}: {text}"))
        parts.append(
            f'<text x="{x0 + group_w / 2 - 5:.1f}" y="{base + 14}" font-size="10" text-anchor="middle" '
            f'fill="#222">{escape(cat)}</text>'
        )
    for si, s in enumerate(series):
        x = left + si * 120
        parts.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{s.colour}"></rect>'
            f'<text x="{x + 14}" y="{height - 7}" font-size="10" fill="#222">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
