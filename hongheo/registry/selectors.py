"""Read side of the registry. Every function starts from the access gate."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hongheo.core.audit import audit_read
from hongheo.core.text import fold

from .access import household_qs_for_user
from .models import SENSITIVE_HOUSEHOLD_FIELDS, SENSITIVE_MEMBER_FIELDS, Household, Member


def household_list(
    *, user: Any, commune_code: str = "", village_code: str = "", query: str = ""
) -> QuerySet[Household]:
    """Households the user may see, filtered by area and by a name (with or without diacritics)
    or personal ID of any member; sorted by the head's name in Vietnamese order."""
    qs = household_qs_for_user(user).filter(is_active=True)
    if commune_code:
        qs = qs.filter(commune__code=commune_code)
    if village_code:
        qs = qs.filter(village__code=village_code)
    query = (query or "").strip()
    if query:
        if query.isdigit():
            lookup = "personal_id" if len(query) == 12 else "personal_id__startswith"
            members = Member.objects.filter(household=OuterRef("pk"), **{lookup: query})
            qs = qs.filter(Q(Exists(members)) | Q(code__startswith=query))
        else:
            folded = fold(query)
            members = Member.objects.filter(household=OuterRef("pk"), search_name__contains=folded)
            qs = qs.filter(Exists(members))
    return qs.select_related("commune", "village").order_by("head_sort_key", "code")


def household_members(*, household: Household) -> list[Member]:
    return list(household.members.filter(is_active=True).order_by("id"))


def household_detail_audited(*, user: Any, household: Household) -> list[Member]:
    """The members of a household with their sensitive fields; the read is logged."""
    members = household_members(household=household)
    audit_read(
        actor=user,
        action="registry.household_view",
        fields=[*SENSITIVE_HOUSEHOLD_FIELDS, *SENSITIVE_MEMBER_FIELDS],
        object_type="registry.household",
        object_id=str(household.pk),
        household_code=household.code,
        area_code=household.commune.code,
    )
    return members
