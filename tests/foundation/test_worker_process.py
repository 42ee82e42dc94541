"""Background jobs recover: a REAL worker process (``manage.py run_worker``) killed by SIGKILL mid-job,
and a worker meeting a locked / dropped database. The worker and the test share a database of their own
(a SQLite file, or a PostgreSQL database next to the test database), migrated once for this module;
the test drives it through tests/foundation/job_harness.py and reads job rows directly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = str(ROOT / "tests" / "foundation" / "job_harness.py")
LEASE = 3.0


class Shared:
    def __init__(self, url: str, var_dir: Path) -> None:
        self.url = url
        self.var_dir = var_dir
        self.sqlite = url.startswith("sqlite")
        self.commune = ""
        self.proc: subprocess.Popen[str]

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.url,
            "HONGHEO_VAR_DIR": str(self.var_dir),
            "HONGHEO_JOB_MODULES": "tests.foundation.job_harness",
            "JOB_LEASE_SECONDS": str(LEASE),
            "JOB_HEARTBEAT_SECONDS": "0.5",
            "JOB_POLL_SECONDS": "0.2",
            "PYTHONPATH": str(ROOT),
        }
        env.update(extra)
        return env

    def start_harness(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, HARNESS, "serve"],
            cwd=ROOT,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def harness(self, *args: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert "ok" in answer, answer
        return dict(answer["ok"])

    def worker(self, log: Path, **extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def job(self, pk: str) -> dict[str, Any]:
        """The job row, read directly (fast polling without starting Django)."""
        sql = "SELECT state, error, progress_done, worker FROM core_job WHERE id = "
        if self.sqlite:
            with sqlite3.connect(urlparse(self.url).path, timeout=30) as db:
                row = db.execute(sql + "?", (pk.replace("-", ""),)).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url) as db:
                row = db.execute(sql + "%s", (pk,)).fetchone()
        assert row is not None
        return {"state": row[0], "error": row[1], "done": row[2], "worker": row[3]}


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    base = tmp_path_factory.mktemp("worker")
    url = os.environ.get("DATABASE_URL", "")
    drop: Callable[[], None] | None = None
    if url.startswith("postgres"):
        import psycopg

        parsed = urlparse(url)
        name = f"{parsed.path.lstrip('/')}_worker"
        admin = parsed._replace(path="/postgres").geturl()

        def recreate(create: bool) -> None:
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if create:
                    db.execute(f'CREATE DATABASE "{name}"')

        recreate(True)
        drop = lambda: recreate(False)  # noqa: E731
        url = parsed._replace(path=f"/{name}").geturl()
    else:
        url = f"sqlite:///{base / 'worker.sqlite3'}"
    s = Shared(url, base)
    r = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=s.env(), capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr[-3000:]
    s.start_harness()
    s.commune = s.harness("setup")["commune"]
    yield s
    assert s.proc.stdin is not None
    s.proc.stdin.close()
    s.proc.wait(timeout=30)
    if drop is not None:
        drop()


def test_killed_worker_job_is_marked_interrupted_within_the_lease_and_retry_works(shared, tmp_path):
    job = shared.harness("enqueue", "test.slow", json.dumps({"steps": 400}))["id"]
    first = shared.worker(tmp_path / "w1.log")
    second = None
    try:
        wait_for(lambda: shared.job(job)["done"] >= 3, 60, "the job to run")
        assert shared.job(job)["state"] == "running"
        # A second worker polling beside a live one leaves its job alone: the heartbeat renews the lease.
        second = shared.worker(tmp_path / "w2.log")
        time.sleep(LEASE + 1.5)
        assert shared.job(job)["state"] == "running"
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        row = wait_for(
            lambda: (j := shared.job(job))["state"] == "failed" and j, LEASE + 20, "the job to be interrupted"
        )
        assert time.monotonic() - killed <= LEASE + 10
        assert "Tác vụ bị gián đoạn" in row["error"] and str(first.pid) in row["error"]
        retry = shared.harness("retry", job)["id"]
        wait_for(lambda: shared.job(retry)["state"] == "succeeded", 60, "the retry to succeed")
        assert shared.harness("job", retry)["result"] == {"steps": 400, "retry": True}
        assert second.poll() is None  # the live worker stayed up throughout
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            assert stop(second) == 0


def _csv(commune: str, households: int) -> bytes:
    headings = [
        "Mã hộ",
        "Mã xã/phường",
        "Thôn/tổ dân phố",
        "Họ và tên",
        "Số định danh cá nhân",
        "Ngày sinh",
        "Giới tính",
        "Quan hệ với chủ hộ",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    serial = 700_000
    for n in range(households):
        for name, dob, sex, rel in (
            ("Nguyễn Văn Hùng", dt.date(1975, 4, 3), "Nam", "Chủ hộ"),
            ("Trần Thị Lan", dt.date(1978, 11, 20), "Nữ", "Vợ/chồng"),
        ):
            serial += 1
            digit = 0 if sex == "Nam" else 1
            pid = f"046{digit}{dob.year % 100:02d}{serial:06d}"
            writer.writerow([f"W{n:05d}", commune, "Thôn 1", name, pid, dob.strftime("%d/%m/%Y"), sex, rel])
    return out.getvalue().encode()


def test_import_killed_inside_its_write_transaction_writes_nothing_and_retries_idempotently(shared, tmp_path):
    commune = shared.commune
    upload = tmp_path / "danh-sach.csv"
    upload.write_bytes(_csv(commune, 30))
    flag = tmp_path / "written"
    paused = shared.worker(tmp_path / "w1.log", HONGHEO_TEST_PAUSE_AFTER_WRITE=str(flag))
    other = None
    try:
        queued = shared.harness("upload", str(upload))
        assert queued["state"] == "queued", queued
        job, batch = queued["job"], str(queued["batch"])
        wait_for(flag.exists, 60, "the import to write its rows")
        scratch = shared.var_dir / "tmp" / "jobs" / job
        paused.send_signal(signal.SIGKILL)
        paused.wait()
        other = shared.worker(tmp_path / "w2.log")
        row = wait_for(lambda: (j := shared.job(job))["state"] == "failed" and j, LEASE + 20, "interruption")
        assert "Tác vụ bị gián đoạn" in row["error"]
        state = shared.harness("batch", batch)
        assert state["state"] == "failed" and "gián đoạn" in state["error"]
        assert state["households"] == 0 and state["members"] == 0  # the open transaction was rolled back
        assert not scratch.exists()  # temporary files of the killed job are gone
        retry = shared.harness("retry", job)["id"]
        wait_for(lambda: shared.job(retry)["state"] == "succeeded", 60, "the retried import")
        state = shared.harness("batch", batch)
        assert state["state"] == "done" and state["job"] == retry
        assert (state["households"], state["members"]) == (30, 60)
        # Retrying the interrupted job once more changes nothing: the batch is already written.
        again = shared.harness("retry", job)["id"]
        wait_for(lambda: shared.job(again)["state"] == "succeeded", 60, "the second retry")
        assert shared.harness("job", again)["result"]["already_done"] is True
        state = shared.harness("batch", batch)
        assert (state["households"], state["members"]) == (30, 60)
        # Uploading the same file again is recognised by its hash: nothing is queued or written.
        dup = shared.harness("upload", str(upload))
        assert dup["state"] == "duplicate"
    finally:
        if paused.poll() is None:
            paused.kill()
        if other is not None:
            assert stop(other) == 0


def test_worker_survives_a_locked_or_dropped_database(shared, tmp_path):
    job = shared.harness("enqueue", "test.slow", json.dumps({"steps": 1}))["id"]
    log = tmp_path / "w.log"
    if shared.sqlite:
        holder = sqlite3.connect(urlparse(shared.url).path, isolation_level=None, timeout=30)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the only write lock
        worker = shared.worker(log, SQLITE_BUSY_TIMEOUT_MS="100")
        try:
            wait_for(lambda: "database is locked" in log.read_text(), 30, "the worker to meet the lock")
            time.sleep(1.0)
            assert worker.poll() is None, log.read_text()
            assert shared.job(job)["state"] == "queued"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        import psycopg

        worker = shared.worker(log)
        wait_for(lambda: "worker started" in log.read_text(), 30, "the worker to start")
        wait_for(lambda: shared.job(job)["state"] == "succeeded", 30, "the first job")
        with psycopg.connect(shared.url, autocommit=True) as db:  # drop the worker's connection
            dropped = db.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert dropped and dropped[0] >= 1
        job = shared.harness("enqueue", "test.slow", json.dumps({"steps": 1}))["id"]
        wait_for(lambda: "database error" in log.read_text(), 30, "the worker to meet the dropped connection")
    try:
        wait_for(lambda: shared.job(job)["state"] == "succeeded", 30, "the job after the database came back")
        assert worker.poll() is None
        assert "Traceback" not in log.read_text()
    finally:
        assert stop(worker) == 0
