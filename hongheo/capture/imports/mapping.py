"""Column mapping: which file column is which product field, and value maps for coded columns.

Pure module: no Django. A mapping is plain JSON, saved with a name for reuse::

    {"layout": "member", "columns": {"Họ và tên": "full_name", …},
     "values": {"sex": {"1": "male", "2": "female"}, …}}

Value-map keys are accent-folded (``fold``), so "Nữ", "nữ" and "NU" are one value.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from functools import cache
from typing import Any

from hongheo.core.text import fold
from hongheo.registry import code_lists

from .fields import (
    BY_KEY,
    CLASS_CODES,
    LAYOUT_HOUSEHOLD,
    LAYOUT_MEMBER,
    LAYOUTS,
    heading,
    layout_fields,
    required_keys,
)

SUGGEST_THRESHOLD = 0.78
MAX_DISTINCT_SHOWN = 30

#: Everyday words for coded values, beyond each list's code, label and form code.
_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {"m": "male", "f": "female", "nam gioi": "male", "nu gioi": "female", "0": "male"},
    "relation_to_head": {
        "chu ho": "head",
        "ch": "head",
        "vo": "spouse",
        "chong": "spouse",
        "vo chong": "spouse",
        "con": "child",
        "con de": "child",
        "con ruot": "child",
        "con nuoi": "child",
        "con trai": "child",
        "con gai": "child",
        "con dau": "child_in_law",
        "con re": "child_in_law",
        "bo": "parent",
        "me": "parent",
        "cha": "parent",
        "bo me": "parent",
        "cha me": "parent",
        "ong": "grandparent",
        "ba": "grandparent",
        "ong ba": "grandparent",
        "chau": "grandchild",
        "chau noi": "grandchild",
        "chau ngoai": "grandchild",
        "anh": "sibling",
        "chi": "sibling",
        "em": "sibling",
        "anh chi em": "sibling",
        "khac": "other",
    },
    # issue 7 §5: the rule text accepts these two; lists write them in several ways
    "water_source": {
        "nuoc khe mo duoc bao ve": "protected_spring",
        "khe/mo duoc bao ve": "protected_spring",
        "khe mo duoc bao ve": "protected_spring",
        "nuoc khe duoc bao ve": "protected_spring",
        "nuoc mo duoc bao ve": "protected_spring",
        "mo nuoc duoc bao ve": "protected_spring",
        "protected spring": "protected_spring",
    },
    "toilet": {
        "nha tieu tham doi nuoc": "pour_flush",
        "ho xi tham doi nuoc": "pour_flush",
        "tham doi": "pour_flush",
        "pour-flush": "pour_flush",
        "pour flush": "pour_flush",
    },
    "official_class": {
        "ho ngheo": "poor",
        "ngheo": "poor",
        "hn": "poor",
        "poor": "poor",
        "ho can ngheo": "near_poor",
        "can ngheo": "near_poor",
        "hcn": "near_poor",
        "near_poor": "near_poor",
    },
}
TRUE_WORDS = frozenset({"co", "x", "1", "true", "yes", "dung", "c", "v", "t"})
FALSE_WORDS = frozenset({"khong", "0", "false", "no", "k", "sai", "f"})


def _folded_heading(text: str) -> str:
    return " ".join(
        fold(text).replace("/", " ").replace("_", " ").replace("(", " ").replace(")", " ").split()
    )


@cache
def _field_names(layout: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for spec in layout_fields(layout):
        names = {spec.key, spec.heading, heading(spec, layout), *spec.aliases}
        out.append((spec.key, tuple(sorted({_folded_heading(n) for n in names}))))
    return tuple(out)


def _score(column: str, names: tuple[str, ...]) -> float:
    folded = _folded_heading(column)
    if folded in names:
        return 1.0
    return max(difflib.SequenceMatcher(None, folded, n).ratio() for n in names)


def suggest_columns(columns: list[str], layout: str) -> dict[str, str]:
    """``{column: field key or ""}``: each field at most once, best matches first."""
    candidates = []
    for column in columns:
        for key, names in _field_names(layout):
            score = _score(column, names)
            if score >= SUGGEST_THRESHOLD:
                candidates.append((score, column, key))
    chosen: dict[str, str] = dict.fromkeys(columns, "")
    used: set[str] = set()
    for _score_value, column, key in sorted(candidates, key=lambda c: -c[0]):
        if chosen[column] or key in used:
            continue
        chosen[column] = key
        used.add(key)
    return chosen


def detect_template(columns: list[str]) -> str:
    """The layout whose template headings the file carries exactly (all required ones), or ''."""
    folded = {_folded_heading(c) for c in columns}
    for layout in (LAYOUT_MEMBER, LAYOUT_HOUSEHOLD):
        need = {_folded_heading(heading(BY_KEY[k], layout)) for k in required_keys(layout)}
        if need <= folded and (layout == LAYOUT_HOUSEHOLD or _folded_heading("Quan hệ với chủ hộ") in folded):
            return layout
    return ""


def template_mapping(columns: list[str], layout: str) -> dict[str, Any]:
    """The mapping of a file in the product's own template (headings matched exactly, folded)."""
    by_heading = {_folded_heading(heading(spec, layout)): spec.key for spec in layout_fields(layout)}
    return {
        "layout": layout,
        "columns": {c: by_heading[_folded_heading(c)] for c in columns if _folded_heading(c) in by_heading},
        "values": {},
    }


