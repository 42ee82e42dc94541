"""Catalog of poverty standards (chuẩn nghèo đa chiều) kept as data.

A *standard document* is a JSON object. The national ones ship in ``data/``; provincial standards
(chuẩn nghèo riêng của tỉnh) that an administrator publishes later are stored in the database in
the same shape and passed here as ``extra`` documents. Every number in a document is a
*quantity* ``{"value": …, "provenance": {"status": …, "source": …}}`` so that nobody can mistake a
remembered threshold for a verified one; an unknown number is ``{"value": null, "provenance":
{"status": "unknown", …}}``.

Shape (``schema_version`` 1)::

    code, title, scope ("national" | "province"), province_code (province only), based_on,
    legal_basis: [{document, date, articles, provenance}],
    effective_from, effective_to (ISO dates, inclusive), effective_provenance,
    area_names: {rural, urban}            # Vietnamese names used in reasons
    income_lines: {
        poor: {rural: Q, urban: Q},                 # hộ nghèo / cận nghèo: income ≤ line
        income_only_poor: {rural: Q, urban: Q}|null,  # 2016–2020: income ≤ this line alone is poor
        average_upper: {rural: Q, urban: Q}|null},  # hộ có mức sống trung bình: line < income ≤ upper
    deprivation_threshold: Q,             # poor needs ≥ this many deprived indicators
    scores: {labels: {score_a, score_b},
             score_a: {poor_max: {rural: Q, urban: Q}, income_only_poor_max: {…}|null},
             score_b: {points_per_indicator: Q, poor_min: Q},
             score_table: null, score_table_note}|null,
    dimensions: [{code, name_vi, indicators: [{code, name_vi, rule_text_vi, evaluator, fact,
                                               params: {name: Q}, provenance}]}],
    notes: [str]

A document with ``based_on`` inherits ``area_names`` and ``dimensions`` (the indicators and their
rules) from that standard when it does not give them. Income lines, the deprivation threshold and
score cut-offs are *never* inherited: a provincial line differs from the national one, so the
national score cut-offs would be wrong for it.

This module is pure: it imports neither Django nor polars.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from hongheo.standards.rules.indicators import EVALUATORS, check_param

SCHEMA_VERSION = 1
AREAS = ("rural", "urban")
SCOPES = ("national", "province")
PROVENANCE_STATUSES = ("verified", "verified-weak", "unverified", "derived", "unknown")
INHERITED_KEYS = ("area_names", "dimensions")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class StandardError(ValueError):
    """A standard document is invalid, or no standard fits the request."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.errors = list(errors)
        text = message if not self.errors else message + ":\n  - " + "\n  - ".join(self.errors)
        super().__init__(text)


class UnknownStandard(StandardError):
    pass


@dataclass(frozen=True)
class Provenance:
    status: str
    source: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = {"status": self.status, "source": self.source}
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class Quantity:
    value: Any
    provenance: Provenance


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    name_vi: str
    rule_text_vi: str
    evaluator: str
    fact: str | None
    params: Mapping[str, Any]
    param_provenance: Mapping[str, Provenance]
    provenance: Provenance


@dataclass(frozen=True)
class Dimension:
    code: str
    name_vi: str
    indicator_codes: tuple[str, ...]


@dataclass(frozen=True)
class ScoreRules:
    label_a: str
    label_b: str
    poor_max: Mapping[str, Quantity]  # score A ≤ this (and score B ≥ poor_min) → poor
    income_only_poor_max: Mapping[str, Quantity] | None  # 2016–2020: score ≤ this alone → poor
    points_per_indicator: Quantity
    poor_min: Quantity
    score_table: Any
    score_table_note: str | None

    @property
    def usable(self) -> bool:
        """Whether cut-offs are known for both areas (else scores cannot be classified)."""
        return all(self.poor_max[a].value is not None for a in AREAS) and self.poor_min.value is not None


