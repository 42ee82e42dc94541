"""Background jobs on the database: the Job table is the queue (docs/decisions/0002-job-queue.md).

A job kind is a function registered with :func:`job_handler`; it receives the Job and a
:class:`Progress` reporter. The worker (``manage.py run_worker``) claims queued jobs one at a time
with a conditional UPDATE, which is safe with several workers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit_write
from .errors import Conflict, NotFound
from .models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


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
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log)


def job_enqueue(*, actor: Any, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    if kind not in _HANDLERS:
        raise NotFound(f"Unknown job kind: {kind}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=_user_or_none(actor))
        audit_write(actor=actor, action="job.enqueue", obj=job, after={"kind": kind, "params": job.params})
    return job


def job_retry(*, actor: Any, job: Job) -> Job:
    if job.state != Job.State.FAILED:
        raise Conflict("Chỉ có thể chạy lại tác vụ đã thất bại.")
    with transaction.atomic():
        new = Job.objects.create(
            kind=job.kind, title=job.title, params=job.params, created_by=_user_or_none(actor), retry_of=job
        )
        audit_write(actor=actor, action="job.retry", obj=new, after={"retry_of": str(job.pk)})
    return new


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def claim_next_job() -> Job | None:
    """Atomically move the oldest queued job to running; None when the queue is empty."""
    for candidate in (
        Job.objects.filter(state=Job.State.QUEUED).order_by("created_at").values_list("pk", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = Job.objects.filter(pk=candidate, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=now, heartbeat_at=now
        )
        if claimed:
            job = Job.objects.get(pk=candidate)
            Job.objects.filter(pk=candidate).update(attempts=job.attempts + 1)
            return job
    return None


def run_job(job: Job) -> Job:
    """Run one claimed job to its end; a failure is recorded with its reason, never raised."""
    handler = _HANDLERS.get(job.kind)
    progress = Progress(job)
    try:
        if handler is None:
            raise NotFound(f"Không có bộ xử lý cho loại tác vụ '{job.kind}'.")
        result = handler(job, progress)
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED,
            error=f"{exc}",
            log=job.log + traceback.format_exc()[-5000:],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.SUCCEEDED,
            result=result or {},
            progress_done=max(job.progress_done, job.progress_total),
            finished_at=timezone.now(),
            message=(job.message or "")[:300],
        )
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
