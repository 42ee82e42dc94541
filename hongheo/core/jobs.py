"""Background jobs on the database: the Job table is the queue (docs/decisions/0002-job-queue.md).

A job kind is a function registered with :func:`job_handler`; it receives the Job and a
:class:`Progress` reporter. The worker (``manage.py run_worker``) claims queued jobs one at a time
with a conditional UPDATE, which is safe with several workers on SQLite and PostgreSQL alike.

A running job holds a *lease*: its worker renews ``heartbeat_at`` while it runs (from the progress
reporter and from a heartbeat thread). A job whose heartbeat is older than ``JOB_LEASE_SECONDS`` lost
its worker (killed, machine restarted): the next poll of any worker marks it failed with
:data:`INTERRUPTED` and it can be retried. The worker loop survives transient database errors
(SQLite "database is locked", a dropped PostgreSQL connection): it logs, backs off and continues.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_write
from .errors import Conflict, NotFound
from .models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}
_ON_INTERRUPTED: dict[str, Callable[[Job], None]] = {}
T = TypeVar("T")

INTERRUPTED = "Tác vụ bị gián đoạn"
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def job_handler(
    kind: str, *, on_interrupted: Callable[[Job], None] | None = None
) -> Callable[[Handler], Handler]:
    """Register a job kind. ``on_interrupted(job)`` (optional) puts the kind's own records right when
    a job of this kind is found interrupted (its worker died)."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        if on_interrupted is not None:
            _ON_INTERRUPTED[kind] = on_interrupted
        return fn

    return register


_POLL_TASKS: dict[str, Callable[[], int]] = {}


def poll_task(name: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Register work the worker does on every poll besides jobs: a short pass over rows waiting in
    their own table (e.g. portal submissions accepted but not yet registered), returning how many it
    did. Each pass must be safe to run in several workers at once and to be cut off at any point."""

    def register(fn: Callable[[], int]) -> Callable[[], int]:
        _POLL_TASKS[name] = fn
        return fn

    return register


def run_poll_tasks() -> int:
    """One pass of every poll task; a task's error is logged (a transient database error is raised
    to the worker loop, which waits and goes on). Returns how much work was done."""
    done = 0
    for name, fn in sorted(_POLL_TASKS.items()):
        try:
            done += int(fn() or 0)
        except TRANSIENT_DB_ERRORS:
            raise
        except Exception:
            logger.exception("poll task %s failed", name)
    return done


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def job_scratch_dir(job: Job) -> Path:
    """A private directory for the job's temporary files, removed when the job ends (success,
    failure or interruption)."""
    path = _scratch_root() / str(job.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _scratch_root() -> Path:
    return Path(settings.VAR_DIR) / "tmp" / "jobs"


def _scratch_remove(job_pk: Any) -> None:
    shutil.rmtree(_scratch_root() / str(job_pk), ignore_errors=True)


def scratch_sweep() -> int:
    """Remove scratch directories of jobs that are not running (left by a killed worker); only
    those untouched for a lease, so a job another worker has just claimed keeps its folder."""
    root = _scratch_root()
    if not root.is_dir():
        return 0
    running = {str(pk) for pk in Job.objects.filter(state=Job.State.RUNNING).values_list("pk", flat=True)}
    old = time.time() - float(settings.JOB_LEASE_SECONDS)
    removed = 0
    for child in root.iterdir():
        if child.is_dir() and child.name not in running and child.stat().st_mtime < old:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    return removed


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


class Progress:
    """Writes progress and log lines to the Job row as the work goes (outside the job's own
    transactions, so the page can show them while the job runs)."""

    def __init__(self, job: Job, *, min_interval: float = 0.3) -> None:
        self.job = job
        self._last = 0.0
        self.min_interval = min_interval

    def total(self, total: int) -> None:
        self.job.progress_total = total
        Job.objects.filter(pk=self.job.pk).update(progress_total=total, heartbeat_at=timezone.now())

    def advance(self, done: int, message: str = "", *, force: bool = False) -> None:
        self.job.progress_done = done
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if message:
            fields["message"] = message[:300]
        Job.objects.filter(pk=self.job.pk).update(**fields)

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log = (self.job.log + f"[{stamp}] {line}\n")[-100_000:]
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log, heartbeat_at=timezone.now())


def job_enqueue(*, actor: Any, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    if kind not in _HANDLERS:
        raise NotFound(f"Unknown job kind: {kind}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=_user_or_none(actor))
        audit_write(actor=actor, action="job.enqueue", obj=job, after={"kind": kind, "params": job.params})
    return job


def job_retry(*, actor: Any, job: Job) -> Job:
    if job.state == Job.State.RUNNING:
        jobs_reap_interrupted()
        job.refresh_from_db()
    if job.state != Job.State.FAILED:
        raise Conflict(_("Chỉ có thể chạy lại tác vụ đã thất bại hoặc bị gián đoạn."))
    with transaction.atomic():
        new = Job.objects.create(
            kind=job.kind, title=job.title, params=job.params, created_by=_user_or_none(actor), retry_of=job
        )
        audit_write(actor=actor, action="job.retry", obj=new, after={"retry_of": str(job.pk)})
    return new


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def jobs_reap_interrupted(*, now: dt.datetime | None = None) -> list[Job]:
    """Mark failed every running job whose lease ran out (no heartbeat for JOB_LEASE_SECONDS):
    its worker died. The kind's ``on_interrupted`` hook then puts its own records right, and the
    job's scratch files are removed. Returns the jobs marked."""
    now = now or timezone.now()
    lease = float(settings.JOB_LEASE_SECONDS)
    cutoff = now - dt.timedelta(seconds=lease)
    stale = list(
        Job.objects.filter(state=Job.State.RUNNING).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
    )
    reaped: list[Job] = []
    for job in stale:
        error = (
            f"{INTERRUPTED}: tiến trình xử lý ({job.worker or 'không rõ'}) đã dừng, không còn tín hiệu "
            f"sau {lease:g} giây. Có thể chạy lại tác vụ."
        )
        with transaction.atomic():
            marked = Job.objects.filter(
                pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at
            ).update(
                state=Job.State.FAILED,
                error=error,
                finished_at=now,
                log=(job.log + f"[{timezone.localtime(now):%H:%M:%S}] {error}\n")[-100_000:],
            )
            if not marked:
                continue
            audit_write(
                actor=None,
                action="job.interrupted",
                obj=job,
                before={"state": "running", "worker": job.worker},
                after={"state": "failed", "error": error},
            )
        logger.warning(
            "job %s interrupted (worker %s, last heartbeat %s)", job.pk, job.worker, job.heartbeat_at
        )
        job.refresh_from_db()
        hook = _ON_INTERRUPTED.get(job.kind)
        if hook is not None:
            try:
                hook(job)
            except Exception:  # the job is marked; its own record is put right on retry
                logger.exception("on_interrupted hook of job %s failed", job.pk)
        _scratch_remove(job.pk)
        reaped.append(job)
    return reaped


