"""Refresh the dashboards' pre-computed figures (roll-ups) of an area and the areas one level
below, as a user who covers it sees them; run it on a schedule so dashboards read roll-ups."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hongheo.geography.models import Area
from hongheo.oversight import figures
from hongheo.oversight.models import Rollup
from hongheo.users.access import user_covers_area
from hongheo.users.models import User


class Command(BaseCommand):
    help = "Tính lại số liệu dựng sẵn cho bảng điều hành (địa bàn và cấp ngay dưới)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--area", required=True, help="Mã địa bàn (tỉnh hoặc xã)")
        parser.add_argument("--on", default="", help="Ngày số liệu (mặc định hôm nay)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        area = Area.objects.filter(code=opts["area"]).first()
        if user is None or area is None or not user_covers_area(user, area):
            raise CommandError(
                "Không tìm thấy tài khoản hoặc địa bàn (hoặc tài khoản không phụ trách địa bàn)."
            )
        try:
            on = dt.date.fromisoformat(opts["on"]) if opts["on"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"Ngày không hợp lệ: {opts['on']}")
        areas = [area]
        if area.level == Area.Level.PROVINCE:
            areas += list(Area.objects.filter(parent=area, level=Area.Level.COMMUNE, historical=False))
        started = time.perf_counter()
        for a in areas:
            for day in figures.year_ends(on, 3):
                Rollup.objects.update_or_create(
                    area=a,
                    on=day,
                    defaults={"figures": figures.compute(user, a, day), "computed_at": timezone.now()},
                )
        self.stdout.write(f"{len(areas)} địa bàn, {time.perf_counter() - started:.1f} s")