@dataclass(frozen=True)
class Standard:
    code: str
    title: str
    scope: str
    province_code: str | None
    based_on: str | None
    effective_from: dt.date
    effective_to: dt.date | None
    legal_basis: tuple[Mapping[str, Any], ...]
    area_names: Mapping[str, str]
    poor_line: Mapping[str, Quantity]
    income_only_line: Mapping[str, Quantity] | None
    average_upper: Mapping[str, Quantity] | None
    deprivation_threshold: Quantity
    scores: ScoreRules | None
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def instrument(self) -> str:
        """The legal instrument an official document cites for this standard, by name and date
        (the first entry of its legal basis): "Nghị định số 07/2021/NĐ-CP ngày 27/01/2021"."""
        return instrument_citation(self.legal_basis[0]) if self.legal_basis else ""


_INSTRUMENT_KIND = re.compile(r"^(Nghị định|Quyết định|Thông tư|Nghị quyết|Luật)\s+(?!số\b)")


def instrument_citation(entry: Mapping[str, Any]) -> str:
    """ "Nghị định 07/2021/NĐ-CP" + date → "Nghị định số 07/2021/NĐ-CP ngày 27/01/2021" (the
    wording of a citation in an official document)."""
    name = _INSTRUMENT_KIND.sub(r"\1 số ", " ".join(str(entry.get("document", "")).split()))
    try:
        day = dt.date.fromisoformat(str(entry.get("date")))
    except ValueError:
        return name
    return f"{name} ngày {day:%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _check_provenance(path: str, prov: Any, errors: list[str]) -> None:
    if not isinstance(prov, dict):
        errors.append(f"{path}: thiếu provenance {{status, source}}")
        return
    if prov.get("status") not in PROVENANCE_STATUSES:
        errors.append(f"{path}.status: phải là một trong {', '.join(PROVENANCE_STATUSES)}")
    if not isinstance(prov.get("source"), str) or not prov["source"].strip():
        errors.append(f"{path}.source: phải ghi nguồn")


def _check_quantity(path: str, node: Any, errors: list[str], *, kind: str = "int") -> None:
    if not isinstance(node, dict) or "value" not in node:
        errors.append(f"{path}: phải là {{value, provenance}}")
        return
    _check_provenance(f"{path}.provenance", node.get("provenance"), errors)
    value = node["value"]
    status = (
        (node.get("provenance") or {}).get("status") if isinstance(node.get("provenance"), dict) else None
    )
    if value is None:
        if status != "unknown":
            errors.append(f"{path}: giá trị null thì provenance.status phải là 'unknown'")
        return
    if status == "unknown":
        errors.append(f"{path}: provenance 'unknown' thì value phải là null")
    if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        errors.append(f"{path}.value: phải là số nguyên ≥ 0")
    if kind == "number" and not (
        isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    ):
        errors.append(f"{path}.value: phải là số ≥ 0")


def _check_by_area(path: str, node: Any, errors: list[str], *, required: bool = True) -> None:
    if node is None:
        if required:
            errors.append(f"{path}: thiếu")
        return
    if not isinstance(node, dict):
        errors.append(f"{path}: phải là {{rural, urban}}")
        return
    for area in AREAS:
        _check_quantity(f"{path}.{area}", node.get(area), errors)
    for key in node:
        if key not in AREAS:
            errors.append(f"{path}.{key}: khu vực không biết (chỉ rural, urban)")


