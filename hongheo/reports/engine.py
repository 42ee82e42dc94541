"""The report arithmetic over frames: transitions (diễn biến) and measures per row.

Pure module (polars, no Django). The builders feed it three frames:

- ``stable``: households with no ledger row, already grouped by the database: one row per
  (``row``, ``cls_start``, ``cls_end``) with ``n`` and the sums of every flag column;
- ``changed``: households that have ledger rows, one row each: ``household_id``, ``row``,
  ``cls_start``, ``cls_end`` and the same flag columns;
- ``ledger``: their ``StatusChange`` rows: ``household_id``, ``effective_on``, ``id``,
  ``from_class``, ``to_class``, ``kind``.

The class of a household on a date is read by the database from the official history
(``reviews.OfficialStatus``: the period with ``valid_from <= D < valid_to``), ``gone`` when the
household no longer exists on D and ``none`` when it is on no list. Because that history is only
ever appended to, a report for a past date gives the same numbers after any later decision. The
ledger only says *how* a household entered its class (new, re-entered) for the movement tables;
the identity cuối kỳ = đầu kỳ − giảm + tăng holds by construction.

A period runs from ``start`` (exclusive: the class at ``start`` is the class "đầu kỳ", so pass the
day before the first day of the period) to ``end`` (inclusive: "cuối kỳ").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import polars as pl

CLASSES = ("poor", "near_poor", "average", "not_poor", "none", "gone")
LISTED = ("poor", "near_poor")
MEASURED_CLASSES = ("poor", "near_poor", "average")
TOTAL_ROW = "__total__"

DEC_KINDS = {
    "poor": ("to_near_poor", "above_line", "other"),
    "near_poor": ("to_poor", "above_line", "other"),
}
INC_KINDS = {
    "poor": ("from_near_poor", "re_entered", "new", "other"),
    "near_poor": ("from_poor", "new", "other"),
}

LEDGER_SCHEMA = {
    "household_id": pl.Int64,
    "effective_on": pl.Date,
    "id": pl.Int64,
    "from_class": pl.String,
    "to_class": pl.String,
    "kind": pl.String,
}


def empty_ledger() -> pl.DataFrame:
    return pl.DataFrame(schema=LEDGER_SCHEMA)


def _norm_class(col: pl.Expr) -> pl.Expr:
    return pl.when(col.is_null() | (col == "")).then(pl.lit("none")).otherwise(col)


def entry_kind(changed: pl.DataFrame, ledger: pl.DataFrame, start: dt.date, end: dt.date) -> pl.Series:
    """How each household entered its end class during (start, end]: ``new``, ``re_entered`` or ``''``.

    Needs ``cls_start`` and ``cls_end`` on ``changed``. Only meaningful for households that end in a
    listed class they did not have at the start. The latest ledger row of the period into the end
    class decides: ``re_entered_poverty`` → re_entered; ``newly_poor`` / ``newly_near_poor`` → new;
    another kind into poor (e.g. via near-poor within the period) → re_entered when the ledger shows
    the household poor on or before ``start``, else new; no ledger row → '' (counted as "other").
    """
    s, e = pl.lit(start, dtype=pl.Date), pl.lit(end, dtype=pl.Date)
    led = ledger.sort(["household_id", "effective_on", "id"])
    ends = changed.select("household_id", "cls_end")
    last_in = (
        led.join(ends, on="household_id", how="inner")
        .filter((pl.col("effective_on") > s) & (pl.col("effective_on") <= e))
        .filter(pl.col("to_class") == pl.col("cls_end"))
        .group_by("household_id")
        .agg(pl.col("kind").last().alias("_kind"))
    )
    poor_before = (
        led.filter(
            (pl.col("effective_on") <= s)
            & ((pl.col("to_class") == "poor") | (pl.col("from_class") == "poor"))
        )
        .select("household_id")
        .unique()
        .with_columns(pl.lit(True).alias("_was_poor"))
    )
    frame = (
        changed.select("household_id", "cls_end")
        .with_row_index("_i")
        .join(last_in, on="household_id", how="left")
        .join(poor_before, on="household_id", how="left")
        .sort("_i")
    )
    was_poor = pl.col("_was_poor").fill_null(False)
    kind = pl.col("_kind")
    out = frame.select(
        pl.when(kind.is_null())
        .then(pl.lit(""))
        .when(pl.col("cls_end") == "near_poor")
        .then(pl.lit("new"))
        .when(kind == "re_entered_poverty")
        .then(pl.lit("re_entered"))
        .when(kind == "newly_poor")
        .then(pl.lit("new"))
        .when(was_poor)
        .then(pl.lit("re_entered"))
        .otherwise(pl.lit("new"))
        .alias("entry")
    )
    return out.get_column("entry")


def changed_cube(
    changed: pl.DataFrame, ledger: pl.DataFrame, start: dt.date, end: dt.date, flags: Sequence[str]
) -> pl.DataFrame:
    """The changed households grouped like ``stable``: (row, cls_start, cls_end, entry) → sums."""
    if changed.height == 0:
        return empty_cube(flags)
    frame = changed.with_columns(
        _norm_class(pl.col("cls_start")).alias("cls_start"), _norm_class(pl.col("cls_end")).alias("cls_end")
    )
    frame = frame.with_columns(entry_kind(frame, ledger, start, end).alias("entry"))
    return (
        frame.group_by("row", "cls_start", "cls_end", "entry")
        .agg(pl.len().cast(pl.Int64).alias("n"), *[pl.col(f).cast(pl.Int64).sum().alias(f) for f in flags])
        .select(cube_columns(flags))
    )


def cube_columns(flags: Sequence[str]) -> list[str]:
    return ["row", "cls_start", "cls_end", "entry", "n", *flags]


def empty_cube(flags: Sequence[str]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "row": pl.String(),
        "cls_start": pl.String(),
        "cls_end": pl.String(),
        "entry": pl.String(),
        "n": pl.Int64(),
    }
    schema.update({f: pl.Int64() for f in flags})
    return pl.DataFrame(schema=schema)


def normalise_cube(frame: pl.DataFrame, flags: Sequence[str]) -> pl.DataFrame:
    """Cast a cube to its schema (row as text, counts as Int64), filling absent columns."""
    if "entry" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("entry"))
    casts = [
        pl.col("row").cast(pl.String).fill_null(""),
        _norm_class(pl.col("cls_start").cast(pl.String)).alias("cls_start"),
        _norm_class(pl.col("cls_end").cast(pl.String)).alias("cls_end"),
        pl.col("entry").cast(pl.String).fill_null(""),
        pl.col("n").cast(pl.Int64).fill_null(0),
    ]
    casts += [
        (pl.col(f).cast(pl.Int64).fill_null(0) if f in frame.columns else pl.lit(0, dtype=pl.Int64)).alias(f)
        for f in flags
    ]
    return frame.select(casts)


def _dec_kind(c: str) -> pl.Expr:
    end = pl.col("cls_end")
    other_listed = "near_poor" if c == "poor" else "poor"
    return (
        pl.when(end == other_listed)
        .then(pl.lit(f"to_{other_listed}"))
        .when(end.is_in(["average", "not_poor"]))
        .then(pl.lit("above_line"))
        .otherwise(pl.lit("other"))
    )


def _inc_kind(c: str) -> pl.Expr:
    start = pl.col("cls_start")
    other_listed = "near_poor" if c == "poor" else "poor"
    allowed = [k for k in INC_KINDS[c] if k in ("re_entered", "new")]
    return (
        pl.when(start == other_listed)
        .then(pl.lit(f"from_{other_listed}"))
        .when(pl.col("entry").is_in(allowed))
        .then(pl.col("entry"))
        .otherwise(pl.lit("other"))
    )


def measure_exprs(flags: Sequence[str]) -> list[pl.Expr]:
    """Aggregations of a cube into every measure the catalog's layouts may name."""
    n = pl.col("n")
    end, start = pl.col("cls_end"), pl.col("cls_start")
    exprs: list[pl.Expr] = [
        n.filter(end != "gone").sum().alias("households"),
        n.filter(start != "gone").sum().alias("households_start"),
    ]
    if "persons" in flags:
        exprs.append(pl.col("persons").filter(end != "gone").sum().alias("persons"))
    for c in MEASURED_CLASSES:
        exprs.append(n.filter(end == c).sum().alias(f"cls:{c}"))
        exprs.append(n.filter(start == c).sum().alias(f"cls_start:{c}"))
        for f in flags:
            exprs.append(pl.col(f).filter(end == c).sum().alias(f"{f}:{c}"))
    for c in LISTED:
        exprs.append(n.filter(start == c).sum().alias(f"tr:{c}:start"))
        exprs.append(n.filter(end == c).sum().alias(f"tr:{c}:end"))
        leaving = (start == c) & (end != c)
        entering = (start != c) & (end == c)
        exprs.append(n.filter(leaving).sum().alias(f"tr:{c}:dec_total"))
        exprs.append(n.filter(entering).sum().alias(f"tr:{c}:inc_total"))
        for k in DEC_KINDS[c]:
            exprs.append(n.filter(leaving & (_dec_kind(c) == k)).sum().alias(f"tr:{c}:dec:{k}"))
        for k in INC_KINDS[c]:
            exprs.append(n.filter(entering & (_inc_kind(c) == k)).sum().alias(f"tr:{c}:inc:{k}"))
    return exprs


