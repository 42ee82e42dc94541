"""Background job kinds of the linkage domain."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from .models import LinkageRun, PopulationExtract
from .services import JOB_EXTRACT, JOB_MATCH, JOB_RUN, extract_import, members_match, run_execute


@job_handler(JOB_EXTRACT)
def import_extract(job: Job, progress: Progress) -> dict[str, Any]:
    """Import a population extract (nhập dữ liệu dân cư)."""
    extract = PopulationExtract.objects.select_related("province", "created_by").get(
        pk=job.params["extract_id"]
    )
    result = extract_import(extract, progress)
    progress.log(f"Kết quả: {result}")
    return result


@job_handler(JOB_RUN)
def run_linkage(job: Job, progress: Progress) -> dict[str, Any]:
    """Link an area's registry with the current population extract (ghép dữ liệu)."""
    run = LinkageRun.objects.select_related("area", "extract", "created_by").get(pk=job.params["run_id"])
    try:
        return run_execute(run, progress)
    except Exception:
        LinkageRun.objects.filter(pk=run.pk).update(state=LinkageRun.State.FAILED)
        raise


@job_handler(JOB_MATCH)
def match_members(job: Job, progress: Progress) -> dict[str, Any]:
    """Check people registered through the portal or the field app against the population extract."""
    checks = members_match(
        member_ids=job.params.get("member_ids") or [],
        source=str(job.params.get("source") or "job"),
        actor=job.created_by,
    )
    return {"checked": len(checks), "candidates": sum(1 for c in checks if c.candidate_id)}
