"""bench.federation: the centre's national tables from 34 signed province pushes, and dashboard reads
of pre-computed roll-ups.

Seeds (not timed, except where said) the real map, one registered Ed25519 key per province and one
signed push per province with a row for every real commune and three previous year-ends; each push
goes through the receiving service (signature check, validation, storage: timed as ``receive_*``).
Then it times, over ``--runs`` runs after a warm-up:

* ``national_s``: the national table (every province's latest accepted push → national and
  per-province totals, plus progress of a few national targets per province): target ≤ 1 s;
* ``rollup_read_p95_ms``: a province dashboard's figures read from the roll-up table plus its totals
  (the dashboard path once the roll-up exists), p95 of ``--reads`` reads: target ≤ 200 ms;
* ``baseline_reverify_s``: the naive alternative measured in the same run: validate every stored
  push again at read time (schema and key) before rebuilding the table.

    python -m bench.federation [--database-url sqlite:///…] [--runs 5] [--reads 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="hongheo-bench-federation-")
    os.environ.update(
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url or f"sqlite:///{tmp}/centre.sqlite3",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load
    from hongheo.oversight import federation, figures, selectors, services
    from hongheo.oversight.models import ProvinceKey, ReceivedPush, Rollup, Target
    from hongheo.oversight.progress import GROUPS, Unit

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    map_load(actor=None)
    rng = np.random.default_rng(13)
    today = timezone.localdate()
    centre = Area.objects.get(level=Area.Level.CENTRAL)
    provinces = list(Area.objects.filter(level=Area.Level.PROVINCE, historical=False).order_by("code"))
    communes: dict[int, list[Area]] = {}
    for c in Area.objects.filter(level=Area.Level.COMMUNE, historical=False):
        communes.setdefault(c.parent_id or 0, []).append(c)

    def rows_for(province: Area, factor: float) -> list[dict]:
        out = []
        for c in communes.get(province.pk, []):
            n = int(rng.integers(2_000, 14_000))
            poor = int(n * rng.uniform(0.005, 0.12) * factor)
            near = int(n * rng.uniform(0.01, 0.08))
            out.append(
                {
                    "code": c.code,
                    "name": c.name,
                    "setting": c.setting or "rural",
                    "mountain": bool(rng.random() < 0.3),
                    "households": n,
                    "households_start": n,
                    "persons": n * 3,
                    "poor": poor,
                    "near_poor": near,
                    "average": int(n * 0.1),
                    "poor_start": int(poor * 1.2),
                    "near_poor_start": near,
                    "groups": {
                        g: {"households": n // 5, "poor": poor // 3, "near_poor": near // 4} for g in GROUPS
                    },
                }
            )
        return out

    t0 = time.perf_counter()
    bodies = []
    for province in provinces:
        key = federation.load_private_key(federation.new_private_key_pem())
        ProvinceKey.objects.create(province=province, public_key=federation.public_key_b64(key))
        history = [
            {"on": dt.date(today.year - k, 12, 31).isoformat(), "rows": rows_for(province, 1 + 0.2 * k)}
            for k in (3, 2, 1)
        ]
        fig_now = {
            "schema": 1,
            "area": {"code": province.code, "name": province.name, "level": "province"},
            "on": today.isoformat(),
            "start": f"{today.year}-01-01",
            "standard": "vn-2022-2025",
            "rows": rows_for(province, 1.0),
            "breakdowns": {"indicators": [], "groups": [], "causes": [], "needs": []},
            "support": [],
        }
        payload = federation.build_payload(
            province=province.code,
            report_id=f"{province.code:0>8}-0000-0000-0000-000000000001",
            sequence=1,
            generated_at=timezone.now(),
            figures=fig_now,
            history=history,
        )
        bodies.append(federation.canonical(federation.sign(payload, key)))
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for body in bodies:
        _push, outcome = services.push_receive(body=body)
        assert outcome == "accepted", outcome
    receive_s = time.perf_counter() - t0
    for i, (metric, op, value, area_type) in enumerate(
        [("rate", "below", 1.5, "rural"), ("rate", "below", 5, "mountain"), ("reduction", "at_least", 1, "")]
    ):
        Target.objects.create(
            area=centre,
            year_from=today.year,
            year_to=today.year,
            metric=metric,
            op=op,
            value=value,
            area_type=area_type,
            title=f"t{i}",
        )

    def national() -> int:
        now, base, by_province = selectors.national_figures()
        figures.totals(now["rows"])
        units = [Unit(c, i["name"], i["rows_now"], i["rows_base"]) for c, i in by_province.items()]
        progress = selectors.target_progress(centre, now, base, today.year, units=units)
        return len(now["rows"]) + len(progress)

    def reverify() -> int:
        keys = dict(ProvinceKey.objects.values_list("province__code", "public_key"))
        for push in ReceivedPush.objects.all():
            payload = push.payload
            federation.validate_payload(payload)
            federation.parse_public_key(keys[push.province_code])
        return national()

    timings = []
    for i in range(args.runs + 1):
        t = time.perf_counter()
        national()
        if i:
            timings.append(time.perf_counter() - t)
    base_t = []
    for _ in range(3):
        t = time.perf_counter()
        reverify()
        base_t.append(time.perf_counter() - t)
    # dashboard roll-up reads: one province's figures stored as a roll-up
    hue = next(p for p in provinces if p.code == "46")
    Rollup.objects.create(
        area=hue, on=today, computed_at=timezone.now(), figures=json.loads(bodies[0])["payload"]["figures"]
    )
    reads = []
    for _ in range(args.reads):
        t = time.perf_counter()
        f = Rollup.objects.get(area=hue, on=today).figures
        figures.totals(f["rows"])
        reads.append(time.perf_counter() - t)
    reads.sort()
    rows = sum(len(communes.get(p.pk, [])) for p in provinces)
    print(
        json.dumps(
            {
                "bench": "federation",
                "database": connection.vendor,
                "provinces": len(provinces),
                "commune_rows": rows,
                "push_bytes_mean": int(statistics.mean(len(b) for b in bodies)),
                "seed_s": round(seed_s, 3),
                "receive_total_s": round(receive_s, 3),
                "receive_per_push_ms": round(receive_s / len(bodies) * 1000, 1),
                "national_s": round(statistics.median(timings), 4),
                "national_target_s": 1.0,
                "baseline_reverify_s": round(statistics.median(base_t), 4),
                "rollup_read_p95_ms": round(reads[int(len(reads) * 0.95) - 1] * 1000, 2),
                "rollup_read_target_ms": 200,
                "load": os.getloadavg()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
