"""Reads of field work, all starting from the access gate: what a phone downloads (the households
of the user's villages, with their current facts), the conflicts a commune officer resolves."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_read
from hongheo.core.errors import NotFound
from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_user, household_scope_q
from hongheo.registry.models import Member
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.reviews.workflow import RoundState
from hongheo.standards.facts import HOUSEHOLD_FACTS, MEMBER_FACTS
from hongheo.users.access import scope_paths

from .models import EvidenceFlag, FieldConflict, Submission
from .services import household_version

MAX_HOUSEHOLDS = 5000


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def assignments(user: Any) -> dict[str, Any]:
    """The households the user may survey (their areas), last facts and members included, each
    with its line in the commune's open round. Reading them is audited (personal data)."""
    households = list(
        household_qs_for_user(user)
        .filter(is_active=True)
        .select_related("commune", "village")
        .order_by("village__name", "head_sort_key")[:MAX_HOUSEHOLDS]
    )
    ids = [h.pk for h in households]
    members: dict[int, list[dict[str, Any]]] = {}
    for m in Member.objects.filter(household_id__in=ids, is_active=True).order_by("household_id", "pk"):
        members.setdefault(m.household_id, []).append(
            {
                "member_id": m.pk,
                "full_name": m.full_name,
                **{k: _jsonable(getattr(m, k)) for k in MEMBER_FACTS},
            }
        )
    communes = {h.commune_id for h in households}
    rounds = {
        r.commune_id: r
        for r in ReviewRound.objects.filter(commune_id__in=communes).exclude(
            state__in=[RoundState.CLOSED, RoundState.CANCELLED]
        )
    }
    entries = {
        e.household_id: e
        for e in RoundEntry.objects.filter(round__in=list(rounds.values()), household_id__in=ids).only(
            "pk", "household_id", "state", "round_id"
        )
    }
    out = []
    for h in households:
        entry = entries.get(h.pk)
        out.append(
            {
                "id": h.pk,
                "code": h.code,
                "head_name": h.head_name,
                "address": h.address,
                "commune_id": h.commune_id,
                "commune_code": h.commune.code,
                "commune_name": h.commune.name,
                "village_code": h.village.code if h.village else "",
                "village_name": h.village.name if h.village else "",
                "area": h.commune.setting,
                "latitude": h.latitude,
                "longitude": h.longitude,
                "version": household_version(h),
                "entry_id": entry.pk if entry else None,
                "entry_state": entry.state if entry else "",
                "round_state": rounds[h.commune_id].state if h.commune_id in rounds else "",
                "facts": {k: _jsonable(getattr(h, k)) for k in HOUSEHOLD_FACTS},
                "members": members.get(h.pk, []),
            }
        )
    audit_read(
        actor=user,
        action="fieldwork.assignments_download",
        fields=["income_per_capita", "disability", "health_insurance"],
        object_type="registry.household",
        object_id=f"{len(out)} households",
    )
    paths = scope_paths(user)
    villages = Area.objects.filter(level=Area.Level.VILLAGE, is_active=True)
    village_q = None
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    if paths:
        village_q = reduce(or_, (Q(path__startswith=p) for p in paths))
    village_rows = (
        [
            {"code": v.code, "name": v.name, "commune_id": v.parent_id}
            for v in villages.filter(village_q).order_by("name")[:500]
        ]
        if village_q is not None
        else []
    )
    return {
        "villages": village_rows,
        "user": {"username": user.username, "full_name": getattr(user, "full_name", ""), "role": user.role},
        "areas": scope_paths(user),
        "rounds": [
            {
                "id": r.pk,
                "commune": r.commune_id,
                "state": r.state,
                "standard_code": r.standard_code,
                "poor_line": _poor_line(r.standard_code),
            }
            for r in rounds.values()
        ],
        "households": out,
    }


def _poor_line(code: str) -> dict[str, Any]:
    """The standard's income poverty line by area, for the app's indicative preview."""
    from hongheo.standards.selectors import standard_get

    try:
        standard = standard_get(code)
    except NotFound:
        return {}
    return {area: getattr(q, "value", q) for area, q in standard.poor_line.items()}


def conflicts_for_user(user: Any, *, open_only: bool = True) -> QuerySet[FieldConflict]:
    q = household_scope_q(user, prefix="household__")
    if q is None:
        return FieldConflict.objects.none()
    qs = FieldConflict.objects.filter(q).select_related("submission", "household", "submission__user")
    if open_only:
        qs = qs.filter(state=FieldConflict.State.OPEN)
    return qs.order_by("created_at")


def flags_for_user(user: Any) -> QuerySet[EvidenceFlag]:
    """Evidence flags (notes, never refusals) of field submissions in the user's area whose round is
    still running: what the commune officer checks before the meeting."""
    q = household_scope_q(user, prefix="household__")
    if q is None:
        return EvidenceFlag.objects.none()
    return (
        EvidenceFlag.objects.filter(q)
        .exclude(submission__entry__round__state__in=[RoundState.CLOSED, RoundState.CANCELLED])
        .select_related("household", "submission")
        .order_by("-created_at")
    )


def conflict_get_for_user(user: Any, pk: Any) -> FieldConflict:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy xung đột."))
    conflict = conflicts_for_user(user, open_only=False).filter(pk=key).first()
    if conflict is None:
        raise NotFound(_("Không tìm thấy xung đột."))
    return conflict


def submission_get_for_user(user: Any, pk: Any) -> Submission:
    q = household_scope_q(user, prefix="household__")
    sub = Submission.objects.filter(q, pk=pk).first() if q is not None else None
    if sub is None:
        raise NotFound(_("Không tìm thấy phiếu."))
    return sub


def submissions_of_user(user: Any, ids: list[str]) -> list[Submission]:
    """The user's own submissions among ``ids`` (others' and malformed ids are left out)."""
    wanted = []
    for raw in ids:
        try:
            wanted.append(uuid.UUID(str(raw).removeprefix("uuid:")))
        except ValueError:
            continue
    q = household_scope_q(user, prefix="household__")
    if q is None or not wanted:
        return []
    return list(Submission.objects.filter(q, user=user, pk__in=wanted))


def last_answers(entry: Any) -> dict[str, Any]:
    """The answers of the last Phiếu B recorded for a round entry (any channel), to pre-fill the form."""
    sub = (
        Submission.objects.filter(
            entry=entry,
            form_id="hn_phieu_b",
            state__in=[Submission.State.ACCEPTED, Submission.State.APPLIED],
        )
        .order_by("-received_at")
        .only("answers")
        .first()
    )
    return dict(sub.answers) if sub is not None else {}


def communes_of(user: Any) -> list[Area]:
    """The communes a user works in (their commune, or the commune of their village)."""
    out: dict[str, Area] = {}
    for path in scope_paths(user):
        area = Area.objects.filter(path=path).select_related("parent").first()
        if area is None:
            continue
        if area.level == Area.Level.COMMUNE:
            out[area.code] = area
        elif area.level == Area.Level.VILLAGE and area.parent is not None:
            out[area.parent.code] = area.parent
    return list(out.values())[:20]
