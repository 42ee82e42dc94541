"""List member ethnicity values that are not one of the 54 official groups (kept from free text)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count

from hongheo.registry.ethnicity import canonical_or_none
from hongheo.registry.models import Member


class Command(BaseCommand):
    help = "Giá trị dân tộc không có trong danh mục 54 dân tộc (đã giữ nguyên khi chuyển đổi)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = (
            Member.objects.exclude(ethnicity="")
            .values("ethnicity")
            .annotate(n=Count("id"))
            .order_by("ethnicity")
        )
        bad = [(r["ethnicity"], r["n"]) for r in rows if canonical_or_none(r["ethnicity"]) != r["ethnicity"]]
        if not bad:
            self.stdout.write("Mọi giá trị dân tộc đều thuộc danh mục 54 dân tộc.")
        for value, n in bad:
            self.stdout.write(f"{value}\t{n}")
