"""Classification engine: one household (:func:`classify_household`) or many (:func:`classify_frame`).

The rules, per standard (chuẩn nghèo), read from its data:

* income path (thu nhập bình quân đầu người/tháng), ``k`` = deprivation threshold:

  - 2016–2020 only: income ≤ the income-only line → hộ nghèo, whatever the deprivations;
  - income ≤ poverty line and ≥ k deprived indicators → hộ nghèo (``poor``);
  - income ≤ poverty line and < k deprived indicators → hộ cận nghèo (``near_poor``);
  - poverty line < income ≤ average-living upper bound → hộ có mức sống trung bình (``average``);
  - otherwise → hộ không nghèo (``not_poor``), also when the average-living band is unknown.

  Income AND deprivations, never OR (fact sheet §1.3).

* score path (Phiếu B), used when ``score_a`` is given and the income is empty: score A ≤ cut-off
  and score B ≥ minimum → poor; score A ≤ cut-off and score B below → near-poor; above → not poor
  (scores say nothing about the average-living band). Score B defaults to points × deprived count.
  2016–2020 also has the income-only score path (B1 ≤ 120 rural / 140 urban).

Both paths build the Vietnamese ``reason`` from the same templates, so they agree to the character.
Polars is imported lazily (only :func:`classify_frame` needs it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from hongheo.standards.rules.catalog import AREAS, Provenance, Standard
from hongheo.standards.rules.indicators import HouseholdFacts, evaluate_indicator

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

CLASSIFICATIONS = ("poor", "near_poor", "average", "not_poor")
CLASS_NAMES_VI = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "average": "hộ có mức sống trung bình",
    "not_poor": "hộ không nghèo",
}

# Decision kinds (which threshold decided); the order is the integer code used in the batch path.
KINDS = (
    "income_only",  # income ≤ income-only line (2016–2020)
    "poor_line",  # income ≤ poverty line, decided by the deprivation count
    "average",  # poverty line < income ≤ average-living upper bound
    "above_average",  # income > average-living upper bound
    "above_line",  # income > poverty line, band unknown
    "score_income_only",  # score A ≤ income-only cut-off (2016–2020)
    "score_poor",  # score A ≤ cut-off, decided by score B
    "score_above",  # score A > cut-off
)


class ClassificationError(ValueError):
    """Input that cannot be classified. ``row`` is the 1-based data row, ``column`` the column name."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        self.detail = message
        where = []
        if row is not None:
            where.append(f"dòng {row}")
        if column is not None:
            where.append(f"cột {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def format_vnd(amount: int) -> str:
    """``1450000`` → ``"1.450.000"`` (dot as thousands separator, as written in Vietnamese)."""
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(int(amount)):,}".replace(",", ".")


def format_score(score: float) -> str:
    """Scores print as integers when whole, else with a decimal comma (``140,5``)."""
    if float(score).is_integer():
        return str(int(score))
    return repr(float(score)).replace(".", ",")


@dataclass(frozen=True)
class _Template:
    """``p0 + slot1 + p2 [+ slot3 + p4]``; slots: ``income``, ``score_a``, ``count``, ``score_b``."""

    p0: str
    slot1: str
    p2: str
    slot3: str | None
    p4: str


