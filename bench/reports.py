"""bench.reports: every aggregate report table of a 300,000-household province, and of one commune,
computed from the ledger on PostgreSQL.

Targets: all tables of the province ≤ 2 s; all tables of one commune ≤ 200 ms (median of the timed
runs, after one warm-up). Prints one JSON line with the phases and, measured in the same run, a
naive baseline: a per-household Python loop over ORM objects (status, ledger and current
classification prefetched) on a sample of households, scaled to the province.

Seeding (not timed) bulk-inserts minimal rows: households with ``area_path`` and groups, causes,
needs and income sources; the official history (``OfficialStatus`` periods: a baseline from 15/12/2024
and one period per change) with ``StatusChange`` rows for about 12 % of households (some after the report
date); one ``HouseholdClassification`` per household computed on 2/1/2025.

    python -m bench.reports [--households 300000] [--database-url postgres://…/hongheo_reports_bench]
                            [--reuse] [--runs 5] [--baseline-sample 3000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)


def seed(n: int, seed_value: int = 46) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load
    from hongheo.registry.models import Household
    from hongheo.reviews.models import OfficialStatus, StatusChange
    from hongheo.standards.models import ClassificationRun, HouseholdClassification
    from hongheo.standards.rules.catalog import get_standard

    t0 = time.perf_counter()
    map_load(actor=None, province_codes=[46])
    province = Area.objects.get(code="46")
    communes = list(Area.objects.filter(parent=province, level=Area.Level.COMMUNE).order_by("code"))
    rng = np.random.default_rng(seed_value)
    codes = list(get_standard("vn-2022-2025").indicator_codes)
    causes = [
        "lack_land",
        "lack_capital",
        "lack_labour",
        "lack_tools",
        "lack_knowledge",
        "lack_skills",
        "illness_accident",
        "other",
    ]
    needs = ["health", "education", "production", "credit", "housing", "other"]
    sources = ["wages", "crops", "livestock", "forestry", "fishery", "business", "other"]
    commune_idx = rng.integers(0, len(communes), n)
    cls_draw = rng.random(n)
    classes = np.where(
        cls_draw < 0.06,
        "poor",
        np.where(cls_draw < 0.11, "near_poor", np.where(cls_draw < 0.20, "average", "not_poor")),
    )
    with transaction.atomic():
        batch = []
        for i in range(n):
            c = communes[commune_idx[i]]
            listed = classes[i] in ("poor", "near_poor")
            batch.append(
                Household(
                    code=f"B{i:07d}",
                    commune=c,
                    area_path=c.path,
                    head_name=f"Hộ {i}",
                    size=int(rng.integers(1, 8)),
                    ethnic_minority=bool(rng.random() < 0.2),
                    merit=bool(rng.random() < 0.05),
                    social_protection=bool(rng.random() < 0.08),
                    no_working_capacity=bool(rng.random() < 0.04),
                    female_head=bool(rng.random() < 0.3),
                    poverty_causes=list(rng.choice(causes, int(rng.integers(1, 3)), replace=False))
                    if listed
                    else [],
                    support_needs=list(rng.choice(needs, int(rng.integers(1, 3)), replace=False))
                    if listed
                    else [],
                    income_sources=list(rng.choice(sources, int(rng.integers(1, 3)), replace=False)),
                    is_active=bool(rng.random() > 0.01),
                )
            )
        Household.objects.bulk_create(batch, batch_size=5000)
        ids = list(
            Household.objects.filter(area_path__startswith=province.path)
            .order_by("pk")
            .values_list("pk", "commune_id")
        )
        # ledger: ~12 % of households change once in 2025 (some change back in 2026); the history
        # gets one period per class, closed when the next one starts
        changes = []
        periods = []
        baseline_day = D(2024, 12, 15)
        moved = rng.random(len(ids)) < 0.12
        for i, (pk, commune_id) in enumerate(ids):
            before = str(classes[i])
            after = str(rng.choice(["poor", "near_poor", "average", "not_poor"])) if moved[i] else before
            if after == before:
                periods.append(
                    OfficialStatus(household_id=pk, classification=before, valid_from=baseline_day)
                )
                continue
            on = D(2025, int(rng.integers(1, 13)), 15)
            kind = {"poor": "newly_poor", "near_poor": "newly_near_poor"}.get(after, "escaped_poverty")
            changes.append(
                StatusChange(
                    household_id=pk,
                    commune_id=commune_id,
                    year=on.year,
                    from_class=before if before in ("poor", "near_poor") else "",
                    to_class=after,
                    kind=kind,
                    effective_on=on,
                )
            )
            periods.append(
                OfficialStatus(household_id=pk, classification=before, valid_from=baseline_day, valid_to=on)
            )
            if rng.random() < 0.2:
                back = D(2026, 2, 1)
                changes.append(
                    StatusChange(
                        household_id=pk,
                        commune_id=commune_id,
                        year=2026,
                        from_class=after if after in ("poor", "near_poor") else "",
                        to_class=before,
                        kind="re_entered_poverty" if before == "poor" else "newly_near_poor",
                        effective_on=back,
                    )
                )
                periods.append(
                    OfficialStatus(household_id=pk, classification=after, valid_from=on, valid_to=back)
                )
                periods.append(OfficialStatus(household_id=pk, classification=before, valid_from=back))
            else:
                periods.append(OfficialStatus(household_id=pk, classification=after, valid_from=on))
        OfficialStatus.objects.bulk_create(periods, batch_size=10000)
        StatusChange.objects.bulk_create(changes, batch_size=10000)
        run = ClassificationRun.objects.create(
            area=province, standard_code="vn-2022-2025", reference_date=D(2025, 1, 1), state="done"
        )
        k = rng.integers(0, 6, len(ids))
        HouseholdClassification.objects.bulk_create(
            [
                HouseholdClassification(
                    run=run,
                    household_id=pk,
                    standard_code="vn-2022-2025",
                    classification=str(classes[i]),
                    area_setting="rural",
                    deprived=";".join(sorted(rng.choice(codes, int(k[i]), replace=False))),
                    deprived_count=int(k[i]),
                    reason="bench",
                    is_current=True,
                )
                for i, (pk, _c) in enumerate(ids)
            ],
            batch_size=10000,
        )
        HouseholdClassification.objects.filter(run=run).update(
            classified_at=timezone.make_aware(dt.datetime(2025, 1, 2, 9, 0))
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seed_s": round(time.perf_counter() - t0, 1), "ledger_rows": len(changes)}


def baseline(user, area, sample: int, total: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The naive way: ORM objects one by one, class decided in Python, counters in dicts."""
    from django.db.models import Prefetch

    from hongheo.registry.access import household_qs_for_user
    from hongheo.standards.models import HouseholdClassification

    t = time.perf_counter()
    qs = (
        household_qs_for_user(user)
        .filter(area_path__startswith=area.path)
        .select_related("commune")
        .prefetch_related(
            "status_history",
            Prefetch("classifications", queryset=HouseholdClassification.objects.filter(is_current=True)),
        )
        .order_by("pk")[:sample]
    )
    counts: dict[tuple[str, str, str], int] = {}

    def class_on(h, on):  # type: ignore[no-untyped-def]
        if not h.is_active:
            return "gone"
        for p in h.status_history.all():
            if p.valid_from <= on and (p.valid_to is None or p.valid_to > on):
                return p.classification
        return "none"

    done = 0
    for h in qs:
        c0, c1 = class_on(h, START - dt.timedelta(days=1)), class_on(h, END)
        key = (h.commune.name, c0, c1)
        counts[key] = counts.get(key, 0) + 1
        for cl in h.classifications.all():
            for code in cl.deprived.split(";"):
                counts[(h.commune.name, c1, code)] = counts.get((h.commune.name, c1, code), 0) + 1
        for g in ("ethnic_minority", "merit", "social_protection", "no_working_capacity", "female_head"):
            if getattr(h, g):
                counts[(h.commune.name, c1, g)] = counts.get((h.commune.name, c1, g), 0) + 1
        for code in h.poverty_causes + h.support_needs:
            counts[(h.commune.name, c1, code)] = counts.get((h.commune.name, c1, code), 0) + 1
        done += 1
    part = time.perf_counter() - t
    return {
        "baseline_sample": done,
        "baseline_sample_s": round(part, 3),
        "baseline_scaled_s": round(part * total / done, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_reports_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-sample", type=int, default=3000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-reports-")
    os.environ.update(
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
    )
    # the scratch database is created here, as bench.imports does (a fresh machine has none);
    # --reuse keeps an existing one
    if args.database_url.startswith("postgres"):
        import psycopg

        base, name = args.database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not args.reuse:
                conn.execute(f'DROP DATABASE "{name}"')
            if not exists or not args.reuse:
                conn.execute(f'CREATE DATABASE "{name}"')
    elif args.database_url.startswith("sqlite:///") and not args.reuse:
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hongheo.geography.models import Area
    from hongheo.registry.models import Household
    from hongheo.reports import builders
    from hongheo.users.models import User
    from hongheo.users.services import user_create

    seeded: dict[str, float] = {}
    if not args.reuse or not Household.objects.exists():
        call_command("migrate", verbosity=0)
        seeded = seed(args.households)
    province = Area.objects.get(code="46")
    commune = Area.objects.filter(parent=province, level=Area.Level.COMMUNE).order_by("code").first()
    assert commune is not None

    def user(name: str, role: str, area: Area) -> User:
        existing = User.objects.filter(username=name).first()
        return existing or user_create(
            actor=None, username=name, password="bench-password-123", role=role, areas=[area]
        )

    prov_user = user("bench-province", "province_officer", province)
    com_user = user("bench-commune", "commune_officer", commune)

    def timed(u, area):  # type: ignore[no-untyped-def]
        walls, phases = [], []
        tables = []
        for i in range(args.runs + 1):
            u._scope_paths = None  # a fresh request
            t = time.perf_counter()
            cube = builders.build_cube(u, area, START, END)
            t_cube = time.perf_counter() - t
            tables = builders.tables_from_cube(cube)
            wall = time.perf_counter() - t
            if i:  # first run warms caches (catalog, standard, connection)
                walls.append(wall)
                phases.append(
                    {**{k: round(v, 4) for k, v in cube.timings.items()}, "tables_s": round(wall - t_cube, 4)}
                )
        with CaptureQueriesContext(connection) as ctx:
            u._scope_paths = None
            builders.tables_from_cube(builders.build_cube(u, area, START, END))
        return walls, phases, tables, len(ctx.captured_queries)

    p_walls, p_phases, p_tables, p_queries = timed(prov_user, province)
    c_walls, c_phases, c_tables, c_queries = timed(com_user, commune)
    kq = {t.layout.code: t for t in p_tables}["ket_qua"]
    province_households = kq.value("__total__", "households")
    commune_households = {t.layout.code: t for t in c_tables}["ket_qua"].value("__total__", "households")
    base = baseline(
        prov_user,
        province,
        args.baseline_sample,
        int(Household.objects.filter(area_path__startswith=province.path).count()),
    )
    p_med, c_med = statistics.median(p_walls), statistics.median(c_walls)
    out = {
        "bench": "reports",
        "database": connection.vendor,
        "households_in_province": Household.objects.filter(area_path__startswith=province.path).count(),
        "active_households_at_end": province_households,
        "communes_in_province": len(kq.rows) - 1,
        "commune_households": Household.objects.filter(commune=commune).count(),
        "commune_active_households_at_end": commune_households,
        "tables": len(p_tables),
        "period": [START.isoformat(), END.isoformat()],
        **seeded,
        "province_all_tables_s": round(p_med, 3),
        "province_runs_s": [round(w, 3) for w in p_walls],
        "province_phases_last_run": p_phases[-1],
        "province_queries": p_queries,
        "province_target_s": 2.0,
        "commune_all_tables_ms": round(c_med * 1000, 1),
        "commune_runs_ms": [round(w * 1000, 1) for w in c_walls],
        "commune_phases_last_run": c_phases[-1],
        "commune_queries": c_queries,
        "commune_target_ms": 200,
        **base,
        "speedup_province_vs_baseline": round(base["baseline_scaled_s"] / p_med, 1),
        "targets_met": {"province": p_med <= 2.0, "commune": c_med <= 0.2},
        "poor_at_end": kq.value("__total__", "cls:poor"),
        "identity_holds": all(
            t.value("__total__", f"tr:{c}:end")
            == t.value("__total__", f"tr:{c}:start")
            - t.value("__total__", f"tr:{c}:dec_total")
            + t.value("__total__", f"tr:{c}:inc_total")
            for t in p_tables
            for c in ("poor", "near_poor")
            if t.layout.code == f"dien_bien_{'ngheo' if c == 'poor' else 'can_ngheo'}"
        ),
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
