"""The probabilistic model: comparisons, blocking rules, Splink training and prediction (DuckDB).

The comparisons are written once, as SQL conditions over the normalised columns (see
:mod:`hongheo.linkage.engine.prepare`), and used both by Splink (batch) and by the incremental
matcher (:mod:`hongheo.linkage.engine.incremental`), which evaluates the same conditions with DuckDB
on a handful of candidates and applies the trained m/u parameters: the two give the same
probabilities, which the tests check.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

#: Columns the model reads from both sides.
MODEL_COLUMNS = (
    "unique_id",
    "pid",
    "pid_head",
    "pid_tail",
    "name_lower",
    "name_norm",
    "name_sorted",
    "name_fg",
    "name_tokens",
    "dob_y",
    "dob_m",
    "dob_d",
    "sex",
    "commune",
)


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


ELSE = "ELSE"

COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "personal_id",
        "comparison_description": "số định danh",
        "comparison_levels": [
            _level('"pid_l" IS NULL OR "pid_r" IS NULL', "null", null=True),
            _level('"pid_l" = "pid_r"', "exact"),
            _level('damerau_levenshtein("pid_l", "pid_r") <= 1', "one digit wrong or two swapped"),
            _level('damerau_levenshtein("pid_l", "pid_r") <= 2', "two digits wrong"),
            _level(ELSE, "different"),
        ],
    },
    {
        "output_column_name": "full_name",
        "comparison_description": "họ tên",
        "comparison_levels": [
            _level('"name_norm_l" IS NULL OR "name_norm_r" IS NULL', "null", null=True),
            _level('"name_lower_l" = "name_lower_r"', "exact"),
            _level('"name_norm_l" = "name_norm_r"', "exact without diacritics"),
            _level('"name_sorted_l" = "name_sorted_r"', "same words, other order"),
            _level(
                'list_has_all("name_tokens_l", "name_tokens_r") '
                'OR list_has_all("name_tokens_r", "name_tokens_l")',
                "a word left out",
            ),
            _level(
                'damerau_levenshtein("name_norm_l", "name_norm_r") <= 1 '
                'OR damerau_levenshtein("name_sorted_l", "name_sorted_r") <= 1',
                "one letter different",
            ),
            _level('jaro_winkler_similarity("name_sorted_l", "name_sorted_r") >= 0.9', "similar"),
            _level(ELSE, "different"),
        ],
    },
    {
        "output_column_name": "dob",
        "comparison_description": "ngày sinh",
        "comparison_levels": [
            _level('"dob_y_l" IS NULL OR "dob_y_r" IS NULL', "null", null=True),
            _level('"dob_y_l" = "dob_y_r" AND "dob_m_l" = "dob_m_r" AND "dob_d_l" = "dob_d_r"', "exact"),
            _level(
                '"dob_y_l" = "dob_y_r" AND "dob_m_l" = "dob_d_r" AND "dob_d_l" = "dob_m_r"',
                "day and month swapped",
            ),
            _level(
                '"dob_y_l" = "dob_y_r" AND ("dob_m_l" IS NULL OR "dob_m_r" IS NULL)', "year only, same year"
            ),
            _level(
                'abs("dob_y_l" - "dob_y_r") = 1 AND "dob_m_l" = "dob_m_r" AND "dob_d_l" = "dob_d_r"',
                "year off by one",
            ),
            _level('"dob_y_l" = "dob_y_r"', "same year"),
            _level('abs("dob_y_l" - "dob_y_r") <= 1', "year within one"),
            _level(ELSE, "different"),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_description": "giới tính",
        "comparison_levels": [
            _level('"sex_l" IS NULL OR "sex_r" IS NULL', "null", null=True),
            _level('"sex_l" = "sex_r"', "exact"),
            _level(ELSE, "different"),
        ],
    },
    {
        "output_column_name": "commune",
        "comparison_description": "xã, phường",
        "comparison_levels": [
            _level('"commune_l" IS NULL OR "commune_r" IS NULL', "null", null=True),
            _level('"commune_l" = "commune_r"', "exact"),
            _level(ELSE, "different"),
        ],
    },
]

#: Blocking rules for prediction: a pair is compared when any of these hold. Each keeps blocks
#: small on a province (≈ 1 M people) and together they catch the kinds of noise the bench adds.
BLOCKING_RULES = (
    "l.pid = r.pid",  # the same number, well-formed or not
    "l.pid_tail = r.pid_tail",  # ID exact, or mistyped in its first six digits
    # ID mistyped in its last six digits (and the name too: the name rules catch the rest)
    "l.pid_head = r.pid_head AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d AND l.commune = r.commune",
    "l.name_sorted = r.name_sorted AND l.dob_y = r.dob_y",  # diacritics, order, swapped or partial dates
    "l.name_fg = r.name_fg AND l.dob_y = r.dob_y AND l.commune = r.commune",  # a left-out middle name
    "l.name_sorted = r.name_sorted AND l.commune = r.commune",  # year off by one
    "l.commune = r.commune AND l.dob_y = r.dob_y AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d",  # typos
    "l.name_fg = r.name_fg AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d",  # moved and year off
)
TRAINING_RULES = (
    "l.commune = r.commune AND l.dob_y = r.dob_y AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d",
    "l.pid = r.pid",
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    auto: float = 0.99  # best candidate at or above: accepted without a person
    review: float = 0.5  # at or above (and below auto): grey zone, sent to review
    margin: float = 4.0  # auto also needs the best match weight this far above the second candidate


def settings(prior: float) -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": r, "sql_dialect": "duckdb"} for r in BLOCKING_RULES
        ],
        "comparisons": COMPARISONS,
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": False,
        "additional_columns_to_retain": [],
    }


def _model_frame(frame: pl.DataFrame) -> Any:
    return frame.select(MODEL_COLUMNS).to_arrow()


def _quiet() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def train(
    population: pl.DataFrame,
    registry: pl.DataFrame,
    *,
    seed: int = 42,
    u_pairs: float = 5e5,
    training_sample: int = 200_000,
) -> dict[str, Any]:
    """Train the model (u by random sampling, m by expectation maximisation) and return it as the
    Splink model document (JSON-serialisable)."""
    import duckdb
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    _quiet()
    n_reg = max(registry.height, 1)
    prior = min(0.5, n_reg / max(1, n_reg * max(population.height, 1)))
    reg_sample = (
        registry.sample(min(training_sample, registry.height), seed=seed) if registry.height else registry
    )
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        db = DuckDBAPI(connection=con)
        left = db.register(_model_frame(population), table_name="population")
        right = db.register(_model_frame(reg_sample), table_name="registry")
        linker = Linker([left, right], settings(prior), log_level=None)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=u_pairs, seed=seed, min_count_per_level=None, num_chunks=1
        )
        for rule in TRAINING_RULES:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        model: dict[str, Any] = linker.misc.save_model_to_json(out_path=None)
    finally:
        con.close()
    model["probability_two_random_records_match"] = prior
    return floor_parameters(model, u_floor=0.5 / u_pairs)


M_FLOOR = 1e-4
#: Below this many rows on either side a run does not train: it uses :func:`default_model`.
MIN_TRAIN_ROWS = 1000


def default_model() -> dict[str, Any]:
    """The model trained on the project's synthetic bench data (see its ``_provenance``)."""
    from importlib import resources

    text = resources.files("hongheo.linkage.engine").joinpath("data/default_model.json").read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    model.pop("_provenance", None)
    return model


