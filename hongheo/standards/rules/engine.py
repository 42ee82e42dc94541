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

Both paths take the Vietnamese ``reason`` from :func:`reason_text`, which depends only on
categorical facts (decision kind, area, classification, deprivation count), never on the
household's own income or scores; the batch path precomputes every possible text once per standard
and gathers it by a small integer key, so the two agree to the character. Polars is imported lazily
(only :func:`classify_frame` needs it).
"""

from __future__ import annotations

import datetime as dt
import math
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


def reason_text(std: Standard, kind: str, area: str, classification: str, count: int) -> str:
    """The Vietnamese ``reason``: which threshold decided, for which area, and the outcome.

    It depends only on categorical facts (the decision kind, area, classification and, on the
    income path at the poverty line, the deprivation count), never on the household's own income
    or scores (those are in ``income_used`` / ``score_used``). So the batch path precomputes every
    possible text once per standard (:func:`_reason_table`) and both paths agree to the character.
    """
    area_vi = std.area_names[area]
    line = std.poor_line[area].value
    k = std.deprivation_threshold.value
    cls_vi = CLASS_NAMES_VI[classification]
    if kind == "income_only":
        low = std.income_only_line[area].value  # type: ignore[index]
        return (
            f"Thu nhập ≤ chuẩn nghèo theo thu nhập {area_vi} {format_vnd(low)} đ "
            f"(không xét thiếu hụt): {cls_vi}"
        )
    if kind == "poor_line":
        rel = "≥" if classification == "poor" else "<"
        if std.income_only_line is not None:
            low = std.income_only_line[area].value
            head = f"Thu nhập > {format_vnd(low)} đ và ≤ chuẩn {area_vi} {format_vnd(line)} đ, thiếu hụt"
        else:
            head = f"Thu nhập ≤ chuẩn {area_vi} {format_vnd(line)} đ và thiếu hụt"
        return f"{head} {count} chỉ số ({rel} {k}): {cls_vi}"
    if kind == "average":
        upper = std.average_upper[area].value  # type: ignore[index]
        return f"Thu nhập > chuẩn {area_vi} {format_vnd(line)} đ và ≤ {format_vnd(upper)} đ: {cls_vi}"
    if kind == "above_average":
        upper = std.average_upper[area].value  # type: ignore[index]
        return f"Thu nhập > ngưỡng hộ có mức sống trung bình {area_vi} {format_vnd(upper)} đ: {cls_vi}"
    if kind == "above_line":
        return (
            f"Thu nhập > chuẩn {area_vi} {format_vnd(line)} đ "
            f"(chưa có ngưỡng hộ có mức sống trung bình): {cls_vi}"
        )
    scores = std.scores
    assert scores is not None
    label_a = scores.label_a[:1].upper() + scores.label_a[1:]
    cut = scores.poor_max[area].value
    if kind == "score_income_only":
        low = scores.income_only_poor_max[area].value  # type: ignore[index]
        return f"{label_a} ≤ {format_score(low)} ({area_vi}): {cls_vi}"
    if kind == "score_poor":
        rel = "≥" if classification == "poor" else "<"
        bmin = format_score(scores.poor_min.value)
        return f"{label_a} ≤ {format_score(cut)} ({area_vi}) và {scores.label_b} {rel} {bmin}: {cls_vi}"
    if kind == "score_above":
        return f"{label_a} > {format_score(cut)} ({area_vi}): {cls_vi}"
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
        reason=reason_text(standard, kind, area, cls, count),
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


def _distinct(text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``(index, distinct)``: the distinct values of ``text`` and, per row, its position among them.

    One hashing pass over the rows: a cast to a Categorical with fresh (private) categories, whose
    physical ids are then mapped to positions. Falls back to ``unique`` + an Enum cast (two passes)
    if this polars has no ``Categories``.
    """
    import polars as pl

    try:
        cat = text.cast(pl.Categorical(pl.Categories.random(namespace="hongheo")))
    except (AttributeError, TypeError, pl.exceptions.PolarsError):  # pragma: no cover
        distinct = text.unique()
        return text.cast(pl.Enum(distinct)).to_physical(), distinct
    ids = cat.to_physical()
    first = ids.arg_unique()
    distinct = cat.gather(first).cast(pl.String)
    if not len(ids):
        return pl.Series([], dtype=pl.UInt32), distinct
    size = int(ids.max()) + 1  # type: ignore[arg-type]
    position = pl.Series("position", dtype=pl.UInt32).extend_constant(0, size)
    position = position.scatter(ids.gather(first), pl.int_range(len(first), dtype=pl.UInt32, eager=True))
    return position.gather(ids), distinct


