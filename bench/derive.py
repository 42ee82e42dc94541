"""Benchmark deriving the deprivation indicators from household and member facts.

    .venv/bin/python -m bench.derive [--households N] [--standard CODE]

Generates ~1 M households and ~3.5 M members directly with numpy (no dependency on the synth
module), then times :func:`hongheo.standards.rules.indicators.derive_deprivations`. Prints one
JSON line. Target: ≤ 3 s for 1 M households / 3.5 M members on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time

import numpy as np
import polars as pl

from hongheo.standards.rules.catalog import get_standard
from hongheo.standards.rules.indicators import derive_deprivations

REFERENCE_DATE = dt.date(2025, 10, 1)


def make_frames(n: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    size = np.clip(rng.poisson(3.5, n), 1, 12)
    hid = np.char.add("H", np.arange(n).astype(str))
    households = pl.DataFrame(
        {
            "household_id": hid,
            "area": np.where(rng.random(n) < 0.65, "rural", "urban"),
            "size": size,
            "housing_quality": rng.choice(
                ["durable", "semi_durable", "non_durable", "makeshift"], n, p=[0.5, 0.3, 0.15, 0.05]
            ),
            "floor_area_m2": rng.gamma(4, 15, n).round(1),
            "water_source": rng.choice(
                ["piped", "protected_well", "rainwater", "unprotected_well", "surface", "purchased"],
                n,
                p=[0.5, 0.25, 0.05, 0.1, 0.05, 0.05],
            ),
            "toilet": rng.choice(
                ["flush_septic", "improved_pit", "unimproved", "none"], n, p=[0.7, 0.15, 0.1, 0.05]
            ),
            "waste_handling": rng.choice(["collected", "burned_buried", "dumped"], n, p=[0.6, 0.3, 0.1]),
            "internet": rng.random(n) < 0.8,
            "information_devices": rng.integers(0, 4, n),
            "income_per_capita": rng.lognormal(np.log(2_200_000), 0.6, n).astype(np.int64),
        }
    )
    m = int(size.sum())
    owner = np.repeat(np.arange(n), size)
    days = rng.integers(0, 90 * 365, m)
    dob = np.datetime64(REFERENCE_DATE.isoformat()) - days.astype("timedelta64[D]")
    members = pl.DataFrame(
        {
            "personal_id": np.arange(m),
            "household_id": hid[owner],
            "sex": rng.choice(["male", "female"], m),
            "date_of_birth": dob,
            "health_insurance": rng.random(m) < 0.9,
            "in_school": rng.random(m) < 0.3,
            "education_level": rng.choice(
                [
                    "none",
                    "primary",
                    "lower_secondary",
                    "upper_secondary",
                    "vocational",
                    "college",
                    "university",
                ],
                m,
            ),
            "has_qualification": rng.random(m) < 0.2,
            "employment": rng.choice(
                [
                    "wage_with_contract",
                    "wage_no_contract",
                    "self_employed",
                    "unemployed",
                    "not_in_labour_force",
                ],
                m,
            ),
            "disability": rng.random(m) < 0.05,
            "disability_allowance": rng.random(m) < 0.5,
            "undernourished": rng.random(m) < 0.05,
        }
    ).with_columns(pl.col("date_of_birth").cast(pl.Date))
    return households, members


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--standard", default="vn-2022-2025")
    args = parser.parse_args(argv)
    std = get_standard(args.standard)
    households, members = make_frames(args.households)
    derive_deprivations(
        households.head(1000), members.head(3000), standard=std, reference_date=REFERENCE_DATE
    )
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        out = derive_deprivations(households, members, standard=std, reference_date=REFERENCE_DATE)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    figures = {
        "bench": "derive",
        "standard": std.code,
        "households": households.height,
        "members": members.height,
        "seconds_best_of_3": round(best, 3),
        "seconds_runs": [round(r, 3) for r in runs],
        "target_s": 3.0,
        "members_per_s": round(members.height / best),
        "deprived_share": round(float((out["deprived"] != "").mean() or 0.0), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