def with_prior(model: dict[str, Any], population_rows: int) -> dict[str, Any]:
    """The model with the prior of linking one registry row to an extract of ``population_rows``."""
    return {**model, "probability_two_random_records_match": min(0.5, 1 / max(population_rows, 2))}


def floor_parameters(model: dict[str, Any], *, u_floor: float) -> dict[str, Any]:
    """Give every level an m and a u: a level never seen among the sampled non-matches gets
    ``u_floor`` (half a pair of the sample: conservative), one never seen among matches gets
    :data:`M_FLOOR`. Splink and the incremental matcher then score every level the same way."""
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            level["m_probability"] = max(float(m), M_FLOOR) if m else M_FLOOR
            level["u_probability"] = max(float(u), u_floor) if u else u_floor
    return model


def predict(
    population: pl.DataFrame, registry: pl.DataFrame, model: dict[str, Any], *, threshold: float = 0.2
) -> pl.DataFrame:
    """Score every blocked pair above ``threshold``; one row per pair with ``person_id`` (population
    ``unique_id``), ``registry_id``, ``match_probability``, ``match_weight`` and per-comparison
    ``gamma_*`` (level) and ``bf_*`` (Bayes factor) columns."""
    import duckdb
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    _quiet()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        db = DuckDBAPI(connection=con)
        left = db.register(_model_frame(population), table_name="population")
        right = db.register(_model_frame(registry), table_name="registry")
        scoring = json.loads(json.dumps(model))
        scoring["retain_intermediate_calculation_columns"] = True
        linker = Linker([left, right], scoring, log_level=None)
        result = linker.inference.predict(threshold_match_probability=threshold)
        table = result.as_duckdbpyrelation().arrow()
    finally:
        con.close()
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    # Link-only: the left side is the population ("population" sorts before "registry").
    pop_on_left = df.get_column("source_dataset_l") == "population"
    df = df.with_columns(
        person_id=pl.when(pop_on_left).then(pl.col("unique_id_l")).otherwise(pl.col("unique_id_r")),
        registry_id=pl.when(pop_on_left).then(pl.col("unique_id_r")).otherwise(pl.col("unique_id_l")),
    )
    keep = ["person_id", "registry_id", "match_probability", "match_weight"]
    keep += [c for c in df.columns if c.startswith(("gamma_", "bf_", "mw_"))]
    return df.select(keep)