def _with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    def rate(num: str) -> pl.Expr:
        return (
            pl.when(pl.col("households") > 0)
            .then(pl.col(num).cast(pl.Float64) * 100.0 / pl.col("households"))
            .otherwise(None)
        )

    extra = [rate(f"cls:{c}").alias(f"rate:{c}") for c in MEASURED_CLASSES]
    if "agri:average" in frame.columns:
        extra.append(rate("agri:average").alias("rate:agri_average"))
    return frame.with_columns(extra)


def measures(cube: pl.DataFrame, flags: Sequence[str], rows: Iterable[str] = ()) -> pl.DataFrame:
    """One row per ``row`` key (every key of ``rows`` appears, with zeros when it has no household)
    plus a ``TOTAL_ROW``; one column per measure. Rates are recomputed from the summed counts."""
    exprs = measure_exprs(flags)
    per_row = cube.group_by("row").agg(exprs)
    wanted = [r for r in rows if r is not None]
    if wanted:
        keys = pl.DataFrame({"row": pl.Series(wanted, dtype=pl.String)})
        per_row = keys.join(per_row, on="row", how="left")
    total = cube.select(exprs).with_columns(pl.lit(TOTAL_ROW).alias("row")).select(per_row.columns)
    both = pl.concat([per_row, total.cast(per_row.schema)], how="vertical")  # type: ignore[arg-type]
    counts = [c for c in both.columns if c != "row"]
    both = both.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])
    return _with_rates(both)


def transition_identity_holds(table: pl.DataFrame) -> bool:
    """cuối kỳ = đầu kỳ − giảm + tăng, for both listed classes, on every row."""
    for c in LISTED:
        bad = table.filter(
            pl.col(f"tr:{c}:end")
            != pl.col(f"tr:{c}:start") - pl.col(f"tr:{c}:dec_total") + pl.col(f"tr:{c}:inc_total")
        )
        parts_dec = sum((pl.col(f"tr:{c}:dec:{k}") for k in DEC_KINDS[c]), pl.lit(0))
        parts_inc = sum((pl.col(f"tr:{c}:inc:{k}") for k in INC_KINDS[c]), pl.lit(0))
        split = table.filter(
            (parts_dec != pl.col(f"tr:{c}:dec_total")) | (parts_inc != pl.col(f"tr:{c}:inc_total"))
        )
        if bad.height or split.height:
            return False
    return True
