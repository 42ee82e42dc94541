"""At a province: build, sign and push the aggregate report to the centre (run it on a schedule,
e.g. a daily timer; the centre keeps every version and uses the newest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hongheo.core.errors import DomainError
from hongheo.geography.models import Area
from hongheo.oversight import services
from hongheo.users.models import User


class Command(BaseCommand):
    help = "Gửi báo cáo tổng hợp có chữ ký của tỉnh lên trung ương."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="Tài khoản cán bộ tỉnh gửi báo cáo")
        parser.add_argument("--province", default="", help="Mã tỉnh (mặc định OVERSIGHT_PROVINCE_CODE)")
        parser.add_argument("--on", default="", help="Ngày số liệu YYYY-MM-DD (mặc định hôm nay)")
        parser.add_argument(
            "--url", default="", help="Địa chỉ nhận của trung ương (mặc định OVERSIGHT_CENTRE_URL)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {opts['user']}.")
        code = opts["province"] or settings.OVERSIGHT_PROVINCE_CODE
        province = Area.objects.filter(code=code, level=Area.Level.PROVINCE).first()
        if province is None:
            raise CommandError(f"Không có tỉnh mã {code!r}.")
        try:
            on = dt.date.fromisoformat(opts["on"]) if opts["on"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"Ngày không hợp lệ: {opts['on']}")
        try:
            push = services.push_send(actor=user, province=province, on=on, url=opts["url"] or None)
        except DomainError as exc:
            raise CommandError(exc.message)
        line = f"#{push.sequence} {push.on}: {push.status}" + (f" — {push.reason}" if push.reason else "")
        if push.status in ("rejected", "failed"):
            raise CommandError(line)
        self.stdout.write(line)