def _template(std: Standard, kind: str, area: str, classification: str) -> _Template:
    area_vi = std.area_names[area]
    line = std.poor_line[area].value
    k = std.deprivation_threshold.value
    cls_vi = CLASS_NAMES_VI[classification]
    if kind == "income_only":
        low = std.income_only_line[area].value  # type: ignore[index]
        return _Template(
            "Thu nhập ",
            "income",
            f" đ/người/tháng ≤ chuẩn nghèo theo thu nhập {area_vi} {format_vnd(low)} đ "
            f"(không xét thiếu hụt): {cls_vi}",
            None,
            "",
        )
    if kind == "poor_line":
        rel = "≥" if classification == "poor" else "<"
        if std.income_only_line is not None:
            low = std.income_only_line[area].value
            head = (
                f" đ/người/tháng > {format_vnd(low)} đ và ≤ chuẩn {area_vi} {format_vnd(line)} đ, thiếu hụt "
            )
        else:
            head = f" đ/người/tháng ≤ chuẩn {area_vi} {format_vnd(line)} đ và thiếu hụt "
        return _Template("Thu nhập ", "income", head, "count", f" chỉ số ({rel} {k}): {cls_vi}")
    if kind == "average":
        upper = std.average_upper[area].value  # type: ignore[index]
        return _Template(
            "Thu nhập ",
            "income",
            f" đ/người/tháng > chuẩn {area_vi} {format_vnd(line)} đ và ≤ {format_vnd(upper)} đ: {cls_vi}",
            None,
            "",
        )
    if kind == "above_average":
        upper = std.average_upper[area].value  # type: ignore[index]
        return _Template(
            "Thu nhập ",
            "income",
            f" đ/người/tháng > ngưỡng hộ có mức sống trung bình {area_vi} {format_vnd(upper)} đ: {cls_vi}",
            None,
            "",
        )
    if kind == "above_line":
        return _Template(
            "Thu nhập ",
            "income",
            f" đ/người/tháng > chuẩn {area_vi} {format_vnd(line)} đ "
            f"(chưa có ngưỡng hộ có mức sống trung bình): {cls_vi}",
            None,
            "",
        )
    scores = std.scores
    assert scores is not None
    label_a = scores.label_a[:1].upper() + scores.label_a[1:]
    cut = scores.poor_max[area].value
    if kind == "score_income_only":
        low = scores.income_only_poor_max[area].value  # type: ignore[index]
        return _Template(f"{label_a} ", "score_a", f" ≤ {format_score(low)} ({area_vi}): {cls_vi}", None, "")
    if kind == "score_poor":
        bmin = scores.poor_min.value
        rel = "≥" if classification == "poor" else "<"
        return _Template(
            f"{label_a} ",
            "score_a",
            f" ≤ {format_score(cut)} ({area_vi}) và {scores.label_b} ",
            "score_b",
            f" {rel} {format_score(bmin)}: {cls_vi}",
        )
    if kind == "score_above":
        return _Template(f"{label_a} ", "score_a", f" > {format_score(cut)} ({area_vi}): {cls_vi}", None, "")
    raise ValueError(kind)  # pragma: no cover


def _threshold(std: Standard, kind: str, area: str) -> int | float:
    if kind == "income_only":
        return std.income_only_line[area].value  # type: ignore[index,no-any-return]
    if kind in ("poor_line", "above_line"):
        return std.poor_line[area].value  # type: ignore[no-any-return]
    if kind in ("average", "above_average"):
        return std.average_upper[area].value  # type: ignore[index,no-any-return]
    assert std.scores is not None
    if kind == "score_income_only":
        return std.scores.income_only_poor_max[area].value  # type: ignore[index,no-any-return]
    return std.scores.poor_max[area].value  # type: ignore[no-any-return]


def _combos(std: Standard) -> list[tuple[str, str, str]]:
    """Every (kind, area, classification) the standard can produce."""
    out = []
    for area in AREAS:
        if std.income_only_line is not None:
            out.append(("income_only", area, "poor"))
        out += [("poor_line", area, "poor"), ("poor_line", area, "near_poor")]
        if std.average_upper is not None and std.average_upper[area].value is not None:
            out += [("average", area, "average"), ("above_average", area, "not_poor")]
        else:
            out.append(("above_line", area, "not_poor"))
        if std.scores is not None and std.scores.usable:
            if std.scores.income_only_poor_max is not None:
                out.append(("score_income_only", area, "poor"))
            out += [("score_poor", area, "poor"), ("score_poor", area, "near_poor")]
            out.append(("score_above", area, "not_poor"))
    return out


# ---------------------------------------------------------------------------------------------
# Single household
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name_vi: str
    deprived: bool
    facts: dict[str, Any]
    provenance: Provenance


