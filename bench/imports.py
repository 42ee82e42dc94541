"""bench.imports: import a province's list (300,000 households, ≈ 1 M members) from one CSV in the
product's template (one row per member, Vietnamese headings and labels, dd/mm/yyyy dates).

Targets: the import job (read, vectorised validation, registry look-ups, one-transaction write
with COPY, rejected-rows workbook) ≤ 60 s on PostgreSQL, ≤ 90 s on SQLite. Prints one JSON line
with the phases and, measured in the same run, a naive baseline: one ``household_create``
service call per household (per-row validation and ORM writes) on a sample, scaled to the file.
It also re-runs the same file (recognised by its sha256, nothing written) and counts the rows.

The file is generated (not timed) from ``hongheo.registry.synth`` with 0.5 % of rows spoiled
(bad dates, IDs that disagree with the sex, unknown relations) so the rejection path is timed too.

    python -m bench.imports [--households 300000] [--database-url postgres://…/hongheo_import_bench]
                            [--baseline-sample 1000]
    python -m bench.imports --database-url sqlite:////tmp/hongheo_import_bench.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HEAD_LABELS = {
    "head": "Chủ hộ",
    "spouse": "Vợ/chồng",
    "child": "Con",
    "child_in_law": "Con dâu/con rể",
    "parent": "Bố/mẹ",
    "grandparent": "Ông/bà",
    "grandchild": "Cháu",
    "sibling": "Anh/chị/em",
    "other": "Khác",
}


def make_file(path: Path, households: int, seed: int = 46) -> dict[str, int]:
    from hongheo.registry import code_lists
    from hongheo.registry.synth import generate_population

    population = generate_population(46, households, seed=seed)
    hh = population.households.select(
        pl.col("household_id").cast(pl.String),
        pl.col("commune_code").cast(pl.String).str.zfill(5).alias("Mã xã/phường"),
        pl.col("village_name").alias("Thôn/tổ dân phố"),
        pl.col("address").alias("Địa chỉ"),
        pl.col("housing_quality")
        .replace_strict(code_lists.labels("housing_quality"), default=None)
        .alias("Loại nhà ở"),
        pl.col("water_source")
        .replace_strict(code_lists.labels("water_source"), default=None)
        .alias("Nguồn nước sinh hoạt"),
        pl.col("toilet").replace_strict(code_lists.labels("toilet"), default=None).alias("Nhà tiêu"),
        pl.col("floor_area_m2").cast(pl.String).alias("Diện tích nhà ở (m²)"),
        pl.col("income_per_capita").cast(pl.String).alias("Thu nhập bình quân (đồng/người/tháng)"),
        pl.when(pl.col("income_per_capita") < 1_500_000)
        .then(pl.lit("Hộ nghèo"))
        .when(pl.col("income_per_capita") < 2_000_000)
        .then(pl.lit("Hộ cận nghèo"))
        .alias("Loại hộ hiện tại"),
        pl.when(pl.col("income_per_capita") < 2_000_000).then(pl.lit("20/12/2024")).alias("Ngày quyết định"),
        pl.when(pl.col("income_per_capita") < 2_000_000)
        .then(pl.lit("123/QĐ-UBND"))
        .alias("Số quyết định công nhận"),
    )
    members = population.members.select(
        pl.col("household_id").cast(pl.String),
        pl.col("full_name").alias("Họ và tên"),
        pl.col("personal_id").alias("Số định danh cá nhân"),
        pl.col("date_of_birth").cast(pl.Date).dt.strftime("%d/%m/%Y").alias("Ngày sinh"),
        pl.col("sex").replace_strict({"male": "Nam", "female": "Nữ"}).alias("Giới tính"),
        pl.col("relation_to_head").replace_strict(HEAD_LABELS).alias("Quan hệ với chủ hộ"),
        pl.col("ethnicity").alias("Dân tộc"),
    )
    frame = members.join(hh, on="household_id", how="left", maintain_order="left").rename(
        {"household_id": "Mã hộ"}
    )
    # household facts on the head's row only, as officers fill them in
    is_head = pl.col("Quan hệ với chủ hộ") == "Chủ hộ"
    facts = [c for c in hh.columns if c not in ("household_id", "Mã xã/phường", "Thôn/tổ dân phố", "Địa chỉ")]
    frame = frame.with_columns(pl.when(is_head).then(pl.col(c)).alias(c) for c in facts)
    # spoil 0.5 % of rows, three ways
    n = frame.height
    idx = pl.int_range(0, n, eager=True)
    frame = frame.with_columns(
        pl.when(idx % 600 == 7).then(pl.lit("31/02/1990")).otherwise(pl.col("Ngày sinh")).alias("Ngày sinh"),
        pl.when(idx % 600 == 307)
        .then(pl.when(pl.col("Giới tính") == "Nam").then(pl.lit("Nữ")).otherwise(pl.lit("Nam")))
        .otherwise(pl.col("Giới tính"))
        .alias("Giới tính"),
        pl.when(idx % 600 == 501)
        .then(pl.lit("Hàng xóm"))
        .otherwise(pl.col("Quan hệ với chủ hộ"))
        .alias("Quan hệ với chủ hộ"),
    )
    frame.write_csv(path)
    return {"rows": n, "households": population.households.height}


def baseline(actor: object, path: Path, sample: int, total_households: int) -> dict[str, float]:
    """The naive way: parse rows in Python and call ``household_create`` once per household."""
    import csv

    from django.db import transaction

    from hongheo.geography.models import Area
    from hongheo.registry.services import MemberInput, household_create

    rels = {v: k for k, v in HEAD_LABELS.items()}
    groups: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["Mã hộ"], []).append(row)
            if len(groups) > sample:
                break
    communes: dict[str, Area] = {}
    done = 0
    start = time.perf_counter()
    try:
        with transaction.atomic():
            for code, rows in list(groups.items())[:sample]:
                commune_code = rows[0]["Mã xã/phường"]
                commune = communes.get(commune_code) or Area.objects.get(code=commune_code)
                communes[commune_code] = commune
                members = []
                for r in rows:
                    d, m, y = r["Ngày sinh"].split("/")
                    try:
                        dob = dt.date(int(y), int(m), int(d))
                    except ValueError:
                        continue  # a rejected row
                    members.append(
                        MemberInput(
                            full_name=r["Họ và tên"],
                            date_of_birth=dob,
                            sex="male" if r["Giới tính"] == "Nam" else "female",
                            relation_to_head=rels.get(r["Quan hệ với chủ hộ"], "other"),
                            personal_id=r["Số định danh cá nhân"],
                        )
                    )
                try:
                    with transaction.atomic():
                        household_create(actor=actor, code="BASE" + code, commune=commune, members=members)
                except Exception:  # noqa: S110 — a rejected household is part of the work
                    pass
                done += 1
            raise _Rollback
    except _Rollback:
        pass
    took = time.perf_counter() - start
    return {
        "baseline_sample_households": done,
        "baseline_sample_s": round(took, 3),
        "baseline_scaled_s": round(took * total_households / max(done, 1), 1),
    }


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_import_bench")
    parser.add_argument("--baseline-sample", type=int, default=1000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hongheo-bench-imports-"))
    os.environ.update(
        HONGHEO_VAR_DIR=str(tmp),
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
    )
    if args.database_url.startswith("postgres"):
        import psycopg

        base, name = args.database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hongheo.capture.imports.models import ImportBatch
    from hongheo.capture.imports.services import import_run, import_upload
    from hongheo.core.models import AuditEvent
    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load
    from hongheo.registry.models import Household, Member
    from hongheo.reviews.models import OfficialStatus
    from hongheo.users.services import user_create

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    map_load(actor=None, province_codes=[46])
    province = Area.objects.get(code="46")
    # the importer: a commune officer assigned every commune of the province (only roles that
    # write households may import, and only inside their areas)
    communes = list(Area.objects.filter(parent=province, level=Area.Level.COMMUNE))
    user = user_create(
        actor=None,
        username="bench-import",
        password="bench-password-123",
        role="commune_officer",
        areas=communes,
    )
    path = tmp / "danh-sach.csv"
    made = make_file(path, args.households)
    setup_s = time.perf_counter() - t
    data = path.read_bytes()

    t = time.perf_counter()
    batch = import_upload(actor=user, name=path.name, data=data)
    upload_s = time.perf_counter() - t
    del data
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    result = import_run(batch=ImportBatch.objects.get(pk=batch.pk))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    batch.refresh_from_db()

    # the same file again: recognised, nothing written
    before = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    t = time.perf_counter()
    again = import_upload(actor=user, name=path.name, data=path.read_bytes())
    rerun_s = time.perf_counter() - t
    after = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count() - 2)

    base = baseline(user, path, args.baseline_sample, made["households"])
    target = 60.0 if connection.vendor == "postgresql" else 90.0
    out = {
        "bench": "imports",
        "database": connection.vendor,
        "file_rows": made["rows"],
        "file_households": made["households"],
        "file_mb": round(path.stat().st_size / 1_048_576, 1),
        "setup_s": round(setup_s, 1),
        "upload_preview_s": round(upload_s, 2),
        "import_s": round(wall, 2),
        "import_cpu_s": round(cpu, 2),
        "import_target_s": target,
        "import_meets_target": wall <= target,
        "rows_per_s": int(made["rows"] / wall),
        "phases_s": result["timings"],
        "households_new": result["households_new"],
        "members_new": result["members_new"],
        "households_rejected": result["households_rejected"],
        "rows_rejected": result["rows_rejected"],
        "statuses_set": result["statuses_set"],
        "villages_created": len(result["villages_created"]),
        "db_households": Household.objects.count(),
        "db_members": Member.objects.count(),
        "db_statuses": OfficialStatus.objects.count(),
        "rerun_state": again.state,
        "rerun_s": round(rerun_s, 2),
        "rerun_changed_nothing": before == after,
        **base,
        "speedup_vs_baseline": round(base["baseline_scaled_s"] / wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
