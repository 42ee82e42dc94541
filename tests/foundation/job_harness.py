"""Drives a database shared with a real worker subprocess (tests/foundation/test_worker_process.py).

Run as ``python tests/foundation/job_harness.py COMMAND [ARGS]`` with DATABASE_URL pointing at the
worker's database; prints one JSON line. It also holds the test job kinds the worker imports
(``HONGHEO_JOB_MODULES=tests.foundation.job_harness``):

* ``test.slow``: advances its progress every 0.2 s for ``steps`` steps on its first attempt; a retry
  finishes at once (so a test can kill the first attempt mid-job and see the retry succeed);
* when ``HONGHEO_TEST_PAUSE_AFTER_WRITE`` is set, the household import stops for a minute after
  writing its rows and before committing (so a test can kill it holding an open write transaction).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()

from hongheo.core.jobs import Progress, job_handler  # noqa: E402
from hongheo.core.models import Job  # noqa: E402


@job_handler("test.slow")
def slow(job: Job, progress: Progress) -> dict[str, Any]:
    steps = int(job.params.get("steps", 100))
    progress.total(steps)
    if job.retry_of_id is None:
        for i in range(steps):
            progress.advance(i, f"bước {i}", force=True)
            time.sleep(0.2)
    return {"steps": steps, "retry": job.retry_of_id is not None}


if os.environ.get("HONGHEO_TEST_PAUSE_AFTER_WRITE"):
    from hongheo.capture.imports import engine

    _write = engine.write

    def _paused_write(*args: Any, **kwargs: Any) -> Any:
        out = _write(*args, **kwargs)
        Path(os.environ["HONGHEO_TEST_PAUSE_AFTER_WRITE"]).write_text("written")
        time.sleep(60)
        return out

    engine.write = _paused_write


def _setup() -> dict[str, Any]:
    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load
    from hongheo.users.models import Role
    from hongheo.users.services import user_create

    map_load(actor=None, province_codes=[46])
    commune = Area.objects.filter(parent__code="46", level=Area.Level.COMMUNE).order_by("code").first()
    assert commune is not None
    user = user_create(
        actor=None,
        username="can-bo-xa",
        password="mat-khau-thu-nghiem",
        role=Role.COMMUNE_OFFICER,
        areas=[commune],
    )
    return {"user": user.pk, "commune": commune.code}


def _user() -> Any:
    from hongheo.users.models import User

    return User.objects.get(username="can-bo-xa")


def _job(pk: str) -> dict[str, Any]:
    job = Job.objects.get(pk=pk)
    return {
        "id": str(job.pk),
        "state": job.state,
        "error": job.error,
        "done": job.progress_done,
        "worker": job.worker,
        "result": job.result,
    }


def main(argv: list[str]) -> dict[str, Any]:
    command, *args = argv
    if command == "setup":
        return _setup()
    if command == "setup_info":
        from hongheo.users.models import User

        return {"commune": User.objects.get(username="can-bo-xa").assignments.get().area.code}
    if command == "enqueue":
        from hongheo.core.jobs import job_enqueue

        job = job_enqueue(actor=_user(), kind=args[0], title="Tác vụ thử", params=json.loads(args[1]))
        return {"id": str(job.pk)}
    if command == "job":
        return _job(args[0])
    if command == "retry":
        from hongheo.core.jobs import job_retry

        return {"id": str(job_retry(actor=_user(), job=Job.objects.get(pk=args[0])).pk)}
    if command == "upload":
        from hongheo.capture.imports.services import import_upload

        # the file names "Thôn 1", not yet in the worker's database: the uploader ticks "tạo thôn mới"
        batch = import_upload(
            actor=_user(), name="danh-sach.csv", data=Path(args[0]).read_bytes(), create_villages=True
        )
        return {"batch": batch.pk, "job": str(batch.job_id), "state": batch.state}
    if command == "batch":
        from hongheo.capture.imports.models import ImportBatch
        from hongheo.registry.models import Household, Member

        batch = ImportBatch.objects.get(pk=args[0])
        return {
            "state": batch.state,
            "job": str(batch.job_id),
            "error": batch.error,
            "households": Household.objects.count(),
            "members": Member.objects.count(),
        }
    raise SystemExit(f"unknown command {command}")


def serve() -> None:
    """One command (a JSON list) per input line, one JSON answer per output line: Django starts once."""
    from django.db import connection

    for line in sys.stdin:
        try:
            answer: dict[str, Any] = {"ok": main(json.loads(line))}
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            connection.close()
        print(json.dumps(answer, default=str), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        print(json.dumps(main(sys.argv[1:]), default=str))
