"""Template helpers of the oversight pages (figures, target texts, links to the lists behind)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _

from hongheo.geography.models import Area
from hongheo.oversight.models import Target
from hongheo.oversight.progress import TargetSpec

register = template.Library()

OPS = dict(Target.Op.choices)
METRICS = dict(Target.Metric.choices)
KLASSES = dict(Target.Klass.choices)
AREA_TYPES = dict(Target.AreaType.choices)
GROUPS = dict(Target.Group.choices)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if isinstance(mapping, dict) else ""


@register.filter
def pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",") + " %"


@register.filter
def metric(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return str(round(value))
    text = f"{value:.2f}".replace(".", ",")
    return text + (" " + _("điểm %") if kind == "reduction" else " %")


def _num(value: float) -> str:
    return (f"{value:g}").replace(".", ",")


@register.filter
def spec_text(spec: TargetSpec) -> str:
    """A target as one Vietnamese sentence-like line."""
    parts = [str(METRICS.get(spec.metric, spec.metric)), str(KLASSES.get(spec.klass, spec.klass))]
    if spec.group:
        parts.append(str(GROUPS.get(spec.group, spec.group)))
    if spec.area_type:
        parts.append(str(AREA_TYPES.get(spec.area_type, spec.area_type)))
    if spec.except_group:
        parts.append(_("trừ %(group)s") % {"group": GROUPS.get(spec.except_group, spec.except_group)})
    value = _num(spec.value) + (f"–{_num(spec.value_high)}" if spec.value_high is not None else "")
    parts.append(f"{OPS.get(spec.op, spec.op)} {value}")
    if spec.scope == "each_commune":
        parts.append(
            _("từng xã")
            + (
                " " + _("có tỷ lệ đầu năm > %(rate)s %%") % {"rate": _num(spec.min_base_rate)}
                if spec.min_base_rate
                else ""
            )
        )
    years = str(spec.year_to) if spec.year_from == spec.year_to else f"{spec.year_from}–{spec.year_to}"
    parts.append(_("năm %(years)s") % {"years": years})
    return " · ".join(parts)


@register.filter
def setting_label(value: str) -> str:
    return {"urban": _("Thành thị"), "rural": _("Nông thôn")}.get(value, "—")


@register.simple_tag
def list_link(area: Area, code: str, klass: str, on: dt.date | None) -> str:
    """The list behind a row: the commune's (province dashboards) or the village's (commune)."""
    from hongheo.web.oversight.views import list_url

    if area.level == Area.Level.COMMUNE:
        return list_url(area, klass=klass, on=on, village=code)
    return list_url(area, commune=code, klass=klass, on=on)


@register.simple_tag
def rate(num: int, den: int) -> str:
    return pct(num * 100.0 / den if den else None)


@register.simple_tag
def cell(value: int | None, limit: int) -> str:
    """A count on a shared view: 1 … limit−1 shown as "< limit" (small-cell suppression)."""
    if value is None:
        return "—"
    if 0 < value < limit:
        return f"< {limit}"
    return f"{value:,}".replace(",", ".")
