"""Reads of the linkage domain for other pages: the population candidate of each member of some
households (the household page, the applications list), with a check at once of people registered
since the last look (đối chiếu ngay)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hongheo.registry.models import Member

from .models import LinkCandidate, MatchCheck
from .services import candidates_for, members_match_safely, user_can_review_links

#: at most this many unchecked people are checked while a page is built (≈ 30 ms each)
CATCH_UP_MAX = 20


@dataclass
class MemberLink:
    member: Member
    candidate: LinkCandidate | None
    check: MatchCheck | None


def household_links(
    user: Any, household_ids: Iterable[int], *, catch_up: bool = True
) -> dict[int, list[MemberLink]]:
    """Household id → its active members with their latest population candidate (of a batch run or
    of the check made when they were registered) or, without one, the outcome of that check.
    Only for users who decide on links (officers); the caller has opened the households through the
    registry's gate. Members never checked (registered while the worker was busy, or before the
    extract came) are checked now, up to :data:`CATCH_UP_MAX` per call."""
    if not user_can_review_links(user):
        return {}
    ids = list(household_ids)
    members = list(
        Member.objects.filter(household_id__in=ids, is_active=True)
        .select_related("household__commune")
        .order_by("household_id", "pk")
    )
    if not members:
        return {}
    cands, checks = _latest(user, [m.pk for m in members])
    if catch_up:
        missing = [m.pk for m in members if m.pk not in cands and m.pk not in checks][:CATCH_UP_MAX]
        if missing:
            members_match_safely(member_ids=missing, source="page", actor=user)
            more_c, more_k = _latest(user, missing)
            cands.update(more_c)
            checks.update(more_k)
    out: dict[int, list[MemberLink]] = {}
    for m in members:
        out.setdefault(m.household_id, []).append(MemberLink(m, cands.get(m.pk), checks.get(m.pk)))
    return out


def _latest(user: Any, member_ids: list[int]) -> tuple[dict[int, LinkCandidate], dict[int, MatchCheck]]:
    cands: dict[int, LinkCandidate] = {}
    for c in (
        candidates_for(user)
        .filter(member_id__in=member_ids)
        .select_related("person", "member", "household__commune", "run")
        .order_by("member_id", "-created_at", "-pk")
    ):
        cands.setdefault(c.member_id, c)
    checks: dict[int, MatchCheck] = {}
    for k in MatchCheck.objects.filter(member_id__in=member_ids).order_by("member_id", "-checked_at", "-pk"):
        checks.setdefault(k.member_id, k)
    return cands, checks
