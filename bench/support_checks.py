"""bench.support_checks: the province's pure integrity checks at province scale.

    python -m bench.support_checks [--communes 150] [--surveys 200000] [--households 3000000]

Prints one JSON line: seconds for the rate check over ``--communes`` communes (each compared with
its peers), the survey-burst window over ``--surveys`` Phiếu B timestamps (sliding window, O(n log n))
beside a naive baseline (every survey against every later one of its user, on a sample scaled up),
and the bunching check over the households of one line's band (about 3 % of ``--households``).
Target: each check well under a second for the largest province (≈ 3–4 M households, ≈ 150 communes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

from hongheo.support import checks


def _naive_bursts(rows: list[tuple[str, dt.datetime, str]]) -> int:
    best = 0
    for i, (user, at, _) in enumerate(rows):
        n = sum(1 for u, t, _ in rows[i:] if u == user and dt.timedelta(0) <= t - at <= checks.SURVEY_WINDOW)
        best = max(best, n)
    return best


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=150)
    parser.add_argument("--surveys", type=int, default=200_000)
    parser.add_argument("--households", type=int, default=3_000_000)
    args = parser.parse_args()
    rng = random.Random(14)

    rates = [
        checks.CommuneRate(f"{i:05d}", rng.choice(["xa", "phuong"]), 20_000, rng.randint(500, 3000), 0)
        for i in range(args.communes)
    ]
    rates = [
        checks.CommuneRate(
            r.commune_code, r.kind, r.households, r.poor_before, int(r.poor_before * rng.uniform(0.7, 1))
        )
        for r in rates
    ]
    t = time.perf_counter()
    flagged = checks.rate_drop_outliers(rates)
    rate_s = time.perf_counter() - t

    start = dt.datetime(2026, 10, 1, 7, 0)
    users = [f"u{i}" for i in range(max(1, args.surveys // 400))]
    surveys = [
        (rng.choice(users), start + dt.timedelta(seconds=rng.randint(0, 75 * 86400)), f"H{i}")
        for i in range(args.surveys)
    ]
    t = time.perf_counter()
    bursts = checks.survey_bursts(surveys)
    burst_s = time.perf_counter() - t
    sample = sorted(surveys[:3000], key=lambda r: r[1])
    t = time.perf_counter()
    _naive_bursts(sample)
    naive_s = (time.perf_counter() - t) * (args.surveys / len(sample)) ** 2

    line = 2_200_000
    band = [
        (f"B{i}", rng.randint(int(line * 0.95), int(line * 1.05))) for i in range(int(args.households * 0.03))
    ]
    t = time.perf_counter()
    checks.bunching(band, line=line, line_name="chuẩn nghèo")
    bunch_s = time.perf_counter() - t

    print(
        json.dumps(
            {
                "bench": "support_checks",
                "communes": args.communes,
                "rate_check_s": round(rate_s, 4),
                "rate_flagged": len(flagged),
                "surveys": args.surveys,
                "survey_bursts_s": round(burst_s, 3),
                "survey_bursts_flagged": len(bursts),
                "survey_bursts_naive_baseline_s_scaled": round(naive_s, 1),
                "bunching_band_households": len(band),
                "bunching_s": round(bunch_s, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
