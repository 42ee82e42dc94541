from typing import Any

from django.core.management.base import BaseCommand

from hongheo.geography.services import map_load


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes (QĐ 19/2025/QĐ-TTg) from the vietnam-provinces package."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = map_load(actor=None)
        self.stdout.write(
            f"Bản đồ hành chính: {counts['provinces']} tỉnh/thành, {counts['communes']} xã/phường/đặc khu "
            f"(mới {counts['created']}, cập nhật {counts['updated']})."
        )
