"""Background job kind of the import domain."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler, job_scratch_dir
from hongheo.core.models import Job

from .models import ImportBatch
from .services import JOB_KIND, import_interrupted, import_run


def _interrupted(job: Job) -> None:
    import_interrupted(batch_id=job.params.get("batch_id"), error=job.error)


@job_handler(JOB_KIND, on_interrupted=_interrupted)
def import_households(job: Job, progress: Progress) -> dict[str, Any]:
    """Import a household list (nhập danh sách hộ) from an uploaded Excel/CSV file. A retry runs
    the same batch again (now pointing at the new job); a batch already written is not rewritten."""
    ImportBatch.objects.filter(pk=job.params["batch_id"]).update(job=job)
    batch = ImportBatch.objects.select_related("created_by").get(pk=job.params["batch_id"])
    result = import_run(batch=batch, progress=progress, scratch=job_scratch_dir(job))
    progress.log(
        f"Hộ mới: {result.get('households_new', 0)}, đã có: {result.get('households_existing', 0)}, "
        f"xung đột: {result.get('households_conflict', 0)}, "
        f"bị từ chối: {result.get('households_rejected', 0)}"
    )
    return result
