"""Background job kind of the import domain."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from .models import ImportBatch
from .services import JOB_KIND, import_run


@job_handler(JOB_KIND)
def import_households(job: Job, progress: Progress) -> dict[str, Any]:
    """Import a household list (nhập danh sách hộ) from an uploaded Excel/CSV file."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=job.params["batch_id"])
    result = import_run(batch=batch, progress=progress)
    progress.log(
        f"Hộ mới: {result.get('households_new', 0)}, đã có: {result.get('households_existing', 0)}, "
        f"xung đột: {result.get('households_conflict', 0)}, "
        f"bị từ chối: {result.get('households_rejected', 0)}"
    )
    return result
