"""Read side of the standards: shipped national standards plus those an administrator published."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound
from hongheo.registry.access import household_qs_for_user
from hongheo.registry.models import Household

from .models import ClassificationRun, HouseholdClassification, PublishedStandard
from .rules.catalog import Standard, StandardError, get_standard, list_standards, standard_for_date


def published_documents() -> list[dict[str, Any]]:
    return [
        dict(p.document) for p in PublishedStandard.objects.filter(status=PublishedStandard.Status.PUBLISHED)
    ]


def standards_all() -> list[Standard]:
    return list_standards(published_documents())


def standard_get(code: str, *, include_drafts: bool = False) -> Standard:
    extra = published_documents()
    if include_drafts:
        extra += [dict(p.document) for p in PublishedStandard.objects.filter(code=code, status="draft")]
    try:
        return get_standard(code, extra)
    except StandardError as exc:
        raise NotFound(_("Không có chuẩn nghèo mã %(code)s: %(exc)s") % {"code": code, "exc": exc})


def standard_in_force(on: dt.date, *, province_code: str | None = None) -> Standard:
    return standard_for_date(on, province_code, published_documents())


# Published standards change a few times a year; a caller that reads one per request (the portal's
# self-assessment) uses these per-process copies, kept STANDARDS_CACHE_SECONDS and dropped at once in
# the process that publishes (other processes see the new standard within that time).
_CACHE: dict[tuple[Any, ...], tuple[float, Standard]] = {}


def standards_cache_clear() -> None:
    _CACHE.clear()


def _cached(key: tuple[Any, ...], build: Callable[[], Standard]) -> Standard:
    ttl = float(getattr(settings, "STANDARDS_CACHE_SECONDS", 60))
    if ttl <= 0:
        return build()
    now = time.monotonic()
    hit = _CACHE.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = build()
    if len(_CACHE) > 1000:
        _CACHE.clear()
    _CACHE[key] = (now, value)
    return value


def standard_get_cached(code: str) -> Standard:
    return _cached(("code", code), lambda: standard_get(code))


def standard_in_force_cached(on: dt.date, *, province_code: str | None = None) -> Standard:
    return _cached(("on", on, province_code), lambda: standard_in_force(on, province_code=province_code))


def household_current_classification(*, household: Household) -> HouseholdClassification | None:
    return (
        HouseholdClassification.objects.filter(household=household, is_current=True)
        .select_related("run", "facts_record")
        .order_by("-classified_at")
        .first()
    )


def household_classification_history(*, household: Household) -> QuerySet[HouseholdClassification]:
    return (
        HouseholdClassification.objects.filter(household=household)
        .exclude(run__kind="what_if")
        .select_related("run")
        .order_by("-classified_at")
    )


def runs_for_user(*, user: Any) -> QuerySet[ClassificationRun]:
    from hongheo.users.access import scope_paths

    paths = scope_paths(user)
    if not paths:
        return ClassificationRun.objects.none()
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    # runs over an area the user covers, or over a province containing the user's commune
    q = reduce(or_, (Q(area__path__startswith=p) for p in paths))
    return ClassificationRun.objects.filter(q).select_related("area")


def run_get_for_user(*, user: Any, run_id: Any) -> ClassificationRun:
    run = runs_for_user(user=user).filter(pk=run_id).first() if _is_uuid(run_id) else None
    if run is None:
        raise NotFound(_("Không tìm thấy lần xếp loại."))
    return run


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def household_for_classification(*, user: Any, household_id: int) -> Household:
    household = household_qs_for_user(user).filter(pk=household_id).first()
    if household is None:
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    return household
