"""The worker's part of the portal: register accepted submissions in batches (decision 0012)."""

from __future__ import annotations

from hongheo.core.jobs import poll_task

from .services import portal_process_pending


@poll_task("portal.process")
def portal_process() -> int:
    return portal_process_pending()