# --------------------------------------------------------------------------------------------
# the trained parameters, outside Splink
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    label: str
    sql: str
    is_null: bool
    bayes_factor: float

    @property
    def weight(self) -> float:
        return 0.0 if self.is_null else math.log2(self.bayes_factor)


@dataclass(frozen=True, slots=True)
class ComparisonParams:
    name: str
    description: str
    levels: tuple[Level, ...]  # in order; gamma = len(levels) - 1 - index (null = -1)

    def gamma(self, index: int) -> int:
        if self.levels[index].is_null:
            return -1
        non_null = [i for i, lv in enumerate(self.levels) if not lv.is_null]
        return len(non_null) - 1 - non_null.index(index)


@dataclass(frozen=True, slots=True)
class ModelParams:
    prior: float
    comparisons: tuple[ComparisonParams, ...]

    @classmethod
    def from_model(cls, model: dict[str, Any]) -> ModelParams:
        comps = []
        for comp in model["comparisons"]:
            levels = []
            for lv in comp["comparison_levels"]:
                is_null = bool(lv.get("is_null_level"))
                m = lv.get("m_probability")
                u = lv.get("u_probability")
                bf = 1.0 if is_null or not m or not u else float(m) / float(u)
                levels.append(Level(lv.get("label_for_charts", ""), lv["sql_condition"], is_null, bf))
            comps.append(
                ComparisonParams(
                    comp["output_column_name"], comp.get("comparison_description", ""), tuple(levels)
                )
            )
        return cls(float(model["probability_two_random_records_match"]), tuple(comps))

    def probability(self, weights: list[float]) -> tuple[float, float]:
        """``(match_probability, match_weight)`` for per-comparison weights."""
        prior_weight = math.log2(self.prior / (1 - self.prior))
        total = prior_weight + sum(weights)
        odds = 2.0**total
        return (odds / (1 + odds), total)

    def case_sql(self, comp: ComparisonParams) -> str:
        parts = []
        for i, lv in enumerate(comp.levels):
            if lv.sql == ELSE:
                parts.append(f"ELSE {i}")
            else:
                parts.append(f"WHEN {lv.sql} THEN {i}")
        if not parts[-1].startswith("ELSE"):
            parts.append(f"ELSE {len(comp.levels) - 1}")
        return "CASE " + " ".join(parts) + " END"

    def weight_table(self) -> list[dict[str, Any]]:
        return [
            {
                "comparison": c.name,
                "levels": [
                    {"label": lv.label, "weight": round(lv.weight, 3), "null": lv.is_null} for lv in c.levels
                ],
            }
            for c in self.comparisons
        ]


def level_of_weight(params: ModelParams, comparison: str, weight: float | None) -> str:
    """The label of the level of ``comparison`` whose match weight is ``weight`` (Splink's ``mw_*``
    column carries the weight, not the level)."""
    comp = next(c for c in params.comparisons if c.name == comparison)
    if weight is None:
        return "null"
    best = min(comp.levels, key=lambda lv: abs(lv.weight - weight) + (0.001 if lv.is_null else 0))
    return best.label


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """``{comparison: {gamma: label}}`` for showing Splink's gamma columns."""
    params = ModelParams.from_model(model)
    return {c.name: {c.gamma(i): lv.label for i, lv in enumerate(c.levels)} for c in params.comparisons}
