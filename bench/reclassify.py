"""bench.reclassify: reclassify a whole province stored in the database, end to end.

Target (issue 3): 300,000 households in PostgreSQL ≤ 20 s, including reading the facts, deriving
indicators, classifying and writing every result. Prints one JSON line with the phases, beside a
baseline measured in the same run: the per-household Python path (``classify_household`` on ORM
objects) over a sample, scaled up.

    python -m bench.reclassify [--households 300000] [--database-url postgres://…/hongheo_bench]
                               [--reuse]   # keep the loaded province from a previous run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--baseline-sample", type=int, default=3000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-reclassify-")
    os.environ.update(
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hongheo.geography.models import Area
    from hongheo.registry.models import Household

    load_s = None
    if not args.reuse or not Household.objects.exists():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)
        from hongheo.registry.demo import population_load

        t = time.perf_counter()
        population_load(actor=None, province_code=46, households=args.households, communes=None, seed=46)
        load_s = round(time.perf_counter() - t, 1)
    else:
        call_command("migrate", verbosity=0)  # a reused database may predate new migrations
    province = Area.objects.get(code="46")
    households = Household.objects.count()

    from hongheo.standards.classification import classification_run

    phases: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(done: int, total: int, message: str) -> None:
        now = time.perf_counter()
        key = {0: "start", 15: "read_facts", 96: "write_results"}.get(done)
        if key:
            phases[key] = round(now - last[0], 2)
            last[0] = now

    started = time.perf_counter()
    run = classification_run(actor=None, area=province, progress=progress)
    total_s = time.perf_counter() - started
    phases["flip_current"] = round(time.perf_counter() - last[0], 2)

    # Baseline: the straightforward per-household path over a sample, scaled to the province.
    from hongheo.standards.facts import classify_registered_household
    from hongheo.standards.selectors import standard_get

    std = standard_get(run.standard_code)
    t = time.perf_counter()
    sample = Household.objects.select_related("commune").prefetch_related("members")[: args.baseline_sample]
    for h in sample:
        classify_registered_household(std, h, h.members.all(), reference_date=run.reference_date)
    baseline_s = (time.perf_counter() - t) * households / args.baseline_sample
    print(
        json.dumps(
            {
                "bench": "reclassify",
                "database": connection.vendor,
                "households": households,
                "classified": run.households,
                "wall_s": round(total_s, 2),
                "phases_s": phases,
                "households_per_s": round(run.households / total_s),
                "baseline_per_household_python_s": round(baseline_s, 1),
                "speedup": round(baseline_s / total_s, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "seed_load_s": load_s,
                "target_s": 20,
                "loadavg": os.getloadavg()[0],
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