def _value(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else None


def _check_date(path: str, value: Any, errors: list[str], *, required: bool = True) -> dt.date | None:
    if value is None:
        if required:
            errors.append(f"{path}: thiếu")
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(f"{path}: phải là ngày YYYY-MM-DD")
        return None


def _check_dimensions(dimensions: Any, errors: list[str]) -> None:
    if not isinstance(dimensions, list) or not dimensions:
        errors.append("dimensions: phải là danh sách chiều không rỗng")
        return
    dim_codes: set[str] = set()
    ind_codes: set[str] = set()
    for i, dim in enumerate(dimensions):
        dpath = f"dimensions[{i}]"
        if not isinstance(dim, dict):
            errors.append(f"{dpath}: phải là đối tượng")
            continue
        code = dim.get("code")
        if not isinstance(code, str) or not code:
            errors.append(f"{dpath}.code: thiếu")
        elif code in dim_codes:
            errors.append(f"{dpath}.code: trùng mã chiều {code!r}")
        else:
            dim_codes.add(code)
        if not isinstance(dim.get("name_vi"), str) or not dim["name_vi"]:
            errors.append(f"{dpath}.name_vi: thiếu tên tiếng Việt")
        inds = dim.get("indicators")
        if not isinstance(inds, list) or not inds:
            errors.append(f"{dpath}.indicators: phải là danh sách chỉ số không rỗng")
            continue
        for j, ind in enumerate(inds):
            ipath = f"{dpath}.indicators[{j}]"
            if not isinstance(ind, dict):
                errors.append(f"{ipath}: phải là đối tượng")
                continue
            icode = ind.get("code")
            if not isinstance(icode, str) or not CODE_RE.match(icode.replace("_", "-")):
                errors.append(f"{ipath}.code: mã chỉ số không hợp lệ")
            elif icode in ind_codes:
                errors.append(f"{ipath}.code: trùng mã chỉ số {icode!r}")
            else:
                ind_codes.add(icode)
            for key in ("name_vi", "rule_text_vi"):
                if not isinstance(ind.get(key), str) or not ind[key]:
                    errors.append(f"{ipath}.{key}: thiếu")
            _check_provenance(f"{ipath}.provenance", ind.get("provenance"), errors)
            evaluator = EVALUATORS.get(ind.get("evaluator"))  # type: ignore[arg-type]
            if evaluator is None:
                errors.append(
                    f"{ipath}.evaluator: không biết {ind.get('evaluator')!r}; có {sorted(EVALUATORS)}"
                )
                continue
            fact = ind.get("fact")
            if evaluator.needs_fact and (not isinstance(fact, str) or not fact):
                errors.append(f"{ipath}.fact: evaluator {evaluator.name} cần tên chỉ tiêu dữ liệu")
            params = ind.get("params") or {}
            if not isinstance(params, dict):
                errors.append(f"{ipath}.params: phải là đối tượng")
                continue
            for name in params:
                if name not in evaluator.params:
                    errors.append(f"{ipath}.params.{name}: tham số không dùng cho {evaluator.name}")
            for name, spec in evaluator.params.items():
                node = params.get(name)
                if node is None:
                    if spec.required:
                        errors.append(f"{ipath}.params.{name}: thiếu")
                    continue
                if not isinstance(node, dict) or "value" not in node:
                    errors.append(f"{ipath}.params.{name}: phải là {{value, provenance}}")
                    continue
                _check_provenance(f"{ipath}.params.{name}.provenance", node.get("provenance"), errors)
                problem = check_param(f"{ipath}.params.{name}", spec, node["value"])
                if problem:
                    errors.append(problem)


def validate_document(doc: Any) -> list[str]:
    """Return every problem found in a *resolved* standard document (empty list when valid)."""
    errors: list[str] = []
    if not isinstance(doc, dict):
        return ["tài liệu chuẩn phải là một đối tượng JSON"]
    if doc.get("schema_version") != SCHEMA_VERSION:
        errors.append(f"schema_version: phải là {SCHEMA_VERSION}")
    code = doc.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors.append("code: thiếu hoặc không hợp lệ (chữ thường, số, '-')")
    if not isinstance(doc.get("title"), str) or not doc["title"].strip():
        errors.append("title: thiếu tên chuẩn")
    scope = doc.get("scope")
    if scope not in SCOPES:
        errors.append(f"scope: phải là một trong {', '.join(SCOPES)}")
    if scope == "province" and not (isinstance(doc.get("province_code"), str) and doc["province_code"]):
        errors.append("province_code: chuẩn cấp tỉnh phải có mã tỉnh")
    if scope == "national" and doc.get("province_code") not in (None, ""):
        errors.append("province_code: chuẩn quốc gia không có mã tỉnh")
    legal = doc.get("legal_basis")
    if not isinstance(legal, list) or not legal:
        errors.append("legal_basis: phải có ít nhất một văn bản")
    else:
        for i, item in enumerate(legal):
            if not isinstance(item, dict) or not isinstance(item.get("document"), str):
                errors.append(f"legal_basis[{i}].document: thiếu")
                continue
            _check_provenance(f"legal_basis[{i}].provenance", item.get("provenance"), errors)
    start = _check_date("effective_from", doc.get("effective_from"), errors)
    end = _check_date("effective_to", doc.get("effective_to"), errors, required=False)
    if start and end and end < start:
        errors.append("effective_to: trước effective_from")
    _check_provenance("effective_provenance", doc.get("effective_provenance"), errors)
    names = doc.get("area_names")
    if not isinstance(names, dict) or any(not isinstance(names.get(a), str) for a in AREAS):
        errors.append("area_names: phải có tên tiếng Việt cho rural và urban")

    lines = doc.get("income_lines")
    if not isinstance(lines, dict):
        errors.append("income_lines: thiếu")
    else:
        _check_by_area("income_lines.poor", lines.get("poor"), errors)
        _check_by_area("income_lines.income_only_poor", lines.get("income_only_poor"), errors, required=False)
        _check_by_area("income_lines.average_upper", lines.get("average_upper"), errors, required=False)
        for area in AREAS:
            poor = _value((lines.get("poor") or {}).get(area))
            low = _value((lines.get("income_only_poor") or {}).get(area))
            high = _value((lines.get("average_upper") or {}).get(area))
            if poor is None:
                errors.append(f"income_lines.poor.{area}: chuẩn nghèo phải có giá trị")
            if isinstance(poor, int) and isinstance(low, int) and not low < poor:
                errors.append(f"income_lines.income_only_poor.{area}: phải nhỏ hơn chuẩn nghèo")
            if isinstance(poor, int) and isinstance(high, int) and not high > poor:
                errors.append(f"income_lines.average_upper.{area}: phải lớn hơn chuẩn nghèo")
    _check_quantity("deprivation_threshold", doc.get("deprivation_threshold"), errors)
    if doc.get("deprivation_threshold") is not None and _value(doc.get("deprivation_threshold")) is None:
        errors.append("deprivation_threshold: ngưỡng số chỉ số thiếu hụt phải có giá trị")

    scores = doc.get("scores")
    if scores is not None:
        if not isinstance(scores, dict):
            errors.append("scores: phải là đối tượng hoặc null")
        else:
            labels = scores.get("labels")
            if not isinstance(labels, dict) or not all(
                isinstance(labels.get(k), str) for k in ("score_a", "score_b")
            ):
                errors.append("scores.labels: phải có score_a và score_b")
            a = scores.get("score_a")
            if not isinstance(a, dict):
                errors.append("scores.score_a: thiếu")
            else:
                _check_by_area("scores.score_a.poor_max", a.get("poor_max"), errors)
                _check_by_area(
                    "scores.score_a.income_only_poor_max",
                    a.get("income_only_poor_max"),
                    errors,
                    required=False,
                )
            b = scores.get("score_b")
            if not isinstance(b, dict):
                errors.append("scores.score_b: thiếu")
            else:
                _check_quantity("scores.score_b.points_per_indicator", b.get("points_per_indicator"), errors)
                _check_quantity("scores.score_b.poor_min", b.get("poor_min"), errors)
            if "score_table" not in scores:
                errors.append("scores.score_table: phải có (null khi chưa có bảng điểm)")

    _check_dimensions(doc.get("dimensions"), errors)
    return errors


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


def _prov(node: Mapping[str, Any]) -> Provenance:
    return Provenance(node["status"], node["source"], node.get("note"))


def _qty(node: Mapping[str, Any]) -> Quantity:
    return Quantity(node["value"], _prov(node["provenance"]))


def _by_area(node: Mapping[str, Any] | None) -> dict[str, Quantity] | None:
    if node is None:
        return None
    return {a: _qty(node[a]) for a in AREAS}


def resolve_document(doc: Mapping[str, Any], bases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Apply ``based_on`` inheritance; ``bases`` maps codes to (raw) documents."""
    resolved = copy.deepcopy(dict(doc))
    base_code = resolved.get("based_on")
    if not base_code:
        return resolved
    seen = {resolved.get("code")}
    base = bases.get(base_code)
    if base is None:
        raise StandardError(
            f"Chuẩn {resolved.get('code')!r} không hợp lệ", [f"based_on: không có chuẩn {base_code!r}"]
        )
    while True:
        for key in INHERITED_KEYS:
            if key not in resolved and key in base:
                resolved[key] = copy.deepcopy(base[key])
        parent = base.get("based_on")
        if not parent:
            return resolved
        if parent in seen:
            raise StandardError(
                f"Chuẩn {resolved.get('code')!r} không hợp lệ", ["based_on: vòng lặp kế thừa"]
            )
        seen.add(base.get("code"))
        nxt = bases.get(parent)
        if nxt is None:
            raise StandardError(
                f"Chuẩn {resolved.get('code')!r} không hợp lệ", [f"based_on: không có chuẩn {parent!r}"]
            )
        base = nxt


def build_standard(doc: Mapping[str, Any], bases: Mapping[str, Mapping[str, Any]] | None = None) -> Standard:
    """Resolve, validate and build a :class:`Standard`; raise :class:`StandardError` listing bad fields."""
    if not isinstance(doc, Mapping):
        raise StandardError("Tài liệu chuẩn không hợp lệ", ["tài liệu chuẩn phải là một đối tượng JSON"])
    resolved = resolve_document(doc, bases or {})
    errors = validate_document(resolved)
    if errors:
        raise StandardError(f"Chuẩn {resolved.get('code')!r} không hợp lệ", errors)

    dimensions: list[Dimension] = []
    indicators: list[Indicator] = []
    for dim in resolved["dimensions"]:
        codes = []
        for ind in dim["indicators"]:
            params = ind.get("params") or {}
            indicators.append(
                Indicator(
                    code=ind["code"],
                    dimension=dim["code"],
                    name_vi=ind["name_vi"],
                    rule_text_vi=ind["rule_text_vi"],
                    evaluator=ind["evaluator"],
                    fact=ind.get("fact"),
                    params={k: v["value"] for k, v in params.items()},
                    param_provenance={k: _prov(v["provenance"]) for k, v in params.items()},
                    provenance=_prov(ind["provenance"]),
                )
            )
            codes.append(ind["code"])
        dimensions.append(Dimension(dim["code"], dim["name_vi"], tuple(codes)))

    lines = resolved["income_lines"]
    scores = None
    s = resolved.get("scores")
    if s is not None:
        scores = ScoreRules(
            label_a=s["labels"]["score_a"],
            label_b=s["labels"]["score_b"],
            poor_max=_by_area(s["score_a"]["poor_max"]) or {},
            income_only_poor_max=_by_area(s["score_a"].get("income_only_poor_max")),
            points_per_indicator=_qty(s["score_b"]["points_per_indicator"]),
            poor_min=_qty(s["score_b"]["poor_min"]),
            score_table=s.get("score_table"),
            score_table_note=s.get("score_table_note"),
        )
    return Standard(
        code=resolved["code"],
        title=resolved["title"],
        scope=resolved["scope"],
        province_code=resolved.get("province_code") or None,
        based_on=resolved.get("based_on") or None,
        effective_from=dt.date.fromisoformat(resolved["effective_from"]),
        effective_to=dt.date.fromisoformat(resolved["effective_to"])
        if resolved.get("effective_to")
        else None,
        legal_basis=tuple(resolved["legal_basis"]),
        area_names=dict(resolved["area_names"]),
        poor_line=_by_area(lines["poor"]) or {},
        income_only_line=_by_area(lines.get("income_only_poor")),
        average_upper=_by_area(lines.get("average_upper")),
        deprivation_threshold=_qty(resolved["deprivation_threshold"]),
        scores=scores,
        dimensions=tuple(dimensions),
        indicators=tuple(indicators),
        document=resolved,
    )


# ---------------------------------------------------------------------------------------------
# Shipped standards and lookup
# ---------------------------------------------------------------------------------------------

SHIPPED_CODES = ("vn-2016-2020", "vn-2022-2025", "vn-2026-2030")


@lru_cache(maxsize=1)
def _shipped_raw() -> dict[str, dict[str, Any]]:
    data = resources.files("hongheo.standards.rules") / "data"
    docs: dict[str, dict[str, Any]] = {}
    for code in SHIPPED_CODES:
        doc = json.loads((data / f"{code}.json").read_text(encoding="utf-8"))
        docs[doc["code"]] = doc
    return docs


def shipped_documents() -> list[dict[str, Any]]:
    """The shipped national standard documents (deep copies, safe to modify)."""
    return [copy.deepcopy(d) for d in _shipped_raw().values()]


@lru_cache(maxsize=1)
def _shipped_standards() -> tuple[Standard, ...]:
    raw = _shipped_raw()
    return tuple(build_standard(d, raw) for d in raw.values())


def shipped_standards() -> list[Standard]:
    return list(_shipped_standards())


StandardLike = Standard | Mapping[str, Any]


def list_standards(extra: Iterable[StandardLike] = ()) -> list[Standard]:
    """Shipped standards followed by ``extra`` ones (documents are validated; duplicates refused)."""
    result = shipped_standards()
    raw = dict(_shipped_raw())
    extra = list(extra)
    for item in extra:
        if isinstance(item, Mapping) and isinstance(item.get("code"), str):
            raw.setdefault(item["code"], dict(item))
    codes = {s.code for s in result}
    for item in extra:
        std = item if isinstance(item, Standard) else build_standard(item, raw)
        if std.code in codes:
            raise StandardError("Trùng mã chuẩn", [f"code: {std.code!r} đã có"])
        codes.add(std.code)
        result.append(std)
    return result


def get_standard(code: str, extra: Iterable[StandardLike] = ()) -> Standard:
    """The standard with ``code``; :class:`UnknownStandard` lists the known codes otherwise."""
    for std in _shipped_standards():
        if std.code == code:
            return std
    standards = list_standards(extra)
    for std in standards:
        if std.code == code:
            return std
    known = ", ".join(s.code for s in standards)
    raise UnknownStandard(f"Không có chuẩn {code!r}; các chuẩn hiện có: {known}")


def standard_for_date(
    on: dt.date, province_code: str | None = None, extra: Iterable[StandardLike] = ()
) -> Standard:
    """The standard in force on ``on``.

    A provincial standard (``scope == "province"``) in force for ``province_code`` wins over the
    national one; among several candidates of the same level the latest ``effective_from`` wins.
    """
    standards = list_standards(extra)
    in_force = [s for s in standards if s.in_force(on)]
    if province_code is not None:
        local = [s for s in in_force if s.scope == "province" and s.province_code == province_code]
        if local:
            return max(local, key=lambda s: s.effective_from)
    national = [s for s in in_force if s.scope == "national"]
    if not national:
        raise StandardError(f"Không có chuẩn nghèo quốc gia áp dụng ngày {on.isoformat()}")
    return max(national, key=lambda s: s.effective_from)
