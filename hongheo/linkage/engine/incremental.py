"""Incremental matching: one new person against the current extract, with the trained model.

The candidates are the extract's people that share a blocking key with the new person (the
same rules as the batch); each is scored by evaluating the model's own SQL comparison levels with
DuckDB on that handful of rows and applying the trained m/u parameters, so the probability is the
one the batch would give. :class:`IncrementalMatcher` keeps the extract in memory (polars);
:func:`score_candidates` lets a caller fetch candidates elsewhere (e.g. indexed database rows).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import polars as pl

from hongheo.linkage.engine.model import MODEL_COLUMNS, ModelParams, Thresholds
from hongheo.linkage.engine.normalise import clean_code, clean_pid, name_keys, parse_dob, parse_sex

_LOCAL = threading.local()


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: str
    match_probability: float
    match_weight: float
    decision: str | None  # "auto" | "review" | None (below the review cut)
    levels: dict[str, str]  # comparison -> level label
    weights: dict[str, float]  # comparison -> match weight of that level


def record_keys(record: dict[str, Any]) -> dict[str, Any]:
    """The model columns for one raw record (``personal_id``, ``full_name``, ``dob``, ``sex``,
    ``commune_code``). Raises ``ValueError`` on a date of birth or sex that cannot be read."""
    from hongheo.core.ids import is_valid_personal_id

    pid = clean_pid(record.get("personal_id"))
    y, m, d = parse_dob(record.get("dob"))
    sex = parse_sex(record.get("sex"))
    well = pid is not None and len(pid) == 12 and pid.isdigit() and is_valid_personal_id(pid)
    keys: dict[str, Any] = {
        "unique_id": str(record.get("unique_id") or "new"),
        "pid": pid,
        "pid_head": pid[:6] if well and pid else None,
        "pid_tail": pid[6:] if well and pid else None,
        **name_keys(record.get("full_name")),
        "dob_y": y,
        "dob_m": m,
        "dob_d": d,
        "sex": sex,
        "commune": clean_code(record.get("commune_code")),
    }
    return keys


def blocking_filter(keys: dict[str, Any]) -> pl.Expr:
    """The batch blocking rules as one polars filter for the extract side."""

    def eq(col: str) -> pl.Expr | None:
        value = keys.get(col)
        return None if value is None else pl.col(col) == value

    rules = [
        ["pid"],
        ["pid_tail"],
        ["pid_head", "dob_m", "dob_d", "commune"],
        ["name_sorted", "dob_y"],
        ["name_fg", "dob_y", "commune"],
        ["name_sorted", "commune"],
        ["commune", "dob_y", "dob_m", "dob_d"],
        ["name_fg", "dob_m", "dob_d"],
    ]
    expr: pl.Expr | None = None
    for rule in rules:
        parts = [eq(c) for c in rule]
        if any(p is None for p in parts):
            continue
        cond = parts[0]
        for p in parts[1:]:
            cond = cond & p  # type: ignore[operator]
        expr = cond if expr is None else expr | cond  # type: ignore[operator]
    return expr if expr is not None else pl.lit(False)


def _connection() -> Any:
    import duckdb

    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = duckdb.connect()
        _LOCAL.con = con
    return con


def _scoring_sql(params: ModelParams) -> str:
    cases = ", ".join(f"{params.case_sql(c)} AS g{i}" for i, c in enumerate(params.comparisons))
    left = ", ".join(f'l."{c}" AS "{c}_l"' for c in MODEL_COLUMNS)
    right = ", ".join(f'r."{c}" AS "{c}_r"' for c in MODEL_COLUMNS)
    # Built only from the model's own comparison SQL and fixed column names (no user input).
    inner = f"SELECT {left}, {right} FROM new_record l, candidates r"  # noqa: S608
    return f"SELECT unique_id_r AS person_id, {cases} FROM ({inner})"  # noqa: S608


def score_candidates(
    keys: dict[str, Any],
    candidates: pl.DataFrame,
    model: ModelParams,
    thresholds: Thresholds | None = None,
) -> list[Candidate]:
    """Score ``candidates`` (frames with :data:`MODEL_COLUMNS`) against one record's ``keys``; best first."""
    thresholds = thresholds or Thresholds()
    if candidates.is_empty():
        return []
    con = _connection()
    new = pl.DataFrame(
        [{c: keys.get(c) for c in MODEL_COLUMNS}], schema=candidates.select(MODEL_COLUMNS).schema
    )
    new_arrow = new.to_arrow()
    cand_arrow = candidates.select(MODEL_COLUMNS).to_arrow()
    con.register("new_record", new_arrow)
    con.register("candidates", cand_arrow)
    try:
        rows = con.execute(_scoring_sql(model)).fetchall()
    finally:
        con.unregister("new_record")
        con.unregister("candidates")
    scored: list[tuple[str, float, float, dict[str, str], dict[str, float]]] = []
    for row in rows:
        levels: dict[str, str] = {}
        weights: dict[str, float] = {}
        raw: list[float] = []
        for comp, index in zip(model.comparisons, row[1:], strict=True):
            level = comp.levels[int(index)]
            levels[comp.name] = level.label
            weights[comp.name] = round(level.weight, 3)
            raw.append(level.weight)
        p, w = model.probability(raw)
        scored.append((str(row[0]), p, w, levels, weights))
    scored.sort(key=lambda s: -s[2])
    out = []
    for i, (pid, p, w, levels, weights) in enumerate(scored):
        second = scored[1][2] if len(scored) > 1 and i == 0 else None
        clear = second is None or w - second >= thresholds.margin
        decision = (
            "auto"
            if p >= thresholds.auto and clear and i == 0
            else "review"
            if p >= thresholds.review
            else None
        )
        out.append(Candidate(pid, p, w, decision, levels, weights))
    return out


class IncrementalMatcher:
    """Match single new people against an extract held in memory."""

    def __init__(
        self, population: pl.DataFrame, model: dict[str, Any], thresholds: Thresholds | None = None
    ) -> None:
        self.population = population.select(MODEL_COLUMNS).rechunk()
        self.params = ModelParams.from_model(model)
        self.thresholds = thresholds or Thresholds()

    def candidates(self, keys: dict[str, Any]) -> pl.DataFrame:
        return self.population.filter(blocking_filter(keys))

    def match(self, record: dict[str, Any], *, limit: int = 5) -> list[Candidate]:
        keys = record_keys(record)
        return score_candidates(keys, self.candidates(keys), self.params, self.thresholds)[:limit]
