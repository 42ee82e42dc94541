"""The one access gate for households and members (and everything hanging off a household).

Every page, endpoint, export and report starts from :func:`household_qs_for_user` or
:func:`access_household_by_id`. "Not found" and "not yours" raise the same :class:`NotFound`.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound
from hongheo.users.access import personal_scope_paths, scope_paths

from .models import Household, Member


def household_scope_q(user: Any, *, prefix: str = "", aggregate: bool = False) -> Q | None:
    """The households (``aggregate=False``: with their personal data) the user may read."""
    paths = scope_paths(user) if aggregate else personal_scope_paths(user)
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{prefix}area_path__startswith": p}) for p in paths))


def household_qs_for_user(user: Any) -> QuerySet[Household]:
    q = household_scope_q(user)
    if q is None:
        return Household.objects.none()
    return Household.objects.filter(q)


def household_qs_for_aggregates(user: Any) -> QuerySet[Household]:
    """Households the user may COUNT (reports, dashboards): the whole area, whatever the role.
    Never used to show a household or a person; for that, :func:`household_qs_for_user`."""
    q = household_scope_q(user, aggregate=True)
    if q is None:
        return Household.objects.none()
    return Household.objects.filter(q)


def member_qs_for_user(user: Any) -> QuerySet[Member]:
    q = household_scope_q(user, prefix="household__")
    if q is None:
        return Member.objects.none()
    return Member.objects.filter(q)


def access_household_by_id(user: Any, household_id: int | str) -> Household:
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    household = household_qs_for_user(user).select_related("commune", "village").filter(pk=pk).first()
    if household is None:
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    return household


def access_household_by_code(user: Any, code: str) -> Household:
    household = household_qs_for_user(user).select_related("commune", "village").filter(code=code).first()
    if household is None:
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    return household
