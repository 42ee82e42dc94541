"""Read side of the standards: shipped national standards plus those an administrator published."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
