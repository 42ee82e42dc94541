"""bench.upload_lock: does a large upload block other users' logins on SQLite?

While one user uploads a household list (``import_upload``: read, check, hash, store, record),
another thread performs what a login writes (``login_record_success``: a delete and an audit row)
every 20 ms and times each one. Measured twice on the same file SQLite database:

* ``current``: the service as shipped (file parsed before its one short write transaction);
* ``baseline``: the same call wrapped in ``transaction.atomic()``, which is what the service did before
  issue 7 (``@transaction.atomic`` around the parse; SQLite's IMMEDIATE mode takes the write lock at
  BEGIN, so every login waits for the whole parse).

Prints one JSON line: upload seconds and login-write latency (median, max, count over 1 s) per
variant. Bounded: one xlsx of ``--rows`` member rows (default 60,000).

    python -m bench.upload_lock [--rows 60000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _setup(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["HONGHEO_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _xlsx(rows: int, commune: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    head = ["Mã hộ", "Mã xã/phường", "Thôn/tổ dân phố", "Họ và tên", "Số định danh cá nhân", "Ngày sinh"]
    head += ["Giới tính", "Quan hệ với chủ hộ"]
    sheet.write_row(0, 0, head)
    for i in range(rows):
        head_row = i % 3 == 0
        sex = "Nam" if head_row else "Nữ"
        pid = f"046{0 if head_row else 1}80{i:06d}"
        relation = "Chủ hộ" if head_row else "Con"
        row = [f"B{i // 3:06d}", commune, "Thôn 1", "Nguyễn Văn An", pid, "01/02/1980", sex, relation]
        sheet.write_row(i + 1, 0, row)
    book.close()
    return out.getvalue()


def _measure(upload: Any, user: Any) -> dict[str, Any]:
    from django.db import connection

    from hongheo.users.services import login_record_success

    latencies: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def logins() -> None:
        try:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    login_record_success(user=user, address="10.0.0.9")
                except Exception as exc:  # "database is locked" after the busy timeout
                    errors.append(type(exc).__name__)
                latencies.append(time.perf_counter() - t)
                time.sleep(0.02)
        finally:
            connection.close()

    thread = threading.Thread(target=logins)
    thread.start()
    time.sleep(0.3)
    start = time.perf_counter()
    upload()
    seconds = time.perf_counter() - start
    time.sleep(0.3)
    stop.set()
    thread.join()
    return {
        "upload_s": round(seconds, 3),
        "login_write_ms_median": round(1000 * statistics.median(latencies), 1),
        "login_write_ms_max": round(1000 * max(latencies), 1),
        "login_writes": len(latencies),
        "login_errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=60_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from django.db import transaction

        from hongheo.capture.imports.services import import_upload
        from hongheo.geography.models import Area
        from hongheo.geography.services import map_load
        from hongheo.users.models import Role
        from hongheo.users.services import user_create

        map_load(actor=None, province_codes=[46])
        commune = Area.objects.filter(parent__code="46", level=Area.Level.COMMUNE).order_by("code").first()
        assert commune is not None
        officer = user_create(
            actor=None,
            username="canbo",
            password="mat-khau-bench-1",
            role=Role.COMMUNE_OFFICER,
            areas=[commune],
        )
        other = user_create(
            actor=None, username="nguoikhac", password="mat-khau-bench-2", role=Role.SURVEYOR, areas=[commune]
        )
        data = _xlsx(args.rows, commune.code)

        def current() -> None:
            import_upload(actor=officer, name="a.xlsx", data=data)

        def baseline() -> None:
            with transaction.atomic():  # the service's former @transaction.atomic
                import_upload(actor=officer, name="b.xlsx", data=data + b"")

        result = {
            "bench": "upload_lock",
            "rows": args.rows,
            "file_mb": round(len(data) / 1e6, 2),
            "current": _measure(current, other),
            "baseline": _measure(baseline, other),
            "load": os.getloadavg()[0],
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
