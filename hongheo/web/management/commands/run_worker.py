import importlib
import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hongheo.core.jobs import run_pending_jobs, run_poll_tasks, scratch_sweep, worker_loop, worker_name

logger = logging.getLogger("hongheo.worker")


class Command(BaseCommand):
    help = "Run the background job worker (tác vụ nền) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is queued, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        for module in settings.JOB_MODULES:  # registers every job kind
            importlib.import_module(module)
        from hongheo.core.dbcheck import require_migrated

        require_migrated()
        swept = scratch_sweep()
        if swept:
            logger.info("removed %d scratch folder(s) left by stopped jobs", swept)

        if options["once"]:
            ran = run_pending_jobs()
            polled = 0
            while (done := run_poll_tasks()) > 0:
                polled += done
            self.stdout.write(f"ran {ran} job(s), {polled} item(s) of poll tasks")
            return
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker started ({worker_name()})", ending="\n")
        self.stdout.flush()
        worker_loop(should_stop=lambda: stopping)
        self.stdout.write("worker stopped")
