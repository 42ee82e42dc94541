"""The centre's national microdata: one row per household, PostgreSQL only, partitioned by province,
and a DuckDB/Parquet analytics copy rebuilt in the background for heavy roll-ups.

This is the centre's optional store (a province instance never uses it): a household row carries
only what national tables need (its province, commune, official class code, size and the three
target groups), no name and no ID number. The table lives outside the Django models on purpose:
PostgreSQL declarative partitioning (``PARTITION BY LIST (province_code)``, one partition per
province) has no portable equivalent, so this module is the one place with vendor SQL, and it
refuses to run elsewhere. docs/scale.md says when the centre moves on to Citus.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

TABLE = "oversight_national_household"
COLUMNS: dict[str, str] = {
    "household_id": "bigint NOT NULL",
    "province_code": "smallint NOT NULL",
    "commune_code": "integer NOT NULL",
    "klass": "smallint NOT NULL",  # 1 poor, 2 near-poor, 3 average-living, 0 other
    "size": "smallint NOT NULL",
    "ethnic_minority": "boolean NOT NULL",
    "merit": "boolean NOT NULL",
    "no_working_capacity": "boolean NOT NULL",
}
KLASS = {"poor": 1, "near_poor": 2, "average": 3}
NATIONAL_SQL = (
    "SELECT province_code, commune_code, count(*) AS households, "
    "count(*) FILTER (WHERE klass = 1) AS poor, count(*) FILTER (WHERE klass = 2) AS near_poor "
    "FROM {source} GROUP BY province_code, commune_code"
)
# Commune codes are unique nationally (5 digits, Decision 19/2025/QĐ-TTg), so the analytics copy
# groups by the commune alone and takes the province from the file's folder: grouping by the
# folder's value as a second key costs DuckDB three times as much (measured: 2.07 s vs 0.68 s at
# 27.8 M households).
DUCK_SQL = (
    "SELECT any_value(province_code) AS province_code, commune_code, count(*) AS households, "
    "count(*) FILTER (WHERE klass = 1) AS poor, count(*) FILTER (WHERE klass = 2) AS near_poor "
    "FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY commune_code"
)


class MicrodataError(RuntimeError):
    pass


def _check(connection: Any) -> None:
    if connection.vendor != "postgresql":
        raise MicrodataError("Kho vi dữ liệu toàn quốc chỉ chạy trên PostgreSQL.")


def partition_name(province_code: int) -> str:
    return f"{TABLE}_p{int(province_code):02d}"


def ensure_tables(connection: Any, province_codes: Iterable[int]) -> None:
    """The partitioned table and one partition per province (idempotent)."""
    _check(connection)
    cols = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({cols}) PARTITION BY LIST (province_code)")
        for code in province_codes:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {partition_name(code)} PARTITION OF {TABLE} "
                f"FOR VALUES IN ({int(code)})"
            )


def drop_tables(connection: Any) -> None:
    _check(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE} CASCADE")


def load_province(connection: Any, province_code: int, frame: pl.DataFrame, chunk_rows: int = 500_000) -> int:
    """Replace one province's partition with ``frame`` (columns of :data:`COLUMNS`), by COPY."""
    _check(connection)
    frame = frame.select(list(COLUMNS))
    part = partition_name(province_code)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {part}")
        with cursor.cursor.copy(f"COPY {part} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, frame.height, chunk_rows):
                copy.write(frame.slice(start, chunk_rows).write_csv(include_header=False))
        cursor.execute(f"ANALYZE {part}")
    return frame.height


def national_table(connection: Any) -> pl.DataFrame:
    """Households, poor and near-poor per (province, commune) from the partitioned table."""
    _check(connection)
    with connection.cursor() as cursor:
        cursor.execute(NATIONAL_SQL.format(source=TABLE))
        rows = cursor.fetchall()
    return pl.DataFrame(
        rows,
        schema={
            "province_code": pl.Int64,
            "commune_code": pl.Int64,
            "households": pl.Int64,
            "poor": pl.Int64,
            "near_poor": pl.Int64,
        },
        orient="row",
    )


def rebuild_analytics(connection: Any, out_dir: Path, province_codes: Iterable[int]) -> dict[str, Any]:
    """Write the analytics copy: one Parquet file per province (hive layout ``province_code=NN``),
    built in a new folder and swapped in at the end, so readers never see half a copy."""
    _check(connection)
    out_dir = Path(out_dir)
    building = out_dir.with_name(out_dir.name + f".building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    started = time.perf_counter()
    rows = 0
    cols = [c for c in COLUMNS if c != "province_code"]
    flags = [c for c in cols if COLUMNS[c].startswith("boolean")]
    select = ", ".join(f"{c}::int AS {c}" if c in flags else c for c in cols)
    for code in province_codes:
        target = building / f"province_code={int(code)}"
        target.mkdir(parents=True, exist_ok=True)
        with connection.cursor() as cursor:
            buffer = bytearray()
            sql = f"COPY (SELECT {select} FROM {partition_name(code)}) TO STDOUT WITH (FORMAT csv)"  # noqa: S608 - fixed names
            with cursor.cursor.copy(sql) as copy:
                for block in copy:
                    buffer += block
        if buffer:
            frame = pl.read_csv(bytes(buffer), has_header=False, new_columns=cols, infer_schema_length=0)
            frame = frame.with_columns(
                *(pl.col(c).cast(pl.Int64) for c in cols if c not in flags),
                *(pl.col(c).cast(pl.Int8).cast(pl.Boolean) for c in flags),
            )
        else:
            frame = pl.DataFrame(schema={c: (pl.Boolean if c in flags else pl.Int64) for c in cols})
        frame.write_parquet(target / "part-0.parquet")
        rows += frame.height
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    building.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 3), "path": str(out_dir)}


@functools.cache
def _duck() -> Any:
    """One DuckDB connection per process (a server keeps it; opening one per query costs more than
    the query on a small machine). No progress bar on the server's output."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def national_table_analytics(out_dir: Path) -> pl.DataFrame:
    """The same national table from the analytics copy (DuckDB over Parquet)."""
    glob = str(Path(out_dir) / "*" / "*.parquet")
    cursor = _duck().cursor()  # a cursor per call: safe across threads
    try:
        return cursor.sql(DUCK_SQL.format(glob=glob.replace("'", "''"))).pl()
    finally:
        cursor.close()
