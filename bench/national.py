"""bench.national: the national table of poor / near-poor counts and rates by province and commune,
from the centre's PostgreSQL tables partitioned by province and from the DuckDB/Parquet analytics
copy. Scales with ``--households`` (the issue's size is 27.8 million; run what the machine allows).

Generation: ``--generator synth`` uses ``hongheo synth`` (households and members of every real
commune; members are dropped), ``--generator fast`` draws only the columns the table needs with
numpy (for large sizes on a small machine). The class is a synthetic proxy from the income
(≤ line: poor, ≤ 1.3 × line: near-poor), which is all a count needs. Loading is by COPY into the
34 partitions. Then, each the median of ``--runs`` after one warm-up run: ``partitioned_s``
(target ≤ 10 s at 27.8 M), ``analytics_s`` (≤ 2 s at 27.8 M) and, measured in the same run,
``baseline_unpartitioned_s``: the same query on one plain table of the same rows. Linear
extrapolations to 27.8 M are printed as such (``*_at_27_8m_s_linear``), never as measurements.

    python -m bench.national [--households 1000000] [--generator synth|fast]
                             [--database-url postgres://postgres@127.0.0.1:5432/hongheo_national_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

NATIONAL = 27_800_000


def province_weights(codes: list[int]) -> np.ndarray:
    from hongheo.registry.synth import province_communes

    sizes = np.array([len(list(province_communes(c))) for c in codes], dtype=float)
    return sizes / sizes.sum()


def generate(code: int, n: int, generator: str, seed: int) -> pl.DataFrame:
    from hongheo.registry.synth import INCOME_LINES_2022_2025, generate_population, province_communes

    if generator == "synth":
        h = generate_population(code, n, seed=seed).households
        line = (
            pl.when(pl.col("area") == "urban")
            .then(INCOME_LINES_2022_2025["urban"])
            .otherwise(INCOME_LINES_2022_2025["rural"])
        )
        return h.select(
            pl.col("household_id").str.slice(-11).cast(pl.Int64).alias("household_id") + code * 10**11,
            pl.lit(code).cast(pl.Int64).alias("province_code"),
            pl.col("commune_code"),
            pl.when(pl.col("income_per_capita") <= line)
            .then(1)
            .when(pl.col("income_per_capita") <= line * 1.3)
            .then(2)
            .otherwise(0)
            .alias("klass"),
            pl.col("size"),
            pl.col("ethnic_minority"),
            pl.col("merit"),
            pl.lit(False).alias("no_working_capacity"),
        )
    rng = np.random.default_rng(seed)
    communes = np.array([c.code for c in province_communes(code)], dtype=np.int64)
    draw = rng.random(n)
    return pl.DataFrame(
        {
            "household_id": code * 10**11 + np.arange(n, dtype=np.int64),
            "province_code": np.full(n, code, dtype=np.int64),
            "commune_code": communes[rng.integers(0, len(communes), n)],
            "klass": np.where(draw < 0.03, 1, np.where(draw < 0.07, 2, 0)),
            "size": rng.integers(1, 8, n),
            "ethnic_minority": rng.random(n) < 0.15,
            "merit": rng.random(n) < 0.02,
            "no_working_capacity": rng.random(n) < 0.01,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--generator", choices=("synth", "fast"), default="synth")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_national_bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--reuse",
        default="",
        metavar="ANALYTICS_DIR",
        help="keep the loaded tables and this analytics copy of a previous run (re-time the queries only)",
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="hongheo-bench-national-")
    os.environ.update(
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
    )
    import django

    django.setup()
    from django.db import connection

    from hongheo.oversight import microdata
    from hongheo.registry.synth import province_names

    codes = sorted(province_names())
    weights = province_weights(codes)
    counts = np.floor(weights * args.households).astype(int)
    counts[0] += args.households - counts.sum()
    gen_s = load_s = 0.0
    if not args.reuse:
        microdata.drop_tables(connection)
        microdata.ensure_tables(connection, codes)
        for i, (code, n) in enumerate(zip(codes, counts, strict=True)):
            t = time.perf_counter()
            frame = generate(code, int(n), args.generator, seed=i)
            gen_s += time.perf_counter() - t
            t = time.perf_counter()
            microdata.load_province(connection, code, frame)
            load_s += time.perf_counter() - t
            del frame

    def timed(fn, runs: int) -> tuple[float, object]:
        """Median of ``runs`` runs after one warm-up run."""
        out = fn()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times), out

    part_s, table = timed(lambda: microdata.national_table(connection), args.runs)
    analytics_dir = Path(args.reuse) if args.reuse else Path(tmp) / "analytics"
    rebuild = (
        {"seconds": None} if args.reuse else microdata.rebuild_analytics(connection, analytics_dir, codes)
    )
    duck_s, duck = timed(lambda: microdata.national_table_analytics(analytics_dir), args.runs)
    assert isinstance(table, pl.DataFrame) and isinstance(duck, pl.DataFrame)
    same = table.sort(["province_code", "commune_code"]).equals(
        duck.select(table.columns).cast(table.schema).sort(["province_code", "commune_code"])  # type: ignore[arg-type]
    )
    baseline_s = None
    if not args.no_baseline:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_plain_household")
            cursor.execute(f"CREATE TABLE bench_plain_household AS SELECT * FROM {microdata.TABLE}")  # noqa: S608
            cursor.execute("ANALYZE bench_plain_household")

        def plain() -> int:
            with connection.cursor() as cursor:
                cursor.execute(microdata.NATIONAL_SQL.format(source="bench_plain_household"))
                return len(cursor.fetchall())

        baseline_s, _ = timed(plain, args.runs)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_plain_household")
    scale = NATIONAL / max(int(table["households"].sum()), 1)
    print(
        json.dumps(
            {
                "bench": "national",
                "households": int(table["households"].sum()),
                "reused": bool(args.reuse),
                "generator": None if args.reuse else args.generator,
                "communes": table.height,
                "poor": int(table["poor"].sum()),
                "generate_s": round(gen_s, 2),
                "load_copy_s": round(load_s, 2),
                "partitioned_s": round(part_s, 3),
                "partitioned_target_s_at_27_8m": 10.0,
                "partitioned_at_27_8m_s_linear": round(part_s * scale, 1),
                "analytics_rebuild_s": rebuild["seconds"],
                "analytics_s": round(duck_s, 3),
                "analytics_target_s_at_27_8m": 2.0,
                "analytics_at_27_8m_s_linear": round(duck_s * scale, 2),
                "baseline_unpartitioned_s": None if baseline_s is None else round(baseline_s, 3),
                "same_numbers": same,
                "load": [round(x, 1) for x in os.getloadavg()],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
