"""Read side of the registry. Every function starts from the access gate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_read
from hongheo.core.errors import DomainError
from hongheo.core.models import AuditEvent
from hongheo.core.text import fold
from hongheo.users.access import scope_paths

from .access import household_qs_for_user
from .models import (
    SENSITIVE_HOUSEHOLD_FIELDS,
    SENSITIVE_MEMBER_FIELDS,
    Household,
    HouseholdEvent,
    Member,
    SupportReceived,
)

HISTORY_LIMIT = 200


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
            members = Member.objects.filter(household=OuterRef("pk"), is_active=True, **{lookup: query})
            qs = qs.filter(Q(Exists(members)) | Q(code__startswith=query))
        else:
            folded = fold(query)
            members = Member.objects.filter(
                household=OuterRef("pk"), is_active=True, search_name__contains=folded
            )
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


def household_past_members(*, household: Household) -> list[Member]:
    """Members who left the household (moved, died, moved away, split off, merged), latest first."""
    return list(household.members.filter(is_active=False).order_by("-left_at", "-id"))


def household_history(*, household: Household, limit: int = HISTORY_LIMIT) -> list[HouseholdEvent]:
    """The household's history (biến động), latest first."""
    return list(
        HouseholdEvent.objects.filter(household=household)
        .select_related("other_household", "actor")
        .order_by("-date", "-id")[:limit]
    )


def household_support(*, household: Household) -> list[SupportReceived]:
    return list(
        SupportReceived.objects.filter(household=household).select_related("member").order_by("-year", "-id")
    )


def household_movable_targets(*, user: Any, household: Household, query: str = "") -> QuerySet[Household]:
    """Other active households the user may see, for "move to" and "merge into" pickers."""
    qs = household_qs_for_user(user).filter(is_active=True).exclude(pk=household.pk)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(code__startswith=query) | Q(head_name__icontains=query))
    return qs.select_related("commune", "village").order_by("head_sort_key", "code")


def household_sensitive_read(
    *, user: Any, household: Household, action: str, fields: Any, personal_id: str = ""
) -> None:
    """Log a page that shows a household's (or a member's) sensitive fields: edit forms, Phiếu B."""
    audit_read(
        actor=user,
        action=action,
        fields=list(fields),
        object_type="registry.household",
        object_id=str(household.pk),
        household_code=household.code,
        personal_id=personal_id or "",
        area_code=household.commune.code if household.commune_id else "",
    )


ELSEWHERE_MESSAGE = "Số định danh đã được đăng ký ở nơi khác — liên hệ cấp tỉnh."


def personal_id_conflict(personal_id: str | None, *, exclude_pk: int | None = None, user: Any = None) -> str:
    """A message when the number already belongs to an active member or to a person recorded as
    dead; '' when it is free. (A person who moved away may be registered again.)

    With a ``user``, a holder outside the user's area is never described (issue 8: no oracle):
    the message is only :data:`ELSEWHERE_MESSAGE`, whatever the holder's state or place."""
    if not personal_id:
        return ""
    qs = Member.objects.filter(personal_id=personal_id)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    hits = list(
        qs.filter(Q(is_active=True) | Q(left_reason=Member.LeftReason.DIED)).values_list(
            "is_active", "household__area_path"
        )
    )
    if not hits:
        return ""
    if user is not None:
        paths = scope_paths(user)
        if not all(any(path.startswith(p) for p in paths) for _, path in hits):
            return ELSEWHERE_MESSAGE
    if any(active for active, _ in hits):
        return f"Số định danh {personal_id} đã có trong sổ hộ."
    return f"Số định danh {personal_id} thuộc người đã được ghi nhận qua đời."


class TooManyLookups(DomainError):
    code = "rate_limited"
    http_status = 429


def personal_id_check(*, user: Any, personal_id: str, exclude_pk: int | None = None) -> str:
    """A user's look-up of an ID number against the whole registry: rate-limited per user
    (``PERSONAL_ID_CHECKS_PER_MINUTE``) and logged (one audit row per look-up, refused ones too)."""
    from django.conf import settings
    from django.utils import timezone

    limit = int(getattr(settings, "PERSONAL_ID_CHECKS_PER_MINUTE", 20))
    since = timezone.now() - dt.timedelta(minutes=1)
    recent = AuditEvent.objects.filter(
        actor_username=getattr(user, "username", ""),
        action__startswith="registry.personal_id_check",
        at__gte=since,
    ).count()
    refused = recent >= limit
    audit_read(
        actor=user,
        action="registry.personal_id_check_refused" if refused else "registry.personal_id_check",
        fields=["personal_id"],
        personal_id=personal_id[:12],
    )
    if refused:
        raise TooManyLookups(
            _("Bạn đã kiểm tra quá %(limit)s số định danh trong một phút. Vui lòng đợi một phút rồi thử lại.")
            % {"limit": limit}
        )
    return personal_id_conflict(personal_id, exclude_pk=exclude_pk, user=user)
    qs = Member.objects.filter(personal_id=personal_id)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.filter(is_active=True).exists():
        return f"Số định danh {personal_id} đã có trong sổ hộ."
    if qs.filter(left_reason=Member.LeftReason.DIED).exists():
        return f"Số định danh {personal_id} thuộc người đã được ghi nhận qua đời."
    return ""
