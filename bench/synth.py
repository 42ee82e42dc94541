"""Benchmark of ``hongheo.registry.synth``: ``python -m bench.synth [--households N]``.

Generates N households (default 1,000,000 → ≈ 3.5 M members) for one province and writes them as
Parquet, then prints ONE JSON line with the measured figures side by side with two baselines from
the same run:

* ``baseline_tenth``: the same vectorised generator with N/10 households (shows how it scales);
* ``baseline_naive``: a plain per-row Python generator (``random`` module, one dict per member,
  ``csv`` writer) run on a small sample and scaled linearly to N: the obvious unvectorised approach.

Targets: N = 1,000,000 in ≤ 30 s wall time and ≤ 4 GB peak memory on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from hongheo.registry.synth import generate_population, income_poor_share, write_population

TARGET_SECONDS = 30.0
TARGET_MEMORY_MB = 4096.0


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_vectorised(province: int, households: int, seed: int, out: Path) -> dict[str, float | int]:
    start = time.perf_counter()
    population = generate_population(province, households, seed=seed)
    generated = time.perf_counter()
    write_population(population, out, "parquet")
    done = time.perf_counter()
    members = population.members.height
    return {
        "households": households,
        "members": members,
        "wall_seconds": round(done - start, 3),
        "generate_seconds": round(generated - start, 3),
        "write_seconds": round(done - generated, 3),
        "households_per_second": round(households / (done - start)),
        "poor_share_by_income": round(income_poor_share(population.households), 4),
    }


_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
_MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang"], "female": ["Thị", "Ngọc", "Thu", "Thanh"]}
_GIVEN = {"male": ["Hùng", "Dũng", "Tuấn", "Nam"], "female": ["Lan", "Hương", "Hoa", "Linh"]}


def _run_naive(sample: int, seed: int, out: Path) -> dict[str, float | int]:
    """Per-row Python: one loop iteration per household and per member, written with ``csv``."""
    rnd = random.Random(seed)
    as_of = date(2026, 9, 1)
    start = time.perf_counter()
    households, members = [], []
    for h in range(sample):
        size = rnd.choices(range(1, 11), weights=[9, 18, 21, 27, 14.5, 6.5, 2.5, 1, 0.4, 0.1])[0]
        hid = f"46{19768:05d}{h + 1:06d}"
        family = rnd.choice(_FAMILY)
        for k in range(size):
            sex = rnd.choice(("male", "female"))
            age = rnd.uniform(20, 80) if k == 0 else rnd.uniform(0, 90)
            dob = as_of - timedelta(days=int(age * 365.2425))
            digit = (dob.year // 100 - 19) * 2 + (sex == "female")
            members.append(
                {
                    "personal_id": f"046{digit}{dob.year % 100:02d}{rnd.randrange(1_000_000):06d}",
                    "household_id": hid,
                    "full_name": f"{family} {rnd.choice(_MIDDLE[sex])} {rnd.choice(_GIVEN[sex])}",
                    "sex": sex,
                    "date_of_birth": dob.isoformat(),
                    "relation_to_head": "head" if k == 0 else "child",
                    "health_insurance": rnd.random() < 0.9,
                }
            )
        households.append(
            {"household_id": hid, "size": size, "income_per_capita": int(rnd.lognormvariate(15.2, 0.5))}
        )
    for name, rows in (("households", households), ("members", members)):
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    seconds = time.perf_counter() - start
    return {"sample_households": sample, "sample_seconds": round(seconds, 3), "columns": 10}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--province", type=int, default=38, help="default 38 Thanh Hóa (166 communes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        root = Path(tmp)
        (root / "full").mkdir()
        main_run = _run_vectorised(args.province, args.households, args.seed, root / "full")
        peak = _peak_rss_mb()  # measured before the (smaller) baselines run
        (root / "tenth").mkdir()
        tenth = _run_vectorised(args.province, max(1, args.households // 10), args.seed, root / "tenth")
        (root / "naive").mkdir()
        naive = _run_naive(min(args.naive_sample, args.households), args.seed, root / "naive")
    scale = args.households / naive["sample_households"]
    naive["scaled_seconds"] = round(float(naive["sample_seconds"]) * scale, 1)
    naive["households_per_second"] = round(naive["sample_households"] / float(naive["sample_seconds"]))
    tenth["scaled_seconds"] = round(float(tenth["wall_seconds"]) * 10, 3)
    report = {
        "benchmark": "synth",
        "province": args.province,
        **main_run,
        "peak_rss_mb": round(peak, 1),
        "target_seconds": TARGET_SECONDS,
        "target_peak_rss_mb": TARGET_MEMORY_MB,
        "within_target": main_run["wall_seconds"] <= TARGET_SECONDS and peak <= TARGET_MEMORY_MB,
        "baseline_tenth": tenth,
        "baseline_naive": naive,
        "speedup_vs_naive": round(naive["scaled_seconds"] / float(main_run["wall_seconds"]), 1),
    }
    print(json.dumps(report, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
