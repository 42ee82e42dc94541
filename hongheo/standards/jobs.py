"""Background job kinds of the standards: classify an area (official or what-if)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job
from hongheo.geography.models import Area

from .classification import classification_run
from .models import ClassificationRun


def _interrupted(job: Job) -> None:
    """The worker died mid-run: the results' write transaction was rolled back; the run record,
    created before it, is marked failed so no page shows it running forever."""
    from django.utils import timezone

    ClassificationRun.objects.filter(job=job, state=ClassificationRun.State.RUNNING).update(
        state=ClassificationRun.State.FAILED, finished_at=timezone.now()
    )


@job_handler("standards.classify_area", on_interrupted=_interrupted)
def classify_area(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    area = Area.objects.get(code=params["area_code"])
    progress.total(100)

    def report(done: int, total: int, message: str) -> None:
        progress.advance(done, message, force=done in (0, 100))
        if done in (0, 15, 96, 100):
            progress.log(message)

    run = classification_run(
        actor=job.created_by,
        area=area,
        standard_code=params.get("standard_code") or None,
        reference_date=dt.date.fromisoformat(params["reference_date"])
        if params.get("reference_date")
        else None,
        kind=params.get("kind", "official"),
        job=job,
        progress=report,
    )
    return {"run_id": str(run.pk), "households": run.households, "standard": run.standard_code}
