"""Show, export or correct this instance's list of 54 ethnic groups (docs/operations.md).

manage.py ethnic_groups                       # where the list comes from and its provenance
manage.py ethnic_groups --export FILE.json    # the list in use, to correct
manage.py ethnic_groups --load FILE.json --user ADMIN   # make a corrected list the one in use
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hongheo.core.errors import DomainError
from hongheo.registry import ethnicity
from hongheo.registry.reference import ethnic_groups_load
from hongheo.users.models import User


class Command(BaseCommand):
    help = "Danh mục 54 dân tộc của hệ thống: xem nguồn, xuất ra tệp, nạp bản đã sửa (có ghi nhật ký)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--export", metavar="FILE")
        parser.add_argument("--load", metavar="FILE")
        parser.add_argument("--user", help="tên đăng nhập của quản trị viên nạp danh mục (ghi vào nhật ký)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["load"]:
            if not options["user"]:
                raise CommandError(_("Cần --user: tên đăng nhập của quản trị viên nạp danh mục."))
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("Không có người dùng %(user)r.") % {"user": options["user"]})
            try:
                text = Path(options["load"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(_("Không đọc được tệp: %(error)s") % {"error": exc}) from None
            try:
                result = ethnic_groups_load(actor=actor, text=text)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            changed = ", ".join(result["changed"]) or "không có"
            self.stdout.write(
                f"Đã nạp danh mục dân tộc phiên bản {result['version']} ({result['status']}); "
                f"dân tộc thay đổi: {changed}."
            )
            return
        data = ethnicity.ethnic_groups()
        if options["export"]:
            Path(options["export"]).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
            self.stdout.write(f"Đã ghi {options['export']}.")
            return
        path = ethnicity.override_path()
        in_use = path if path is not None and path.exists() else "danh mục kèm theo phần mềm"
        prov = data["provenance"]
        self.stdout.write(
            f"Nguồn đang dùng: {in_use}\nPhiên bản {data['version']}, {prov['status']}: {prov['source']}"
        )