def claim_next_job() -> Job | None:
    """Atomically move the oldest queued job to running; None when the queue is empty. Jobs whose
    worker died are marked interrupted first."""
    jobs_reap_interrupted()
    me = worker_name()
    for candidate in (
        Job.objects.filter(state=Job.State.QUEUED).order_by("created_at").values_list("pk", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = Job.objects.filter(pk=candidate, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=now, heartbeat_at=now, worker=me, attempts=F("attempts") + 1
        )
        if claimed:
            return Job.objects.get(pk=candidate)
    return None


class _Heartbeat(threading.Thread):
    """Renews the running job's lease every ``interval`` seconds on its own connection (so a long
    write transaction of the job does not hide the heartbeat)."""

    def __init__(self, job_pk: Any, interval: float) -> None:
        super().__init__(name=f"heartbeat-{job_pk}", daemon=True)
        self.job_pk = job_pk
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        used = False
        try:
            while not self.stopped.wait(self.interval):
                used = True
                try:
                    Job.objects.filter(pk=self.job_pk, state=Job.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception as exc:  # locked or dropped: try again at the next beat
                    logger.warning("heartbeat of job %s not written: %s", self.job_pk, exc)
                    connection.close()
        finally:
            if used:
                connection.close()


def _retrying(fn: Callable[[], T], *, attempts: int = 6, pause: float = 0.5) -> T:
    """Run a short database write again after a transient error (locked, connection dropped)."""
    for attempt in range(attempts):
        try:
            return fn()
        except TRANSIENT_DB_ERRORS as exc:
            if attempt == attempts - 1:
                raise
            logger.warning("database busy or disconnected (%s); trying again", exc)
            connection.close()
            time.sleep(pause * (2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def run_job(job: Job) -> Job:
    """Run one claimed job to its end; a failure is recorded with its reason, never raised."""
    handler = _HANDLERS.get(job.kind)
    progress = Progress(job)
    interval = float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 0) or 0)
    beat = _Heartbeat(job.pk, interval) if interval > 0 else None
    if beat is not None:
        beat.start()
    try:
        if handler is None:
            raise NotFound(_("Không có bộ xử lý cho loại tác vụ '%(kind)s'.") % {"kind": job.kind})
        result = handler(job, progress)
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        log = job.log + traceback.format_exc()[-5000:]
        error = f"{exc}"
        _retrying(
            lambda: Job.objects.filter(pk=job.pk).update(
                state=Job.State.FAILED, error=error, log=log, finished_at=timezone.now()
            )
        )
    else:
        _retrying(
            lambda: Job.objects.filter(pk=job.pk).update(
                state=Job.State.SUCCEEDED,
                result=result or {},
                error="",
                progress_done=max(job.progress_done, job.progress_total),
                finished_at=timezone.now(),
                message=(job.message or "")[:300],
            )
        )
    finally:
        if beat is not None:
            beat.stopped.set()
        _scratch_remove(job.pk)
    job.refresh_from_db()
    return job


def run_pending_jobs(limit: int | None = None) -> int:
    """Run queued jobs until the queue is empty (or ``limit`` jobs ran). Returns how many ran."""
    count = 0
    while limit is None or count < limit:
        job = claim_next_job()
        if job is None:
            break
        run_job(job)
        count += 1
    return count


def worker_loop(
    *,
    should_stop: Callable[[], bool],
    poll_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_backoff: float = 30.0,
) -> int:
    """The worker's main loop: run jobs one at a time until ``should_stop()``. A transient database
    error (locked, connection dropped) is logged and waited out with a growing pause (up to
    ``max_backoff`` seconds); the loop goes on. Returns how many jobs ran."""
    poll = float(settings.JOB_POLL_SECONDS if poll_seconds is None else poll_seconds)
    backoff = 0.0
    ran = 0
    while not should_stop():
        try:
            count = run_pending_jobs(limit=1)
            polled = run_poll_tasks()
        except TRANSIENT_DB_ERRORS as exc:
            backoff = min(max(backoff * 2, poll, 0.1), max_backoff)
            logger.warning("worker: database error (%s); waiting %.1f s, then going on", exc, backoff)
            close_old_connections()
            connection.close()
            sleep(backoff)
            continue
        backoff = 0.0
        ran += count
        if count == 0 and polled == 0:
            sleep(poll)
    return ran
