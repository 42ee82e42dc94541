"""`make demo`: migrate, load the map, seed the demo province, run the worker and the server."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Set up (idempotently) and serve the demo on http://127.0.0.1:8000 with a job worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Set up only.")

    def handle(self, *args: Any, **options: Any) -> None:
        var = settings.VAR_DIR
        var.mkdir(parents=True, exist_ok=True)
        lock = open(var / "demo.lock", "w")  # noqa: SIM115  (held for the life of the demo)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(
                "Một phiên 'make demo' khác đang chạy trên máy này (var/demo.lock). "
                "Dừng phiên đó (Ctrl+C) rồi chạy lại. / Another 'make demo' is already running."
            )
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("✓ Cơ sở dữ liệu đã sẵn sàng (SQLite, WAL).")
        call_command("seed_demo")
        from hongheo.geography.models import Area
        from hongheo.reviews.demo import demo_statuses_seed

        seeded = demo_statuses_seed(province=Area.objects.get(code="46"))
        if seeded["statuses"]:
            self.stdout.write(
                f"✓ Danh sách hộ nghèo, cận nghèo cuối năm 2025 (demo): {seeded['statuses']} hộ."
            )
        from hongheo.support.demo import demo_support_seed

        support = demo_support_seed()
        if support["organisations"]:
            self.stdout.write(
                f"✓ Hỗ trợ (demo): {support['organisations']} tổ chức, {support['plans']} kế hoạch, "
                f"{support['bunched']} hộ dồn dưới chuẩn nghèo ở xã thứ hai."
            )
        from hongheo.oversight.demo import demo_oversight_seed

        oversight = demo_oversight_seed()
        if oversight["targets"] or oversight["pushed"]:
            self.stdout.write("✓ Chỉ tiêu minh hoạ và số liệu Huế gửi lên trung ương (demo).")
        from django.utils import timezone

        from hongheo.reviews.demo import demo_round_seed
        from hongheo.users.models import User

        officer = User.objects.filter(username="xa").first()
        assignment = officer.assignments.first() if officer is not None else None
        if assignment is not None:
            commune = assignment.area
            made = demo_round_seed(commune=commune, year=timezone.localdate().year)
            if made["created"]:
                self.stdout.write(f"✓ Một đợt rà soát đang ở bước Phiếu B (demo): {made['round']}.")
        if options["no_serve"]:
            return
        worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"], env=os.environ.copy())
        self.stdout.write(f"✓ Tác vụ nền đang chạy (pid {worker.pid}).")
        self.stdout.write(f"→ Mở http://{options['addr']}/ và đăng nhập bằng một tài khoản ở trên.")
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
