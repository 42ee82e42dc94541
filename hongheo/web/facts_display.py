"""Turn the facts that decided an indicator into a short sentence for officers (in their language).

The engine reports facts as plain data (``{"floor_area_m2": 52.0, "size": 2, …}``); pages and the
printed score card show them through :func:`facts_vi`, never as raw dictionaries.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hongheo.core.text import format_vnd
from hongheo.registry.codes import label
from hongheo.web.i18n_data import display

_HIDDEN = {"fact"}
_KEY_LABELS = {
    "members": gettext_noop("thành viên liên quan"),
    "members_count": gettext_noop("số nhân khẩu"),
    "dependants": gettext_noop("người phụ thuộc"),
    "share": gettext_noop("tỷ lệ phụ thuộc"),
    "share_above": gettext_noop("thiếu hụt khi tỷ lệ trên"),
    "housing_quality": gettext_noop("chất lượng nhà"),
    "deprived_values": gettext_noop("thiếu hụt khi"),
    "accepted_values": gettext_noop("đạt khi"),
    "floor_area_m2": gettext_noop("diện tích nhà (m²)"),
    "size": gettext_noop("số người"),
    "m2_per_person": gettext_noop("m²/người"),
    "min_m2_per_person": gettext_noop("ngưỡng m²/người"),
    "water_source": gettext_noop("nguồn nước"),
    "toilet": gettext_noop("nhà tiêu"),
    "waste_handling": gettext_noop("xử lý rác"),
    "internet": gettext_noop("dùng internet/viễn thông"),
    "information_devices": gettext_noop("số thiết bị tiếp cận thông tin"),
    "minimum": gettext_noop("tối thiểu"),
    "income_per_capita": gettext_noop("thu nhập bình quân"),
    "missing": gettext_noop("thiếu thông tin"),
}
_CODE_LISTS = {
    "housing_quality": "housing_quality",
    "water_source": "water_source",
    "toilet": "toilet",
    "waste_handling": "waste_handling",
    "education_level": "education_level",
    "employment": "employment",
}
_MEMBER_FLAGS = {
    "in_school": (gettext_noop("đang đi học"), gettext_noop("không đi học")),
    "has_qualification": (gettext_noop("có bằng cấp/chứng chỉ"), gettext_noop("chưa có bằng cấp/chứng chỉ")),
    "health_insurance": (gettext_noop("có BHYT"), gettext_noop("không có BHYT")),
    "disability": (gettext_noop("khuyết tật"), None),
    "undernourished": (gettext_noop("suy dinh dưỡng"), None),
}


def _value(key: str, value: Any, list_name: str | None = None) -> str:
    if value is None:
        return _("chưa có")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",") if key != "share" else f"{value * 100:.0f}%"
    if key == "income_per_capita" and isinstance(value, int):
        return format_vnd(value)
    if isinstance(value, list | tuple):
        if not value:
            return _("không có")
        return ", ".join(_value(key, v, list_name) for v in value)
    if isinstance(value, dict):
        return _member(value)
    if list_name:
        return str(display(label(list_name, str(value))))
    return str(value)


def _member(m: dict[str, Any]) -> str:
    parts = []
    if m.get("age") is not None:
        parts.append(_("%(age)s tuổi") % {"age": m["age"]})
    for key in ("education_level", "employment"):
        if m.get(key):
            parts.append(str(display(label(_CODE_LISTS[key], m[key]))))
    for key, (yes, no) in _MEMBER_FLAGS.items():
        if key in m and m[key] is not None:
            text = yes if m[key] else no
            if text:
                parts.append(_(text))
    return "(" + ", ".join(parts) + ")" if parts else _("(một thành viên)")


def facts_vi(facts: dict[str, Any]) -> str:
    """``{"floor_area_m2": 52.0, "size": 2, …}`` → ``"diện tích nhà (m²): 52,0; số người: 2; …"``."""
    out = []
    for key, value in facts.items():
        if key in _HIDDEN:
            continue
        list_name = _CODE_LISTS.get(key)
        if key in ("accepted_values", "deprived_values"):
            list_name = _CODE_LISTS.get(str(facts.get("fact", ""))) or next(
                (_CODE_LISTS[k] for k in facts if k in _CODE_LISTS), None
            )
        out.append(f"{_(_KEY_LABELS[key]) if key in _KEY_LABELS else key}: {_value(key, value, list_name)}")
    return "; ".join(out)
