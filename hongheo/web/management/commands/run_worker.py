import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hongheo.core.jobs import run_pending_jobs


class Command(BaseCommand):
    help = "Run the background job worker (tác vụ nền) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is queued, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        import hongheo.jobs  # noqa: F401  (registers every job kind)
        from hongheo.core.dbcheck import require_migrated

        require_migrated()

        if options["once"]:
            ran = run_pending_jobs()
            self.stdout.write(f"ran {ran} job(s)")
            return
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker started")
        while not stopping:
            if run_pending_jobs(limit=1) == 0:
                time.sleep(settings.JOB_POLL_SECONDS)
        self.stdout.write("worker stopped")
