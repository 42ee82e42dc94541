"""Background jobs of the oversight app: rebuilding the centre's analytics copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from . import microdata


@job_handler("oversight.analytics_rebuild")
def analytics_rebuild(job: Job, progress: Progress) -> dict[str, Any]:
    """Rebuild the DuckDB/Parquet copy of the national microdata (PostgreSQL partitions)."""
    from hongheo.geography.models import Area

    codes = [
        int(c)
        for c in Area.objects.filter(level=Area.Level.PROVINCE, historical=False).values_list(
            "code", flat=True
        )
    ]
    progress.total(len(codes))
    out = Path(
        getattr(settings, "OVERSIGHT_ANALYTICS_DIR", "")
        or Path(settings.MEDIA_ROOT) / "analytics" / "national"
    )
    result = microdata.rebuild_analytics(connection, out, codes)
    progress.advance(len(codes), "Đã dựng lại bản phân tích", force=True)
    return result