def _deprived_counts(std: Standard, text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Per row: number of distinct indicator codes (-1 when a code is unknown), and the unknown codes.

    The distinct texts are few (combinations of at most a dozen codes), so only they are split,
    checked and counted; each row then picks its count by its text's position among them.
    """
    import polars as pl

    codes = list(std.indicator_codes)
    index, uniq = _distinct(text)
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
    counts = parsed["n"].gather(index).rename("deprived_count")
    return counts, parsed.select("d", "u").filter(pl.col("u") != "")["u"].rename("unknown")


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

    Columns may be text (as read from CSV) or typed; an ``Int64`` income column (what
    ``hongheo classify`` reads) needs no parsing. Bad input raises :class:`ClassificationError`
    naming the first bad row (1-based) and column: every check is a vectorised mask, and the slow
    search for the first bad row runs only when some mask is set. The result has
    :data:`OUTPUT_COLUMNS`, one row per input row in input order.
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

    hid = pl.col("household_id")
    if df.schema["household_id"] != pl.String:
        hid = hid.cast(pl.String)
    area_text = pl.col("area") if df.schema["area"] == pl.String else pl.col("area").cast(pl.String)
    area = (
        pl.when(area_text == "rural")
        .then(pl.lit(0, pl.Int8))
        .when(area_text == "urban")
        .then(pl.lit(1, pl.Int8))
    )
    work = df.select(
        hid.alias("_hid"),
        area.alias("_area"),
        income.alias("_income"),
        income_bad.alias("_income_bad"),
        score_a.alias("_score_a"),
        score_a_bad.alias("_score_a_bad"),
        score_b.alias("_score_b"),
        score_b_bad.alias("_score_b_bad"),
    ).with_columns(counts.alias("_count"))
    has_scores = "score_a" in cols or "score_b" in cols
    bad = (
        pl.col("_hid").is_null()
        | pl.col("_area").is_null()
        | pl.col("_income_bad")
        | (pl.col("_income") < 0).fill_null(False)
        | (pl.col("_count") < 0)
    )
    if has_scores:
        bad = (
            bad
            | pl.col("_score_a_bad")
            | pl.col("_score_b_bad")
            | (pl.col("_score_a") < 0).fill_null(False)
            | (pl.col("_score_b") < 0).fill_null(False)
        )
    bad = bad | (pl.col("_income").is_null() & (pl.col("_score_a").is_null() | pl.lit(not scores_ok)))
    # Duplicates: distinct 64-bit hashes; a (vanishingly rare) collision only sends the input
    # through the exact check in _raise_first_bad, which then finds nothing and returns.
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


def _reason_table(std: Standard, combos: list[tuple[str, str, str]]) -> list[str]:
    """Every reason text, at ``key * width + deprived_count`` (``width`` = number of codes + 1)."""
    width = len(std.indicator_codes) + 1
    return [reason_text(std, kind, area, cls, count) for kind, area, cls in combos for count in range(width)]


_NO_LOW = -1  # income-only line absent: every income (≥ 0) is above it
_NO_UPPER = 2**63 - 1  # average-living band absent: no income is above it
_SCORE_BASE = 16  # lookup slots 0..15 are the income path, 16..31 the score path


def _key_lookup(std: Standard, key_of: Mapping[tuple[str, str, str], int]) -> list[int]:
    """Combination key at ``[base +] area * 8 + bucket * 2 + flag`` (-1 where unreachable).

    Income path: bucket = how many of (income-only line, poverty line, average upper bound) the
    income is above; flag = deprivation count ≥ k. Score path: bucket = how many of (income-only
    cut-off, cut-off) score A is above; flag = score B ≥ its minimum. This is :func:`decide`
    written as a table, so the batch path is a few comparisons and one gather.
    """
    lookup = [-1] * (2 * _SCORE_BASE)

    def put(slot: int, kind: str, area: str, cls: str) -> None:
        lookup[slot] = key_of.get((kind, area, cls), -1)

    for a, area in enumerate(AREAS):
        has_upper = std.average_upper is not None and std.average_upper[area].value is not None
        for flag in (0, 1):
            base = a * 8 + flag
            put(base + 0, "income_only", area, "poor")
            put(base + 2, "poor_line", area, "poor" if flag else "near_poor")
            if has_upper:
                put(base + 4, "average", area, "average")
                put(base + 6, "above_average", area, "not_poor")
            else:
                put(base + 4, "above_line", area, "not_poor")
            s = _SCORE_BASE + base
            put(s + 0, "score_income_only", area, "poor")
            put(s + 2, "score_poor", area, "poor" if flag else "near_poor")
            put(s + 4, "score_above", area, "not_poor")
    return lookup


def _decide_frame(std: Standard, work: pl.DataFrame) -> pl.DataFrame:
    """Decision for validated rows: a small integer key per row (which threshold, area and
    classification), then every text column is a gather from a table precomputed per standard."""
    import polars as pl

    combos = _combos(std)
    key_of = {c: i for i, c in enumerate(combos)}
    area = pl.col("_area").cast(pl.Int32)
    inc = pl.col("_income")
    count = pl.col("_count")

    def per_area(values: Mapping[str, Any], dtype: Any) -> pl.Expr:
        if values["rural"] == values["urban"]:
            return pl.lit(values["rural"], dtype=dtype)
        return (
            pl.when(pl.col("_area") == 0)
            .then(pl.lit(values["rural"], dtype=dtype))
            .otherwise(pl.lit(values["urban"], dtype=dtype))
        )

    def above(value: pl.Expr, limit: pl.Expr) -> pl.Expr:
        return (value > limit).cast(pl.Int32)

    def value_or(line: Any, area_name: str, default: Any) -> Any:
        value = None if line is None else line[area_name].value
        return default if value is None else value

    low = per_area({a: value_or(std.income_only_line, a, _NO_LOW) for a in AREAS}, pl.Int64)
    line = per_area({a: std.poor_line[a].value for a in AREAS}, pl.Int64)
    upper = per_area({a: value_or(std.average_upper, a, _NO_UPPER) for a in AREAS}, pl.Int64)
    bucket = above(inc, low) + above(inc, line) + above(inc, upper)
    k = std.deprivation_threshold.value
    slot: pl.Expr = area * 8 + bucket * 2 + (count >= k).cast(pl.Int32)

    scores = std.scores
    if scores is not None and scores.usable and work["_income"].null_count() > 0:
        points = scores.points_per_indicator.value or 0
        b_used = pl.col("_score_b").fill_null((count * points).cast(pl.Float64))
        sa = pl.col("_score_a")
        low_s = per_area({a: value_or(scores.income_only_poor_max, a, -math.inf) for a in AREAS}, pl.Float64)
        cut = per_area({a: scores.poor_max[a].value for a in AREAS}, pl.Float64)
        flag_s = (b_used >= scores.poor_min.value).cast(pl.Int32)
        slot_s = _SCORE_BASE + area * 8 + (above(sa, low_s) + above(sa, cut)) * 2 + flag_s
        slot = pl.when(inc.is_not_null()).then(slot).otherwise(slot_s)
        basis: pl.Expr = pl.when(inc.is_not_null()).then(pl.lit("income")).otherwise(pl.lit("score"))
        score_used: pl.Expr = pl.when(inc.is_null()).then(sa)
    else:
        basis = pl.lit("income")
        score_used = pl.lit(None, dtype=pl.Float64)

    width = len(std.indicator_codes) + 1
    keys = pl.Series("key", _key_lookup(std, key_of), dtype=pl.Int32)
    reasons = pl.Series("reason", _reason_table(std, combos), dtype=pl.String)
    classes = pl.Series("classification", [c[2] for c in combos], dtype=pl.String)
    thresholds = pl.Series("threshold", [int(_threshold(std, c[0], c[1])) for c in combos], dtype=pl.Int64)
    key = pl.col("_key")
    return work.with_columns(pl.lit(keys).gather(slot).alias("_key")).select(
        pl.col("_hid").alias("household_id"),
        pl.lit(std.code).alias("standard"),
        pl.lit(classes).gather(key).alias("classification"),
        count.alias("deprived_count"),
        pl.lit(reasons).gather(key * width + count).alias("reason"),
        basis.alias("basis"),
        inc.alias("income_used"),
        score_used.alias("score_used"),
        pl.lit(thresholds).gather(key).alias("threshold"),
    )
