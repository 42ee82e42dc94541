"""bench.linkage_incremental: one new person matched on the web service path, on PostgreSQL.

    python -m bench.linkage_incremental [--database-url postgres://postgres@127.0.0.1:5432/hongheo_bench_link12]
                                        [--population 1200000] [--people 300] [--service-import]

Loads a generated extract of ``--population`` persons of Huế (:mod:`hongheo.linkage.engine.synth`) as
the province's current :class:`~hongheo.linkage.models.PopulationExtract` (its rows COPYed in the
service's own column values, or with ``--service-import`` through ``extract_import`` itself, the
background job's body), then times, one person at a time:

* ``match_person``: the indexed look-up of the blocking keys, the candidates' rows, the model's
  comparison levels and the probability (what every caller runs);
* ``members_match``: the whole registration path — look-up, scoring, the candidate, the check and its
  audit row written — for registry members created for the bench.

The people are noisy registry rows of the same generated data (missing/mistyped IDs, names without
diacritics, swapped dates…). Target: p95 ≤ 200 ms per person. The scratch database's public schema is
dropped and re-created. Prints one JSON line with the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "people": len(values),
        "median_ms": round(statistics.median(values), 1),
        "p95_ms": round(_pct(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def _reset(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_bench_link12")
    parser.add_argument("--population", type=int, default=1_200_000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--service-import", action="store_true", help="import through extract_import")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="bench-link12-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": args.database_url,
            "HONGHEO_VAR_DIR": tmp,
        }
    )
    sys.path.insert(0, str(ROOT))
    _reset(args.database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection

    settings.MEDIA_ROOT = tmp
    out: dict[str, object] = {
        "bench": "linkage_incremental",
        "database": "postgresql",
        "cpus": os.cpu_count(),
    }
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load

    map_load(actor=None)
    out["setup_s"] = round(time.perf_counter() - t, 1)

    from hongheo.core.errors import ValidationError
    from hongheo.linkage import services as svc
    from hongheo.linkage.engine.prepare import prepare_population
    from hongheo.linkage.engine.synth import make_linkage_data
    from hongheo.linkage.models import MatchCheck, PopulationExtract
    from hongheo.registry.services import MemberInput, household_create

    t = time.perf_counter()
    data = make_linkage_data(args.population, min(args.population, 20_000), seed=args.seed)
    out["generate_s"] = round(time.perf_counter() - t, 1)
    province = Area.objects.get(code="46")
    t = time.perf_counter()
    if args.service_import:
        extract = PopulationExtract(province=province, version=1, file_name="bench.parquet")
        path = Path(tmp) / "bench.parquet"
        data.population.write_parquet(path)
        extract.file.save("bench.parquet", ContentFile(path.read_bytes()), save=False)
        extract.save()
        result = svc.extract_import(extract)
        assert result["state"] == "done", result
    else:
        prepared = prepare_population(data.population)
        cols = svc.person_columns(prepared.frame)
        extract = PopulationExtract.objects.create(
            province=province, version=1, file_name="bench", state="done", is_current=True, rows=cols.height
        )
        names = ", ".join(["extract_id", *svc.PERSON_COLUMNS])
        sql = f"COPY linkage_populationperson ({names}) FROM STDIN"
        with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
            for row in cols.iter_rows():
                copy.write_row((extract.pk, *row))
    with connection.cursor() as cur:
        cur.execute("ANALYZE linkage_populationperson")
    extract.refresh_from_db()
    out["extract_rows"] = extract.rows
    out["extract_load_s"] = round(time.perf_counter() - t, 1)
    out["extract_load"] = "extract_import (the job body)" if args.service_import else "COPY"

    sample = data.registry.sample(args.people, seed=args.seed)
    records = list(sample.iter_rows(named=True))
    # warm-up (DuckDB connection, the model, PostgreSQL's caches): not counted
    for rec in records[:5]:
        svc.match_person(province=province, record=rec, extract=extract)
    times: list[float] = []
    found = 0
    for rec in records:
        t = time.perf_counter()
        got = svc.match_person(province=province, record=rec)
        times.append((time.perf_counter() - t) * 1000)
        found += bool(got and got[0][0].decision)
    out["match_person"] = {**_stats(times), "with_candidate": found}

    # the whole registration path on registry members
    communes = {a.code: a for a in Area.objects.filter(parent=province, level=Area.Level.COMMUNE)}
    member_ids: list[int] = []
    for i, rec in enumerate(records):
        commune = communes.get(str(rec["commune_code"]))
        if commune is None:
            continue
        dob = str(rec["dob"] or "")
        try:
            born = dt.date.fromisoformat(dob) if len(dob) == 10 else None
        except ValueError:
            born = None
        if born is None:
            continue
        pid = str(rec["personal_id"] or "")
        head = {
            "full_name": str(rec["full_name"]),
            "date_of_birth": born,
            "sex": "female" if rec["sex"] == "Nữ" else "male",
            "relation_to_head": "head",
            "facts": {},
        }
        try:  # the registry refuses a mistyped ID number; such a person is entered without one
            hh = household_create(
                actor=None,
                code=f"BENCH-{i:05d}",
                commune=commune,
                members=[MemberInput(personal_id=pid or None, **head)],
            )
        except ValidationError:
            hh = household_create(
                actor=None,
                code=f"BENCH-{i:05d}",
                commune=commune,
                members=[MemberInput(personal_id=None, **head)],
            )
        member_ids.append(hh.members.get().pk)
    path_times: list[float] = []
    for mid in member_ids:
        t = time.perf_counter()
        svc.members_match(member_ids=[mid], source="bench")
        path_times.append((time.perf_counter() - t) * 1000)
    out["members_match"] = {
        **_stats(path_times),
        "with_candidate": MatchCheck.objects.filter(outcome="candidate").count(),
        "note": "registry members from the noisy rows with a full date of birth (the registry needs one); "
        "a mistyped ID number, refused by the registry, is left out",
    }
    out["target_p95_ms"] = 200
    out["load_before"] = [round(x, 2) for x in load_before]
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
