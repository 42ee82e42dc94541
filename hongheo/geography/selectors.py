from __future__ import annotations

from django.db.models import QuerySet

from .models import Area


def area_get_by_code(code: str) -> Area | None:
    return Area.objects.filter(code=code).first()


def area_descendants(area: Area, *, level: str | None = None) -> QuerySet[Area]:
    qs = Area.objects.filter(path__startswith=area.path)
    if level:
        qs = qs.filter(level=level)
    return qs


def communes_of_province(province_code: str) -> QuerySet[Area]:
    return Area.objects.filter(level=Area.Level.COMMUNE, parent__code=province_code).order_by("name")
