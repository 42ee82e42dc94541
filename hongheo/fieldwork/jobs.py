"""The inbox worker of field work: records the submissions the field app's batches left in the
inbox (state "received") through the review services, oldest first, until the inbox is empty."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from . import services


def _interrupted(job: Job) -> None:
    """The items of a killed run are still "received" (their batch rolled back): queue a new run
    so they are not left waiting for the next submission to arrive."""
    with transaction.atomic():
        services.inbox_kick()


@job_handler(services.INBOX_KIND, on_interrupted=_interrupted)
def inbox(job: Job, progress: Progress) -> dict[str, Any]:
    totals = {"accepted": 0, "conflict": 0, "failed": 0}
    while True:
        counts = services.inbox_process(limit=services.INBOX_BATCH * 4)
        for k, v in counts.items():
            totals[k] += v
        done = sum(totals.values())
        progress.advance(done, f"Đã ghi {done} phiếu thực địa")
        if not sum(counts.values()):
            return totals