@dataclass(frozen=True)
class Classification:
    standard: str
    classification: str
    area: str
    basis: str  # "income" | "score"
    income_used: int | None
    score_a_used: float | None
    score_b_used: float | None
    threshold: int | float
    threshold_kind: str
    deprived_count: int
    deprivation_threshold: int
    indicators: tuple[IndicatorResult, ...]
    reason: str
    household_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_deprived(value: Any) -> list[str]:
    """``"a; b;;c"`` → ``["a", "b", "c"]``; lists pass through; ``None`` → ``[]``."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.split(";")
    else:
        items = value
    return [s for s in (str(x).strip() for x in items) if s]


def decide(
    std: Standard,
    *,
    area: str,
    income: int | None,
    deprived_count: int,
    score_a: float | None = None,
    score_b: float | None = None,
) -> tuple[str, str, float | None]:
    """Return ``(kind, classification, score_b_used)`` for already-validated inputs."""
    if area not in AREAS:
        raise ClassificationError(f"khu vực {area!r} không hợp lệ (rural hoặc urban)", column="area")
    k = std.deprivation_threshold.value
    if income is not None:
        if income < 0:
            raise ClassificationError("thu nhập phải ≥ 0", column="income_per_capita")
        low = std.income_only_line[area].value if std.income_only_line is not None else None
        if low is not None and income <= low:
            return "income_only", "poor", None
        if income <= std.poor_line[area].value:
            return "poor_line", ("poor" if deprived_count >= k else "near_poor"), None
        upper = std.average_upper[area].value if std.average_upper is not None else None
        if upper is not None:
            return ("average", "average", None) if income <= upper else ("above_average", "not_poor", None)
        return "above_line", "not_poor", None
    if score_a is None:
        raise ClassificationError("thiếu thu nhập (và không có điểm A)", column="income_per_capita")
    scores = std.scores
    if scores is None or not scores.usable:
        raise ClassificationError(f"chuẩn {std.code} chưa có ngưỡng điểm Phiếu B", column="score_a")
    if score_b is None:
        if scores.points_per_indicator.value is None:
            raise ClassificationError(f"chuẩn {std.code} chưa có số điểm mỗi chỉ số", column="score_b")
        score_b = float(deprived_count * scores.points_per_indicator.value)
    low_s = scores.income_only_poor_max[area].value if scores.income_only_poor_max is not None else None
    if low_s is not None and score_a <= low_s:
        return "score_income_only", "poor", score_b
    if score_a <= scores.poor_max[area].value:
        return "score_poor", ("poor" if score_b >= scores.poor_min.value else "near_poor"), score_b
    return "score_above", "not_poor", score_b


def _render(tpl: _Template, values: Mapping[str, str]) -> str:
    text = tpl.p0 + values[tpl.slot1] + tpl.p2
    if tpl.slot3 is not None:
        text += values[tpl.slot3] + tpl.p4
    return text


def classify_household(
    standard: Standard,
    facts: Mapping[str, Any],
    *,
    members: Iterable[Mapping[str, Any]] | None = None,
    reference_date: dt.date | None = None,
) -> Classification:
    """Classify one household.

    ``facts`` holds ``area``, ``income_per_capita`` (VND/person/month, may be ``None`` when
    ``score_a`` is given), optionally ``score_a`` / ``score_b`` and either ``deprived`` (indicator
    codes, a ``;``-separated string or a list) or the household facts from which the indicators are
    derived, together with ``members`` and ``reference_date`` (the date ages are computed at).
    """
    area = facts.get("area")
    if area not in AREAS:
        raise ClassificationError(f"khu vực {area!r} không hợp lệ (rural hoặc urban)", column="area")
    income = facts.get("income_per_capita")
    if income is not None:
        if isinstance(income, bool) or not isinstance(income, int | float) or int(income) != income:
            raise ClassificationError(f"thu nhập {income!r} không phải số nguyên", column="income_per_capita")
        income = int(income)
    score_a = facts.get("score_a")
    score_b = facts.get("score_b")
    score_a = None if score_a is None else float(score_a)
    score_b = None if score_b is None else float(score_b)

    results: list[IndicatorResult] = []
    if facts.get("deprived") is not None or members is None:
        reported = parse_deprived(facts.get("deprived"))
        known = set(standard.indicator_codes)
        unknown = [c for c in reported if c not in known]
        if unknown:
            raise ClassificationError(
                f"mã chỉ số không có trong chuẩn {standard.code}: {', '.join(unknown)}", column="deprived"
            )
        chosen = set(reported)
        for ind in standard.indicators:
            hit = ind.code in chosen
            results.append(IndicatorResult(ind.code, ind.name_vi, hit, {"reported": hit}, ind.provenance))
    else:
        hh = HouseholdFacts.build(facts, members, reference_date)
        for ind in standard.indicators:
            outcome = evaluate_indicator(ind, hh)
            results.append(
                IndicatorResult(ind.code, ind.name_vi, outcome.deprived, outcome.facts, ind.provenance)
            )
    count = sum(1 for r in results if r.deprived)

    kind, cls, b_used = decide(
        standard, area=area, income=income, deprived_count=count, score_a=score_a, score_b=score_b
    )
    tpl = _template(standard, kind, area, cls)
    values = {
        "income": format_vnd(income) if income is not None else "",
        "score_a": format_score(score_a) if score_a is not None else "",
        "count": str(count),
        "score_b": format_score(b_used) if b_used is not None else "",
    }
    hid = facts.get("household_id")
    return Classification(
        standard=standard.code,
        classification=cls,
        area=area,
        basis="income" if income is not None else "score",
        income_used=income,
        score_a_used=score_a if income is None else None,
        score_b_used=b_used,
        threshold=_threshold(standard, kind, area),
        threshold_kind=kind,
        deprived_count=count,
        deprivation_threshold=standard.deprivation_threshold.value,
        indicators=tuple(results),
        reason=_render(tpl, values),
        household_id=None if hid is None else str(hid),
    )


# ---------------------------------------------------------------------------------------------
# Batch (polars)
# ---------------------------------------------------------------------------------------------

OUTPUT_COLUMNS = (
    "household_id",
    "standard",
    "classification",
    "deprived_count",
    "reason",
    "basis",
    "income_used",
    "score_used",
    "threshold",
)


def _as_int_column(df: pl.DataFrame, name: str) -> tuple[pl.Expr, pl.Expr]:
    """(parsed Int64 expr, bad-format mask) for a column of any dtype."""
    import polars as pl

    dtype = df.schema[name]
    col = pl.col(name)
    if dtype == pl.String:
        parsed = col.cast(pl.Int64, strict=False)
        # Fast path: a clean integer parses directly; only text that fails is stripped and re-tried.
        retry = col.str.strip_chars()
        parsed = parsed.fill_null(retry.cast(pl.Int64, strict=False))
        present = col.is_not_null() & (retry != "")
        return pl.when(present).then(parsed), (present & parsed.is_null())
    if dtype.is_integer() or dtype == pl.Null:
        return col.cast(pl.Int64), pl.lit(False)
    if dtype.is_float():
        ok = col.is_null() | (col.is_finite() & (col.round(0) == col))
        return col.cast(pl.Int64, strict=False), ~ok
    return pl.lit(None, dtype=pl.Int64), col.is_not_null()


def _as_float_column(df: pl.DataFrame, name: str) -> tuple[pl.Expr, pl.Expr]:
    import polars as pl

    if name not in df.columns:
        return pl.lit(None, dtype=pl.Float64), pl.lit(False)
    dtype = df.schema[name]
    col = pl.col(name)
    if dtype == pl.String:
        text = col.str.strip_chars()
        present = text.is_not_null() & (text != "")
        parsed = text.cast(pl.Float64, strict=False)
        bad = present & (parsed.is_null() | ~parsed.is_finite()).fill_null(True)
        return pl.when(present).then(parsed), bad
    if dtype.is_numeric() or dtype == pl.Null:
        parsed = col.cast(pl.Float64)
        return parsed, (parsed.is_not_null() & ~parsed.is_finite()).fill_null(False)
    return pl.lit(None, dtype=pl.Float64), col.is_not_null()


def _deprived_series(df: pl.DataFrame) -> pl.Series:
    """The ``deprived`` column as text (lists are joined with ``;``), nulls as empty text."""
    import polars as pl

    if "deprived" not in df.columns:
        return pl.Series("deprived", [""] * df.height, dtype=pl.String)
    dtype = df.schema["deprived"]
    if isinstance(dtype, pl.List):
        expr = pl.col("deprived").cast(pl.List(pl.String)).list.join(";")
    else:
        expr = pl.col("deprived").cast(pl.String)
    return df.select(expr.fill_null("")).to_series()


def _deprived_counts(std: Standard, text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Per row: number of distinct indicator codes (-1 when a code is unknown), and the unknown codes.

    The distinct texts are few (combinations of at most a dozen codes), so they are parsed once
    and mapped back, instead of splitting every row.
    """
    import polars as pl

    codes = list(std.indicator_codes)
    uniq = text.unique()
    parsed = uniq.to_frame("d").select(
        pl.col("d"),
        pl.col("d")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != ""))
        .alias("t"),
    )
    parsed = parsed.with_columns(
        pl.col("t").list.eval(pl.element().filter(~pl.element().is_in(codes))).list.join(", ").alias("u"),
    ).with_columns(
        pl.when(pl.col("u") == "").then(pl.col("t").list.n_unique()).otherwise(-1).cast(pl.Int32).alias("n"),
    )
    counts = text.replace_strict(parsed["d"], parsed["n"], return_dtype=pl.Int32)
    return counts, parsed.select("d", "u").filter(pl.col("u") != "")["u"].rename("unknown")


