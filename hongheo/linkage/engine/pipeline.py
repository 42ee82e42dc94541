"""The whole linkage run, without a database: exact pass, probabilistic pass, decisions, findings.

Inputs are the frames of :func:`~hongheo.linkage.engine.prepare.prepare_population` and
:func:`~hongheo.linkage.engine.prepare.prepare_registry`. The result holds

* ``matches``: one row per registry row with a candidate: ``registry_row``, ``person_id``,
  ``match_probability``, ``match_weight``, ``decision`` (``auto`` / ``review``), ``method``
  (``exact`` / ``probabilistic``);
* ``candidates``: every scored pair of the probabilistic pass above the review cut, with the level
  (``gamma_*``) and Bayes factor (``bf_*``) of each comparison;
* ``findings``: ``registry_row``, ``household_code``, ``person_id``, ``finding``, ``detail``;
* ``summary`` (counts per pass, timings) and the trained ``model`` (a Splink model document).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from hongheo.linkage.engine import model as mdl
from hongheo.linkage.engine.model import Thresholds

FINDINGS = (
    "not_found",  # no match in the population extract
    "deceased",  # matched person is deceased
    "moved",  # matched person moved away
    "several_households",  # one person in several registry households
    "several_communes",  # … in several communes
    "differs",  # matched, with differences (detail: the fields)
    "invalid_id",  # the registry's ID number is malformed or disagrees with its own dob/sex
)
FINDINGS_SCHEMA = {
    "registry_row": pl.String,
    "household_code": pl.String,
    "person_id": pl.String,
    "finding": pl.String,
    "detail": pl.String,
}
MATCHES_SCHEMA = {
    "registry_row": pl.String,
    "person_id": pl.String,
    "match_probability": pl.Float64,
    "match_weight": pl.Float64,
    "decision": pl.String,
    "method": pl.String,
}


@dataclass(slots=True)
class LinkResult:
    matches: pl.DataFrame
    candidates: pl.DataFrame
    findings: pl.DataFrame
    model: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)


def _dob_agrees(p: str = "p_") -> pl.Expr:
    y, m, d = pl.col("dob_y"), pl.col("dob_m"), pl.col("dob_d")
    py, pm, pd = pl.col(f"{p}dob_y"), pl.col(f"{p}dob_m"), pl.col(f"{p}dob_d")
    same_year = y == py
    return (
        (same_year & (((m == pm) & (d == pd)) | ((m == pd) & (d == pm)) | m.is_null() | pm.is_null()))
        | (((y - py).abs() == 1) & (m == pm) & (d == pd))
        | y.is_null()
        | py.is_null()
    ).fill_null(False)


def exact_pass(population: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """Registry rows whose well-formed ID number equals the ID of exactly one person of the extract,
    and whose name and date of birth agree with that person's (so a mistyped number that happens to
    be someone else's is not taken). Columns ``registry_row``, ``person_id``."""
    pop = population.filter(pl.col("pid_ok") & pl.col("pid_unique")).select(
        "pid",
        pl.col("unique_id").alias("person_id"),
        pl.col("name_tokens").alias("p_name_tokens"),
        pl.col("name_sorted").alias("p_name_sorted"),
        pl.col("dob_y").alias("p_dob_y"),
        pl.col("dob_m").alias("p_dob_m"),
        pl.col("dob_d").alias("p_dob_d"),
        pl.col("sex").alias("p_sex"),
    )
    cand = registry.filter(pl.col("pid_ok")).select(
        "unique_id", "pid", "name_tokens", "name_sorted", "dob_y", "dob_m", "dob_d", "sex"
    )
    joined = cand.join(pop, on="pid", how="inner")
    common = pl.col("name_tokens").list.set_intersection("p_name_tokens").list.len()
    shorter = pl.min_horizontal(pl.col("name_tokens").list.len(), pl.col("p_name_tokens").list.len())
    name_ok = (pl.col("name_sorted") == pl.col("p_name_sorted")) | (
        common >= pl.max_horizontal(shorter - 1, 1)
    )
    sex_ok = (pl.col("sex") == pl.col("p_sex")).fill_null(True)
    ok = joined.filter(name_ok.fill_null(False) & _dob_agrees() & sex_ok)
    return ok.select(pl.col("unique_id").alias("registry_row"), "person_id")


