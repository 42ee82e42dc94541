"""Job leases, interruption, the worker loop's handling of database errors, uploads parsed outside
the write transaction (in-process; the real killed-worker runs are in test_worker_process.py)."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from hongheo.core import jobs
from hongheo.core.errors import Conflict
from hongheo.core.jobs import (
    job_enqueue,
    job_handler,
    job_retry,
    job_scratch_dir,
    jobs_reap_interrupted,
    run_pending_jobs,
    worker_loop,
)
from hongheo.core.models import AuditEvent, Job
from hongheo.users.models import Role


@job_handler("test.recovery")
def _quick(job, progress):
    (job_scratch_dir(job) / "part.tmp").write_text("x")
    return {"ok": True}


def _running(user, *, beat_ago: float) -> Job:
    job = job_enqueue(actor=user, kind="test.recovery", title="Nhập danh sách")
    beat = timezone.now() - dt.timedelta(seconds=beat_ago)
    Job.objects.filter(pk=job.pk).update(
        state="running", started_at=beat, heartbeat_at=beat, worker="may-1:4242"
    )
    job.refresh_from_db()
    return job


def test_job_without_heartbeat_for_the_lease_is_interrupted_and_retryable(world, settings):
    settings.JOB_LEASE_SECONDS = 30
    user = world.users[Role.COMMUNE_OFFICER]
    dead = _running(user, beat_ago=31)
    alive = _running(user, beat_ago=5)
    scratch = job_scratch_dir(dead)
    (scratch / "half.xlsx").write_bytes(b"...")
    reaped = jobs_reap_interrupted()
    assert [j.pk for j in reaped] == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert alive.state == "running"
    assert (
        dead.state == "failed" and dead.error.startswith("Tác vụ bị gián đoạn") and "may-1:4242" in dead.error
    )
    assert dead.finished_at is not None and not scratch.exists()
    assert AuditEvent.objects.filter(action="job.interrupted", object_id=str(dead.pk)).exists()
    assert jobs_reap_interrupted() == []  # marked once
    with pytest.raises(Conflict, match="đã thất bại hoặc bị gián đoạn"):
        job_retry(actor=user, job=alive)
    new = job_retry(actor=user, job=dead)
    assert run_pending_jobs() == 1
    new.refresh_from_db()
    assert new.state == "succeeded" and new.retry_of_id == dead.pk
    assert not (jobs._scratch_root() / str(new.pk)).exists()  # scratch removed after success too


def test_retry_of_a_job_still_shown_running_checks_its_lease_first(world, settings):
    settings.JOB_LEASE_SECONDS = 30
    user = world.users[Role.COMMUNE_OFFICER]
    dead = _running(user, beat_ago=120)
    new = job_retry(actor=user, job=dead)
    dead.refresh_from_db()
    assert dead.state == "failed" and new.retry_of_id == dead.pk


def test_claim_records_the_worker_and_counts_attempts(world):
    job = job_enqueue(actor=world.users[Role.COMMUNE_OFFICER], kind="test.recovery", title="x")
    claimed = jobs.claim_next_job()
    assert claimed is not None and claimed.pk == job.pk
    assert claimed.worker == jobs.worker_name() and claimed.attempts == 1 and claimed.heartbeat_at


def test_worker_loop_survives_database_is_locked(world, monkeypatch):
    """'database is locked' (and a dropped connection) in the loop: logged, waited out, loop goes on."""
    job = job_enqueue(actor=world.users[Role.COMMUNE_OFFICER], kind="test.recovery", title="x")
    real = jobs.run_pending_jobs
    calls = {"n": 0}
    naps: list[float] = []

    def flaky(limit=None):
        calls["n"] += 1
        if calls["n"] <= 3:
            raise OperationalError("database is locked")
        return real(limit=limit)

    monkeypatch.setattr(jobs, "run_pending_jobs", flaky)
    monkeypatch.setattr(connection, "close", lambda: None)  # keep the test's transaction
    ran = worker_loop(should_stop=lambda: calls["n"] >= 5, poll_seconds=0.5, sleep=naps.append)
    assert ran == 1
    job.refresh_from_db()
    assert job.state == "succeeded"
    assert naps[:3] == [0.5, 1.0, 2.0]  # growing back-off, then the normal poll pause
    assert naps[3:] == [0.5]


def test_worker_loop_does_not_swallow_programming_errors(world, monkeypatch):
    monkeypatch.setattr(jobs, "run_pending_jobs", lambda limit=None: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        worker_loop(should_stop=lambda: False, poll_seconds=0.1, sleep=lambda s: None)


def test_upload_is_parsed_before_the_write_transaction_opens(world, monkeypatch):
    from hongheo.capture.imports import reading, services

    seen: list[bool] = []
    real = reading.read_table

    def spy(*args, **kwargs):
        seen.append(len(connection.atomic_blocks))
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "read_table", spy)
    data = "Mã hộ,Mã xã/phường,Họ và tên\nH1,00001,Nguyễn Văn A\n".encode()
    batch = services.import_upload(actor=world.users[Role.COMMUNE_OFFICER], name="a.csv", data=data)
    # pytest's own test transaction is the only one open while the file is parsed.
    assert seen == [len(connection.atomic_blocks)]
    assert batch.pk and batch.file_sha256 == reading.sha256(data)


def test_upload_that_cannot_be_recorded_keeps_no_file(world, monkeypatch):
    from hongheo.capture.imports import services
    from hongheo.capture.imports.models import ImportBatch

    def boom(**kwargs):
        raise OperationalError("database is locked")

    from django.conf import settings

    monkeypatch.setattr(services, "audit_write", boom)
    folder = settings.MEDIA_ROOT / "imports"
    before = set(folder.rglob("*")) if folder.exists() else set()
    with pytest.raises(OperationalError):
        services.import_upload(
            actor=world.users[Role.COMMUNE_OFFICER], name="a.csv", data="Mã hộ,Họ và tên\nH1,A\n".encode()
        )
    assert not ImportBatch.objects.exists()
    after = set(folder.rglob("*")) if folder.exists() else set()
    assert {p for p in after - before if p.is_file()} == set()


@job_handler("test.fails_after_scratch")
def _fails(job, progress):
    (job_scratch_dir(job) / "half-written.xlsx").write_bytes(b"PK...")
    raise ValueError("Tệp hỏng ở dòng 12")


def test_temporary_files_are_removed_when_a_job_fails(world):
    job = job_enqueue(actor=world.users[Role.COMMUNE_OFFICER], kind="test.fails_after_scratch", title="x")
    run_pending_jobs()
    job.refresh_from_db()
    assert job.state == "failed" and "dòng 12" in job.error
    assert not (jobs._scratch_root() / str(job.pk)).exists()


def test_stale_scratch_folders_are_swept_at_worker_start(world):
    user = world.users[Role.COMMUNE_OFFICER]
    live = _running(user, beat_ago=1)
    (job_scratch_dir(live) / "x").write_text("x")
    orphan = jobs._scratch_root() / "00000000-0000-0000-0000-000000000000"
    orphan.mkdir(parents=True, exist_ok=True)
    (orphan / "left.xlsx").write_text("x")
    fresh = jobs._scratch_root() / "11111111-1111-1111-1111-111111111111"
    fresh.mkdir(parents=True, exist_ok=True)  # just made by a job another worker claimed
    stale = time.time() - 3600
    os.utime(orphan, (stale, stale))
    os.utime(jobs._scratch_root() / str(live.pk), (stale, stale))
    assert jobs.scratch_sweep() >= 1
    assert fresh.exists()
    assert not orphan.exists() and (jobs._scratch_root() / str(live.pk)).exists()


def test_a_retried_export_gives_the_same_file_content(world, monkeypatch):
    from openpyxl import load_workbook

    from hongheo.core import audit

    user = world.users[Role.COMMUNE_OFFICER]
    params = {"user_id": user.pk, "commune_code": "", "village_code": "", "query": ""}
    calls = {"n": 0}
    real = audit.audit_read

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(audit, "audit_read", flaky)
    first = job_enqueue(actor=user, kind="registry.export_households", title="Xuất", params=params)
    run_pending_jobs()
    first.refresh_from_db()
    assert first.state == "failed" and "locked" in first.error
    assert not (jobs._scratch_root() / str(first.pk)).exists()
    retry = job_retry(actor=user, job=first)
    again = job_enqueue(actor=user, kind="registry.export_households", title="Xuất", params=params)
    run_pending_jobs()
    retry.refresh_from_db()
    again.refresh_from_db()
    assert retry.state == again.state == "succeeded" and retry.result == again.result

    def rows(job):
        sheets = load_workbook(job.result_file.path, read_only=True).worksheets
        return [list(s.iter_rows(min_row=3, values_only=True)) for s in sheets]

    assert rows(retry) == rows(again)


def test_an_interrupted_classification_leaves_no_run_shown_running(world, settings):
    import hongheo.standards.jobs  # noqa: F401  (registers the kind)
    from hongheo.standards.models import ClassificationRun

    settings.JOB_LEASE_SECONDS = 30
    user = world.users[Role.COMMUNE_OFFICER]
    job = job_enqueue(
        actor=user,
        kind="standards.classify_area",
        title="Xếp loại",
        params={"area_code": world.commune_a.code, "kind": "what_if"},
    )
    beat = timezone.now() - dt.timedelta(seconds=60)
    Job.objects.filter(pk=job.pk).update(state="running", started_at=beat, heartbeat_at=beat)
    run = ClassificationRun.objects.create(
        area=world.commune_a, standard_code="vn-2022-2025", reference_date=dt.date(2026, 10, 1), job=job
    )
    assert [j.pk for j in jobs_reap_interrupted()] == [job.pk]
    run.refresh_from_db()
    assert run.state == ClassificationRun.State.FAILED and run.finished_at is not None