def _vnd_expr(amount: pl.Expr) -> pl.Expr:
    """Integer VND (0 ≤ x < 10¹²) → ``"1.450.000"``, vectorised.

    Every amount is first written with four zero-padded three-digit groups (``(g % 1000 + 1000)``
    printed without its leading ``1``), ``"000.001.450.000"``; the leading zeros and dots are then
    cut off at an offset computed from the magnitude with integer comparisons only.
    """
    import polars as pl

    def g3(e: pl.Expr) -> pl.Expr:
        return (e % 1000 + 1000).cast(pl.String).str.slice(1)

    x = amount
    full = pl.concat_str(
        [
            g3(x // 1_000_000_000),
            pl.lit("."),
            g3(x // 1_000_000),
            pl.lit("."),
            g3(x // 1000),
            pl.lit("."),
            g3(x),
        ]
    )
    offset: Any = pl.when(x >= 1_000_000_000_000).then(None)  # not reached: see _vnd_big
    for digits, cut in (
        (12, 0),
        (11, 1),
        (10, 2),
        (9, 4),
        (8, 5),
        (7, 6),
        (6, 8),
        (5, 9),
        (4, 10),
        (3, 12),
        (2, 13),
    ):
        offset = offset.when(x >= 10 ** (digits - 1)).then(cut)
    return full.str.slice(offset.otherwise(14))


def _vnd_big(amount: pl.Expr) -> pl.Expr:
    """Slower regex route for any size (used only when an amount reaches 10¹²)."""
    import polars as pl

    text = amount.cast(pl.String).str.reverse().str.replace_all(r"(\d{3})", "$1.")
    return text.str.strip_suffix(".").str.reverse()


def _score_expr(score: pl.Expr) -> pl.Expr:
    import polars as pl

    whole = score.round(0) == score
    return (
        pl.when(whole)
        .then(score.cast(pl.Int64).cast(pl.String))
        .otherwise(score.cast(pl.String).str.replace(".", ",", literal=True))
    )


_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("_hid_missing", "household_id", "household_id trống"),
    ("_hid_dup", "household_id", "household_id '{_hid}' trùng với dòng {_first_row}"),
    ("_area_bad", "area", "khu vực '{area}' không hợp lệ (rural hoặc urban)"),
    ("_income_bad", "income_per_capita", "thu nhập '{income_per_capita}' không phải số nguyên"),
    ("_income_neg", "income_per_capita", "thu nhập '{income_per_capita}' âm (phải ≥ 0)"),
    ("_score_a_bad", "score_a", "điểm A '{score_a}' không phải số ≥ 0"),
    ("_score_b_bad", "score_b", "điểm B '{score_b}' không phải số ≥ 0"),
    ("_income_missing", "income_per_capita", "thiếu thu nhập (và không có điểm A)"),
    ("_no_score_rules", "score_a", "chuẩn {_standard} chưa có ngưỡng điểm Phiếu B"),
    ("_unknown", "deprived", "mã chỉ số không có trong chuẩn {_standard}: {_unknown_codes}"),
)


def classify_frame(standard: Standard, df: pl.DataFrame) -> pl.DataFrame:
    """Classify every row of ``df`` (columns as in ``hongheo classify``), vectorised.

    Columns may be text (as read from CSV) or typed. Bad input raises :class:`ClassificationError`
    naming the first bad row (1-based) and column. The result has :data:`OUTPUT_COLUMNS`, one row
    per input row in input order.
    """
    import polars as pl

    std = standard
    cols = set(df.columns)
    for required in ("household_id", "area"):
        if required not in cols:
            raise ClassificationError(f"thiếu cột {required}", column=required)
    if "income_per_capita" not in cols and "score_a" not in cols:
        raise ClassificationError("thiếu cột income_per_capita", column="income_per_capita")
    if "deprived" not in cols and "score_b" not in cols:
        raise ClassificationError("thiếu cột deprived", column="deprived")

    scores_ok = std.scores is not None and std.scores.usable
    if "income_per_capita" in cols:
        income, income_bad = _as_int_column(df, "income_per_capita")
    else:
        income, income_bad = pl.lit(None, dtype=pl.Int64), pl.lit(False)
    score_a, score_a_bad = _as_float_column(df, "score_a")
    score_b, score_b_bad = _as_float_column(df, "score_b")
    counts, _ = _deprived_counts(std, _deprived_series(df))

    hid = pl.col("household_id").cast(pl.String)
    area = (
        pl.col("area")
        .cast(pl.String)
        .replace_strict({"rural": 0, "urban": 1}, default=None, return_dtype=pl.Int8)
    )
    work = (
        df.lazy()
        .select(
            hid.alias("_hid"),
            area.alias("_area"),
            income.alias("_income"),
            income_bad.alias("_income_bad"),
            score_a.alias("_score_a"),
            score_a_bad.alias("_score_a_bad"),
            score_b.alias("_score_b"),
            score_b_bad.alias("_score_b_bad"),
        )
        .with_columns(pl.lit(counts).alias("_count"))
        .collect()
    )
    bad = (
        pl.col("_hid").is_null()
        | pl.col("_area").is_null()
        | pl.col("_income_bad")
        | pl.col("_score_a_bad")
        | pl.col("_score_b_bad")
        | (pl.col("_income") < 0).fill_null(False)
        | (pl.col("_score_a") < 0).fill_null(False)
        | (pl.col("_score_b") < 0).fill_null(False)
        | (pl.col("_income").is_null() & (pl.col("_score_a").is_null() | pl.lit(not scores_ok)))
        | (pl.col("_count") < 0)
    )
    n_bad, n_unique_ids = work.select(bad.sum().alias("b"), pl.col("_hid").hash().n_unique().alias("u")).row(
        0
    )
    if n_bad or n_unique_ids != work.height:
        _raise_first_bad(std, df, work, scores_ok)
    return _decide_frame(std, work)


def _raise_first_bad(std: Standard, df: pl.DataFrame, work: pl.DataFrame, scores_ok: bool) -> None:
    """Slow path, only on bad input: find the first bad row and name its column."""
    import polars as pl

    masks = (
        work.lazy()
        .select(
            (pl.col("_hid").is_null() | (pl.col("_hid").str.strip_chars() == "")).alias("_hid_missing"),
            (pl.col("_hid").is_duplicated() & ~pl.col("_hid").is_first_distinct())
            .fill_null(False)
            .alias("_hid_dup"),
            pl.col("_area").is_null().alias("_area_bad"),
            pl.col("_income_bad"),
            (pl.col("_income") < 0).fill_null(False).alias("_income_neg"),
            (pl.col("_score_a_bad") | (pl.col("_score_a") < 0).fill_null(False)).alias("_score_a_bad"),
            (pl.col("_score_b_bad") | (pl.col("_score_b") < 0).fill_null(False)).alias("_score_b_bad"),
            (pl.col("_income").is_null() & pl.col("_score_a").is_null() & ~pl.col("_income_bad")).alias(
                "_income_missing"
            ),
            (pl.col("_income").is_null() & pl.col("_score_a").is_not_null() & pl.lit(not scores_ok)).alias(
                "_no_score_rules"
            ),
            (pl.col("_count") < 0).alias("_unknown"),
        )
        .collect()
    )
    names = [c[0] for c in _CHECKS]
    any_bad = pl.any_horizontal([pl.col(n) for n in names])
    n_bad, row = masks.select(any_bad.sum().alias("n"), any_bad.arg_true().first().alias("r")).row(0)
    if not n_bad:
        return
    flags = masks.row(row, named=True)
    name = next(n for n in names if flags[n])
    values: dict[str, Any] = {k: ("" if v is None else v) for k, v in df.row(row, named=True).items()}
    values.setdefault("area", "")
    values.update(_hid=work["_hid"][row], _standard=std.code)
    if name == "_hid_dup":
        first = work.select((pl.col("_hid") == work["_hid"][row]).arg_true().first()).item()
        values["_first_row"] = first + 1
    if name == "_unknown":
        text = _deprived_series(df.slice(row, 1))
        _, codes = _deprived_counts(std, text)
        values["_unknown_codes"] = codes[0] if len(codes) else ""
    _, column, message = next(c for c in _CHECKS if c[0] == name)
    more = f" (cùng {n_bad - 1} dòng lỗi khác)" if n_bad > 1 else ""
    raise ClassificationError(message.format(**values) + more, row=row + 1, column=column)


def _decide_frame(std: Standard, work: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    combos = _combos(std)
    key_of = {c: i for i, c in enumerate(combos)}
    k = std.deprivation_threshold.value
    rural = pl.col("_area") == 0
    inc = pl.col("_income")
    count = pl.col("_count")

    def per_area(values: Mapping[str, Any] | None, dtype: Any) -> pl.Expr:
        if values is None:
            return pl.lit(None, dtype=dtype)
        if values["rural"] == values["urban"]:
            return pl.lit(values["rural"], dtype=dtype)
        return (
            pl.when(rural)
            .then(pl.lit(values["rural"], dtype=dtype))
            .otherwise(pl.lit(values["urban"], dtype=dtype))
        )

    def key(kind: str, cls: str) -> pl.Expr:
        return per_area({a: key_of.get((kind, a, cls), -1) for a in AREAS}, pl.Int32)

    line = per_area({a: std.poor_line[a].value for a in AREAS}, pl.Int64)
    at_or_below = pl.when(count >= k).then(key("poor_line", "poor")).otherwise(key("poor_line", "near_poor"))
    band = std.average_upper
    if band is not None and all(band[a].value is not None for a in AREAS):
        upper = per_area({a: band[a].value for a in AREAS}, pl.Int64)
        above = (
            pl.when(inc <= upper).then(key("average", "average")).otherwise(key("above_average", "not_poor"))
        )
    else:
        above = key("above_line", "not_poor")
    income_key = pl.when(inc <= line).then(at_or_below).otherwise(above)
    if std.income_only_line is not None:
        low = per_area({a: std.income_only_line[a].value for a in AREAS}, pl.Int64)
        income_key = pl.when(inc <= low).then(key("income_only", "poor")).otherwise(income_key)

    scores = std.scores
    has_scores = work.select(pl.col("_income").null_count()).item() > 0
    if scores is not None and scores.usable and has_scores:
        cut = per_area({a: scores.poor_max[a].value for a in AREAS}, pl.Float64)
        points = scores.points_per_indicator.value or 0
        b_used = pl.col("_score_b").fill_null((count * points).cast(pl.Float64))
        sa = pl.col("_score_a")
        score_key = (
            pl.when(sa > cut)
            .then(key("score_above", "not_poor"))
            .when(b_used >= scores.poor_min.value)
            .then(key("score_poor", "poor"))
            .otherwise(key("score_poor", "near_poor"))
        )
        if scores.income_only_poor_max is not None:
            low_s = per_area({a: scores.income_only_poor_max[a].value for a in AREAS}, pl.Float64)
            score_key = pl.when(sa <= low_s).then(key("score_income_only", "poor")).otherwise(score_key)
        full_key = pl.when(inc.is_not_null()).then(income_key).otherwise(score_key)
    else:
        b_used = pl.lit(None, dtype=pl.Float64)
        full_key = income_key
    staged = work.lazy().with_columns(full_key.alias("_key"), b_used.alias("_b_used"))

    templates = {i: _template(std, *c) for i, c in enumerate(combos)}
    n_keys = len(combos)
    width = 16  # deprived counts 0..15 share one lookup with the key
    classes = {i: c[2] for i, c in enumerate(combos)}
    thresholds = {i: int(_threshold(std, c[0], c[1])) for i, c in enumerate(combos)}
    # Everything after slot 1 is constant per (key, count) on the income path, so it is one lookup.
    tails: dict[int, str] = {}
    for i, t in templates.items():
        for c in range(width):
            if t.slot3 == "count":
                tails[i * width + c] = t.p2 + str(c) + t.p4
            elif t.slot3 is None:
                tails[i * width + c] = t.p2
    heads = {i: t.p0 for i, t in templates.items()}
    key_col = pl.col("_key")
    big_count = pl.col("_count") >= width
    tail = (
        pl.when(big_count)
        .then(None)
        .otherwise(
            (key_col * width + pl.col("_count")).replace_strict(tails, default=None, return_dtype=pl.String)
        )
    )
    uses_b = [i for i, t in templates.items() if t.slot3 == "score_b"]
    if uses_b or work.select(pl.col("_count").max()).item() >= width:
        # Rare shapes (score B in the text, or ≥ 16 codes): build the tail piece by piece.
        generic = pl.concat_str(
            [
                key_col.replace_strict({i: t.p2 for i, t in templates.items()}, return_dtype=pl.String),
                pl.when(key_col.is_in(uses_b))
                .then(_score_expr(pl.col("_b_used")))
                .otherwise(pl.col("_count").cast(pl.String))
                .fill_null(""),
                key_col.replace_strict({i: t.p4 for i, t in templates.items()}, return_dtype=pl.String),
            ]
        )
        generic = (
            pl.when(key_col.is_in([i for i, t in templates.items() if t.slot3 is not None]))
            .then(generic)
            .otherwise(
                key_col.replace_strict({i: t.p2 for i, t in templates.items()}, return_dtype=pl.String)
            )
        )
        tail = tail.fill_null(generic) if not uses_b else generic
    big = (work.select(pl.col("_income").max()).item() or 0) >= 1_000_000_000_000
    slot1 = _vnd_big(inc) if big else _vnd_expr(inc)
    if has_scores:
        slot1 = pl.when(inc.is_not_null()).then(slot1).otherwise(_score_expr(pl.col("_score_a")))
    head_values = set(heads.values())
    head = (
        pl.lit(heads[0]) if len(head_values) == 1 else key_col.replace_strict(heads, return_dtype=pl.String)
    )
    reason = pl.concat_str([head, slot1, tail])
    out = staged.select(
        pl.col("_hid").alias("household_id"),
        pl.lit(std.code).alias("standard"),
        key_col.replace_strict(classes, return_dtype=pl.String).alias("classification"),
        pl.col("_count").alias("deprived_count"),
        reason.alias("reason"),
        pl.when(inc.is_not_null()).then(pl.lit("income")).otherwise(pl.lit("score")).alias("basis"),
        inc.alias("income_used"),
        pl.when(inc.is_null()).then(pl.col("_score_a")).alias("score_used"),
        key_col.replace_strict(thresholds, return_dtype=pl.Int64).alias("threshold"),
    )
    assert n_keys == len(templates)
    return out.collect()
