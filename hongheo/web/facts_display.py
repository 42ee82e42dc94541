"""Turn the facts that decided an indicator into a short Vietnamese sentence for officers.

The engine reports facts as plain data (``{"floor_area_m2": 52.0, "size": 2, …}``); pages and the
printed score card show them through :func:`facts_vi`, never as raw dictionaries.
"""

from __future__ import annotations

from typing import Any

from hongheo.core.text import format_vnd
from hongheo.registry.codes import label

_HIDDEN = {"fact"}
_KEY_LABELS = {
    "members": "thành viên liên quan",
    "members_count": "số nhân khẩu",
    "dependants": "người phụ thuộc",
    "share": "tỷ lệ phụ thuộc",
    "share_above": "thiếu hụt khi tỷ lệ trên",
    "housing_quality": "chất lượng nhà",
    "deprived_values": "thiếu hụt khi",
    "accepted_values": "đạt khi",
    "floor_area_m2": "diện tích nhà (m²)",
    "size": "số người",
    "m2_per_person": "m²/người",
    "min_m2_per_person": "ngưỡng m²/người",
    "water_source": "nguồn nước",
    "toilet": "nhà tiêu",
    "waste_handling": "xử lý rác",
    "internet": "dùng internet/viễn thông",
    "information_devices": "số thiết bị tiếp cận thông tin",
    "minimum": "tối thiểu",
    "income_per_capita": "thu nhập bình quân",
    "missing": "thiếu thông tin",
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
    "in_school": ("đang đi học", "không đi học"),
    "has_qualification": ("có bằng cấp/chứng chỉ", "chưa có bằng cấp/chứng chỉ"),
    "health_insurance": ("có BHYT", "không có BHYT"),
    "disability": ("khuyết tật", None),
    "undernourished": ("suy dinh dưỡng", None),
}


def _value(key: str, value: Any, list_name: str | None = None) -> str:
    if value is None:
        return "chưa có"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",") if key != "share" else f"{value * 100:.0f}%"
    if key == "income_per_capita" and isinstance(value, int):
        return format_vnd(value)
    if isinstance(value, list | tuple):
        if not value:
            return "không có"
        return ", ".join(_value(key, v, list_name) for v in value)
    if isinstance(value, dict):
        return _member(value)
    if list_name:
        return label(list_name, str(value))
    return str(value)


def _member(m: dict[str, Any]) -> str:
    parts = []
    if m.get("age") is not None:
        parts.append(f"{m['age']} tuổi")
    for key in ("education_level", "employment"):
        if m.get(key):
            parts.append(label(_CODE_LISTS[key], m[key]))
    for key, (yes, no) in _MEMBER_FLAGS.items():
        if key in m and m[key] is not None:
            text = yes if m[key] else no
            if text:
                parts.append(text)
    return "(" + ", ".join(parts) + ")" if parts else "(một thành viên)"


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
        out.append(f"{_KEY_LABELS.get(key, key)}: {_value(key, value, list_name)}")
    return "; ".join(out)