@cache
def code_aliases(list_name: str) -> dict[str, str]:
    """folded word → code for a code list (code, Vietnamese label, form code, synonyms)."""
    if list_name == "official_class":
        out = {fold(label): code for code, label in CLASS_CODES.items()}
        out.update({code: code for code in CLASS_CODES})
    else:
        spec = code_lists.code_lists()["lists"][list_name]
        out = {}
        for item in spec["items"]:
            out[fold(item["code"])] = item["code"]
            out[item["code"]] = item["code"]
            out[fold(item["label_vi"])] = item["code"]
            if item.get("form_code"):
                out[str(item["form_code"])] = item["code"]
    for word, code in _SYNONYMS.get(list_name, {}).items():
        out.setdefault(word, code)
    return out


def list_for(key: str) -> str:
    spec = BY_KEY[key]
    return "official_class" if spec.kind == "class" else spec.code_list


def value_choices(key: str) -> list[tuple[str, str]]:
    if BY_KEY[key].kind == "class":
        return list(CLASS_CODES.items())
    if BY_KEY[key].kind == "bool":
        return [("true", "Có"), ("false", "Không")]
    return code_lists.choices(BY_KEY[key].code_list)


def suggest_value(key: str, raw: str) -> str:
    """The code a raw value of a coded (or yes/no) column most likely means, or ''."""
    folded = fold(raw)
    if BY_KEY[key].kind == "bool":
        return "true" if folded in TRUE_WORDS else "false" if folded in FALSE_WORDS else ""
    return code_aliases(list_for(key)).get(folded, "")


def validate_mapping(mapping: dict[str, Any], columns: list[str]) -> list[str]:
    """Problems of a mapping against a file's columns (Vietnamese), [] when it can run."""
    problems = []
    layout = mapping.get("layout")
    if layout not in LAYOUTS:
        return ["Chưa chọn cách trình bày của tệp (mỗi dòng một nhân khẩu hay một hộ)."]
    allowed = {f.key for f in layout_fields(layout)}
    cols = {c: k for c, k in (mapping.get("columns") or {}).items() if k}
    missing_cols = [c for c in cols if c not in columns]
    if missing_cols:
        problems.append("Tệp thiếu cột: " + ", ".join(f"“{c}”" for c in missing_cols) + ".")
    keys = list(cols.values())
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        problems.append("Trường không hợp lệ: " + ", ".join(unknown) + ".")
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        problems.append(
            "Mỗi trường chỉ ghép với một cột: " + ", ".join(heading(BY_KEY[k], layout) for k in twice) + "."
        )
    need = [k for k in required_keys(layout) if k not in keys]
    if need:
        problems.append(
            "Thiếu cột bắt buộc: " + ", ".join(f"“{heading(BY_KEY[k], layout)}”" for k in need) + "."
        )
    if "commune_code" not in keys and "commune_name" not in keys:
        problems.append("Thiếu cột bắt buộc: “Mã xã/phường” hoặc “Xã/phường”.")
    return problems


def mapping_hash(mapping: dict[str, Any]) -> str:
    canonical = {
        "layout": mapping.get("layout"),
        "columns": {c: k for c, k in sorted((mapping.get("columns") or {}).items()) if k},
        "values": {k: dict(sorted(v.items())) for k, v in sorted((mapping.get("values") or {}).items()) if v},
    }
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
