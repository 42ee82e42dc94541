"""Background job kinds of the registry."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from .demo import population_load


@job_handler("registry.synth_load")
def synth_load(job: Job, progress: Progress) -> dict[str, Any]:
    """Generate and load a synthetic population (demo and training instances)."""
    params = job.params
    total = int(params["households"])
    progress.total(total)
    progress.log(f"Sinh dữ liệu mô phỏng cho tỉnh {params['province']}: {total} hộ")
    result = population_load(
        actor=job.created_by,
        province_code=int(params["province"]),
        households=total,
        communes=params.get("communes"),
        seed=int(params.get("seed", 1)),
        on_progress=lambda n: progress.advance(n, f"Đã ghi {n}/{total} hộ"),
    )
    progress.log(f"Đã ghi {result['households']} hộ, {result['members']} nhân khẩu")
    return result