def decide(pairs: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """The best candidate of each registry row and its decision (rows below the review cut dropped)."""
    if pairs.is_empty():
        return pl.DataFrame(schema=MATCHES_SCHEMA)
    ranked = pairs.sort(["registry_id", "match_weight"], descending=[False, True])
    best = ranked.group_by("registry_id", maintain_order=True).agg(
        pl.col("person_id").first(),
        pl.col("match_probability").first(),
        pl.col("match_weight").first(),
        pl.col("match_weight").get(1, null_on_oob=True).alias("second_weight"),
    )
    clear = pl.col("second_weight").is_null() | (
        pl.col("match_weight") - pl.col("second_weight") >= thresholds.margin
    )
    decision = (
        pl.when((pl.col("match_probability") >= thresholds.auto) & clear)
        .then(pl.lit("auto"))
        .when(pl.col("match_probability") >= thresholds.review)
        .then(pl.lit("review"))
    )
    return (
        best.with_columns(decision=decision, method=pl.lit("probabilistic"))
        .filter(pl.col("decision").is_not_null())
        .select(
            pl.col("registry_id").alias("registry_row"), *[c for c in MATCHES_SCHEMA if c != "registry_row"]
        )
    )


def findings(population: pl.DataFrame, registry: pl.DataFrame, matches: pl.DataFrame) -> pl.DataFrame:
    reg = registry.select(
        pl.col("unique_id").alias("registry_row"),
        "household_code",
        "pid",
        "pid_agrees",
        "name_lower",
        "name_norm",
        "dob_y",
        "dob_m",
        "dob_d",
        "sex",
        "commune",
    )
    pop = population.select(
        pl.col("unique_id").alias("person_id"),
        pl.col("pid").alias("p_pid"),
        pl.col("name_lower").alias("p_name_lower"),
        pl.col("name_norm").alias("p_name_norm"),
        pl.col("dob_y").alias("p_dob_y"),
        pl.col("dob_m").alias("p_dob_m"),
        pl.col("dob_d").alias("p_dob_d"),
        pl.col("sex").alias("p_sex"),
        pl.col("commune").alias("p_commune"),
        "status",
    )
    out: list[pl.DataFrame] = []

    def add(df: pl.DataFrame, kind: str, detail: pl.Expr | None = None) -> None:
        out.append(
            df.select(
                "registry_row",
                "household_code",
                pl.col("person_id")
                if "person_id" in df.columns
                else pl.lit(None, dtype=pl.String).alias("person_id"),
                pl.lit(kind).alias("finding"),
                (detail if detail is not None else pl.lit("")).alias("detail"),
            )
        )

    matched = reg.join(matches.select("registry_row", "person_id", "decision"), on="registry_row", how="left")
    add(matched.filter(pl.col("person_id").is_null()), "not_found")
    auto = matched.filter(pl.col("decision") == "auto").join(pop, on="person_id", how="left")
    add(auto.filter(pl.col("status") == "deceased"), "deceased")
    add(auto.filter(pl.col("status") == "moved"), "moved")
    per_person = auto.group_by("person_id").agg(
        pl.col("household_code").n_unique().alias("n_households"),
        pl.col("commune").n_unique().alias("n_communes"),
    )
    auto = auto.join(per_person, on="person_id", how="left")
    add(
        auto.filter(pl.col("n_households") > 1),
        "several_households",
        pl.format("{} hộ", pl.col("n_households")),
    )
    add(auto.filter(pl.col("n_communes") > 1), "several_communes", pl.format("{} xã", pl.col("n_communes")))
    dob_differs = ~_dob_same()
    fields = pl.concat_list(
        pl.when((pl.col("pid") != pl.col("p_pid")).fill_null(True)).then(pl.lit("personal_id")),
        pl.when((pl.col("name_lower") != pl.col("p_name_lower")).fill_null(False)).then(pl.lit("full_name")),
        pl.when(dob_differs).then(pl.lit("dob")),
        pl.when((pl.col("sex") != pl.col("p_sex")).fill_null(False)).then(pl.lit("sex")),
        pl.when((pl.col("commune") != pl.col("p_commune")).fill_null(False)).then(pl.lit("commune_code")),
    ).list.drop_nulls()
    differing = auto.with_columns(fields=fields).filter(pl.col("fields").list.len() > 0)
    add(differing, "differs", pl.col("fields").list.join(";"))
    add(matched.filter(pl.col("pid").is_not_null() & ~pl.col("pid_agrees")), "invalid_id")
    if not out:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    return pl.concat(out).cast(FINDINGS_SCHEMA)  # type: ignore[arg-type]


def _dob_same() -> pl.Expr:
    return (
        (pl.col("dob_y") == pl.col("p_dob_y")).fill_null(False)
        & (pl.col("dob_m") == pl.col("p_dob_m")).fill_null(
            pl.col("dob_m").is_null() & pl.col("p_dob_m").is_null()
        )
        & (pl.col("dob_d") == pl.col("p_dob_d")).fill_null(
            pl.col("dob_d").is_null() & pl.col("p_dob_d").is_null()
        )
    )


def link(
    population: pl.DataFrame,
    registry: pl.DataFrame,
    *,
    thresholds: Thresholds | None = None,
    model: dict[str, Any] | None = None,
    seed: int = 42,
    progress: Callable[[str, float], None] | None = None,
) -> LinkResult:
    """Run the pipeline. ``model``: a trained model to reuse (else one is trained on this data)."""
    thresholds = thresholds or Thresholds()
    timings: dict[str, float] = {}

    def step(name: str, fraction: float) -> None:
        if progress is not None:
            progress(name, fraction)

    t0 = time.perf_counter()
    step("exact", 0.05)
    exact = exact_pass(population, registry)
    exact_matches = exact.with_columns(
        match_probability=pl.lit(1.0),
        match_weight=pl.lit(None, dtype=pl.Float64),
        decision=pl.lit("auto"),
        method=pl.lit("exact"),
    ).select(list(MATCHES_SCHEMA))
    timings["exact_pass_s"] = time.perf_counter() - t0

    residual = registry.join(
        exact.select(pl.col("registry_row").alias("unique_id")), on="unique_id", how="anti"
    )
    t1 = time.perf_counter()
    step("train", 0.15)
    if model is None:
        small = min(registry.height, population.height) < mdl.MIN_TRAIN_ROWS
        model = (
            mdl.with_prior(mdl.default_model(), population.height)
            if small
            else mdl.train(population, registry, seed=seed)
        )
    timings["train_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    step("predict", 0.4)
    if residual.height and population.height and model:
        pairs = mdl.predict(population, residual, model, threshold=min(thresholds.review, 0.2))
    else:
        pairs = pl.DataFrame(
            schema={
                "person_id": pl.String,
                "registry_id": pl.String,
                "match_probability": pl.Float64,
                "match_weight": pl.Float64,
            }
        )
    prob_matches = decide(pairs, thresholds)
    timings["probabilistic_pass_s"] = time.perf_counter() - t2
    order = registry.select(pl.col("unique_id").alias("registry_row"), "row")
    matches = (
        pl.concat([exact_matches, prob_matches.cast(MATCHES_SCHEMA)])  # type: ignore[arg-type]
        .join(order, on="registry_row", how="left")
        .sort("row")
        .drop("row")
    )
    t3 = time.perf_counter()
    step("findings", 0.9)
    found = findings(population, registry, matches)
    timings["findings_s"] = time.perf_counter() - t3
    timings["link_total_s"] = time.perf_counter() - t0
    counts = (
        {k: int(v) for k, v in found.get_column("finding").value_counts().iter_rows()} if found.height else {}
    )
    summary = {
        "population_rows": population.height,
        "registry_rows": registry.height,
        "exact_pass": {"matched": exact.height},
        "probabilistic_pass": {
            "records": residual.height,
            "pairs_scored": pairs.height,
            "auto": int((prob_matches.get_column("decision") == "auto").sum()),
            "review": int((prob_matches.get_column("decision") == "review").sum()),
        },
        "decisions": {
            "auto": int((matches.get_column("decision") == "auto").sum()),
            "review": int((matches.get_column("decision") == "review").sum()),
            "none": registry.height - matches.height,
        },
        "findings": {k: counts.get(k, 0) for k in FINDINGS},
        "thresholds": {"auto": thresholds.auto, "review": thresholds.review, "margin": thresholds.margin},
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    step("done", 1.0)
    return LinkResult(matches=matches, candidates=pairs, findings=found, model=model, summary=summary)
