"""The report catalog: report layouts as versioned data with provenance (``data/catalog.json``).

A layout names its columns by *measure* (``cls:poor``, ``tr:poor:dec:to_near_poor``, …), which the
builders compute; headings, units, footnotes, signature blocks and the provenance of each layout
live in the file. None of the layouts is the official Mẫu 7.x of Circular 07/2021 Phụ lục VII: the
file says so (``provenance.status``) and every rendered report repeats it in a footnote.

Pure module: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_VERSION = 1
PROVENANCE_STATUSES = ("verified", "verified-weak", "unverified", "third-party", "project")
REPORT_KINDS = ("aggregate", "personal")
EACH_KINDS = ("indicator", "group", "cause", "need")
UNITS = ("hộ", "người", "%")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    measure: str
    label_vi: str
    unit: str
    group_vi: str = ""


@dataclass(frozen=True)
class Layout:
    code: str
    version: int
    kind: str
    title_vi: str
    short_vi: str
    units_vi: str
    provenance: dict[str, str]
    column_specs: tuple[dict[str, Any], ...] = ()
    list_columns: tuple[dict[str, Any], ...] = ()
    notes_vi: tuple[str, ...] = ()
    klass: str = ""

    @property
    def is_personal(self) -> bool:
        return self.kind == "personal"

    def columns(self, expansions: Mapping[str, Sequence[tuple[str, str]]]) -> list[Column]:
        """The concrete columns; ``each`` specs expand over ``expansions[each]`` = [(code, label)]."""
        out: list[Column] = []
        for spec in self.column_specs:
            each = spec.get("each")
            items: Sequence[tuple[str, str]] = expansions.get(each, ()) if each else [("", "")]
            for code, label in items:
                out.append(
                    Column(
                        measure=spec["measure"].replace("{code}", code),
                        label_vi=spec["label_vi"].replace("{label}", label),
                        unit=spec["unit"],
                        group_vi=spec.get("group_vi", ""),
                    )
                )
        return out


@dataclass(frozen=True)
class Catalog:
    version: str
    title: str
    provenance: dict[str, str]
    footnote_vi: str
    method_vi: tuple[str, ...]
    signatures: tuple[dict[str, str], ...]
    agricultural: dict[str, Any]
    groups: tuple[tuple[str, str], ...]
    calendar: dict[str, Any]
    layouts: dict[str, Layout] = field(default_factory=dict)

    def layout(self, code: str) -> Layout:
        try:
            return self.layouts[code]
        except KeyError:
            raise CatalogError(f"Không có biểu báo cáo {code!r}") from None

    def aggregate_layouts(self) -> list[Layout]:
        return [lay for lay in self.layouts.values() if lay.kind == "aggregate"]

    def personal_layouts(self) -> list[Layout]:
        return [lay for lay in self.layouts.values() if lay.kind == "personal"]


def _check_prov(where: str, prov: Any, errors: list[str]) -> None:
    if not isinstance(prov, dict) or prov.get("status") not in PROVENANCE_STATUSES or not prov.get("source"):
        errors.append(f"{where}: provenance needs status in {PROVENANCE_STATUSES} and a source")


def validate(doc: Any) -> list[str]:
    """Every problem of a catalog document (empty when valid)."""
    errors: list[str] = []
    if not isinstance(doc, dict):
        return ["catalog must be an object"]
    if doc.get("schema_version") != SCHEMA_VERSION:
        errors.append(f"schema_version must be {SCHEMA_VERSION}")
    for key in ("version", "title", "footnote_vi"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            errors.append(f"{key} missing")
    _check_prov("catalog", doc.get("provenance"), errors)
    if doc.get("provenance", {}).get("status") == "verified":
        errors.append("catalog: the Mẫu 7.x layouts have not been checked; do not mark them verified")
    if len(doc.get("signatures") or []) < 1:
        errors.append("signatures missing")
    seen: set[str] = set()
    for i, rep in enumerate(doc.get("reports") or []):
        where = f"reports[{i}]"
        code = rep.get("code")
        if not code or code in seen:
            errors.append(f"{where}: missing or duplicate code")
        seen.add(code)
        if rep.get("kind") not in REPORT_KINDS:
            errors.append(f"{where}: kind must be one of {REPORT_KINDS}")
        if not isinstance(rep.get("version"), int):
            errors.append(f"{where}: version must be an integer")
        _check_prov(where, rep.get("provenance"), errors)
        if rep.get("kind") == "aggregate":
            cols = rep.get("columns") or []
            if not cols:
                errors.append(f"{where}: no columns")
            for j, col in enumerate(cols):
                if not col.get("measure") or not col.get("label_vi"):
                    errors.append(f"{where}.columns[{j}]: measure and label_vi required")
                if col.get("unit") not in UNITS:
                    errors.append(f"{where}.columns[{j}]: unit must be one of {UNITS}")
                if col.get("each") and col["each"] not in EACH_KINDS:
                    errors.append(f"{where}.columns[{j}]: each must be one of {EACH_KINDS}")
        elif rep.get("kind") == "personal" and not rep.get("list_columns"):
            errors.append(f"{where}: personal list needs list_columns")
    for code in (doc.get("calendar") or {}).get("reports", []):
        if code not in seen:
            errors.append(f"calendar: unknown report {code!r}")
    return errors


def build(doc: Mapping[str, Any]) -> Catalog:
    errors = validate(doc)
    if errors:
        raise CatalogError("Danh mục biểu báo cáo không hợp lệ:\n  - " + "\n  - ".join(errors))
    layouts = {
        rep["code"]: Layout(
            code=rep["code"],
            version=rep["version"],
            kind=rep["kind"],
            title_vi=rep["title_vi"],
            short_vi=rep.get("short_vi", rep["title_vi"]),
            units_vi=rep.get("units_vi", ""),
            provenance=dict(rep["provenance"]),
            column_specs=tuple(rep.get("columns") or ()),
            list_columns=tuple(rep.get("list_columns") or ()),
            notes_vi=tuple(rep.get("notes_vi") or ()),
            klass=rep.get("class", ""),
        )
        for rep in doc["reports"]
    }
    return Catalog(
        version=doc["version"],
        title=doc["title"],
        provenance=dict(doc["provenance"]),
        footnote_vi=doc["footnote_vi"],
        method_vi=tuple(doc.get("method_vi") or ()),
        signatures=tuple(doc["signatures"]),
        agricultural=dict(doc.get("agricultural") or {}),
        groups=tuple((g["code"], g["label_vi"]) for g in doc.get("groups") or ()),
        calendar=dict(doc.get("calendar") or {}),
        layouts=layouts,
    )


@cache
def catalog() -> Catalog:
    """The shipped catalog (parsed and validated once)."""
    text = resources.files("hongheo.reports").joinpath("data/catalog.json").read_text(encoding="utf-8")
    return build(json.loads(text))
