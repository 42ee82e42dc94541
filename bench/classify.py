"""Benchmark ``hongheo classify`` end to end, the vectorised work alone, and a per-row baseline.

    .venv/bin/python -m bench.classify [--households N] [--standard CODE]

Prints one JSON line. Targets (1 M households): ≤ 1.5 s wall end to end (process start included,
CSV in and out), ≥ 5 M households/s of classification work, ≤ 2 GB peak memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from hongheo.standards.rules.catalog import get_standard
from hongheo.standards.rules.engine import classify_frame, classify_household


def make_input(path: Path, n: int, codes: list[str], seed: int = 20240901) -> None:
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 6, n)
    # Deprivation lists drawn per household (as many distinct combinations as a real registry has).
    picks = np.argsort(rng.random((n, len(codes))), axis=1)
    code_arr = np.array(codes, dtype=object)
    pool = {}
    deprived = np.empty(n, dtype=object)
    for i in range(n):
        key = tuple(sorted(picks[i, : k[i]]))
        text = pool.get(key)
        if text is None:
            text = pool[key] = ";".join(code_arr[list(key)])
        deprived[i] = text
    frame = pl.DataFrame(
        {
            "household_id": pl.Series(np.char.add("H", np.arange(n).astype(str))),
            "area": np.where(rng.random(n) < 0.65, "rural", "urban"),
            "income_per_capita": rng.lognormal(np.log(2_200_000), 0.6, n).astype(np.int64),
            "deprived": pl.Series(deprived, dtype=pl.String),
        }
    )
    frame.write_csv(path)


def baseline(path: Path, standard: object) -> float:
    """A straightforward per-row loop: csv module + classify_household."""
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            income = row["income_per_capita"]
            classify_household(
                standard,  # type: ignore[arg-type]
                {
                    "household_id": row["household_id"],
                    "area": row["area"],
                    "income_per_capita": int(income) if income else None,
                    "deprived": row["deprived"],
                },
            )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--standard", default="vn-2022-2025")
    args = parser.parse_args(argv)
    std = get_standard(args.standard)
    n = args.households
    with tempfile.TemporaryDirectory(prefix="bench-classify-") as tmp:
        src = Path(tmp) / "households.csv"
        out = Path(tmp) / "classified.csv"
        make_input(src, n, list(std.indicator_codes))

        # 1. End to end, as a subprocess (process start included). Run first so that
        #    RUSAGE_CHILDREN's peak resident size is this process's.
        cmd = [
            sys.executable,
            "-m",
            "hongheo",
            "classify",
            "--standard",
            std.code,
            "--input",
            str(src),
            "--output",
            str(out),
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode())
            return 1
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows_out = pl.scan_csv(out).select(pl.len()).collect().item()

        # 2. Classification work alone, in process (best of 3): input already in memory.
        frame = pl.read_csv(src, infer_schema=False)
        work = []
        for _ in range(3):
            t = time.perf_counter()
            classify_frame(std, frame)
            work.append(time.perf_counter() - t)
        work_s = min(work)

        # 3. Baseline: per-row Python loop over the same file.
        base_s = baseline(src, std)

    figures = {
        "bench": "classify",
        "standard": std.code,
        "households": n,
        "end_to_end_s": round(wall, 3),
        "end_to_end_target_s": 1.5 * n / 1_000_000,
        "rows_out": rows_out,
        "work_s": round(work_s, 3),
        "work_households_per_s": round(n / work_s),
        "work_target_households_per_s": 5_000_000,
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "peak_rss_target_mb": 2048,
        "baseline_loop_s": round(base_s, 3),
        "baseline_households_per_s": round(n / base_s),
        "speedup_end_to_end_vs_baseline": round(base_s / wall, 1),
        "speedup_work_vs_baseline": round(base_s / work_s, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
