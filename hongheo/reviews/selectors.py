"""Read side of the review: which rounds and entries a user may see (through the one gate), the
round board's progress per village and per step, the legal deadline of the current step and
whether it is overdue (durations from ``procedure.py``), and what changed since last year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound
from hongheo.geography.models import Area
from hongheo.registry.access import household_scope_q
from hongheo.users.access import personal_scope_paths, scope_paths

from . import procedure
from .models import (
    Certificate,
    Complaint,
    OfficialStatus,
    ReviewRound,
    RoundEntry,
    StatusChange,
)
from .workflow import (
    CHANGE_LABELS_VI,
    STATE_LABELS_VI,
    EntryState,
    RoundKind,
    RoundState,
    change_kind,
)

#: the columns of the progress table, in the order of the procedure
ENTRY_STATE_LABELS_VI = {
    EntryState.LISTED: "Trong danh sách",
    EntryState.SCREENED_OUT: "Loại ở Phiếu A",
    EntryState.SURVEYED: "Đã có Phiếu B",
    EntryState.AGREED: "Họp dân đồng ý",
    EntryState.DISAGREED: "Họp dân không đồng ý",
    EntryState.DECIDED: "Đã quyết định",
}
#: the order in which changes are shown to the chairman (the ones the meeting focuses on first)
CHANGE_ORDER = (
    "newly_poor",
    "re_entered_poverty",
    "near_poor_to_poor",
    "newly_near_poor",
    "poor_to_near_poor",
    "escaped_poverty",
    "escaped_near_poverty",
)
ON_LIST = ("poor", "near_poor")
CLASS_LABELS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Hộ không nghèo",
}


# --- the gate -----------------------------------------------------------------------------------


def _commune_scope_q(user: Any, prefix: str = "", *, personal: bool = True) -> Q | None:
    """Communes the user covers, and the commune of a village-level user (a village head works on
    the round of the village's commune, but sees only the village's households).

    ``personal=True`` (the default: every page that shows a household, a person, a vote, a
    complaint or a document about them) uses the personal-data scope of the one gate
    (:func:`hongheo.users.access.personal_scope_paths`): an aggregate-only role (the central
    analyst) without an active personal-data grant gets nothing, so its rounds are "not found".
    ``personal=False`` is for counting pages only (the province overview, a round's progress)."""
    paths = personal_scope_paths(user) if personal else scope_paths(user)
    if not paths:
        return None
    parts = []
    for p in paths:
        parts.append(Q(**{f"{prefix}path__startswith": p}))
        segments = p.strip("/").split("/")
        for depth in range(1, len(segments)):
            parts.append(Q(**{f"{prefix}path": "/" + "/".join(segments[:depth]) + "/"}))
    return reduce(or_, parts) & Q(**{f"{prefix}level": Area.Level.COMMUNE})


def communes_for_user(user: Any, *, personal: bool = True) -> QuerySet[Area]:
    q = _commune_scope_q(user, personal=personal)
    if q is None:
        return Area.objects.none()
    return Area.objects.filter(q).select_related("parent").order_by("name")


def round_qs_for_user(user: Any, *, personal: bool = True) -> QuerySet[ReviewRound]:
    q = _commune_scope_q(user, prefix="commune__", personal=personal)
    if q is None:
        return ReviewRound.objects.none()
    return ReviewRound.objects.filter(q).select_related("commune", "commune__parent")


def round_get_for_user(user: Any, pk: int | str, *, personal: bool = True) -> ReviewRound:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy đợt rà soát."))
    review_round = round_qs_for_user(user, personal=personal).filter(pk=key).first()
    if review_round is None:
        raise NotFound(_("Không tìm thấy đợt rà soát."))
    return review_round


def user_reads_round_personal_data(user: Any, review_round: ReviewRound) -> bool:
    """Whether the round's personal pages (households, votes, documents) are open to the user."""
    return round_qs_for_user(user).filter(pk=review_round.pk).exists()


def entries_for_counting(user: Any, review_round: ReviewRound) -> QuerySet[RoundEntry]:
    """The round's households the user may COUNT (progress tables): the aggregate scope. Never
    used to show a household; for that, :func:`entries_for_user`."""
    q = household_scope_q(user, prefix="household__", aggregate=True)
    if q is None:
        return RoundEntry.objects.none()
    return RoundEntry.objects.filter(q, round=review_round)


def entries_for_user(user: Any, review_round: ReviewRound) -> QuerySet[RoundEntry]:
    """The round's households the user may see (the household gate decides)."""
    q = household_scope_q(user, prefix="household__")
    if q is None:
        return RoundEntry.objects.none()
    return (
        RoundEntry.objects.filter(q, round=review_round)
        .select_related("household", "household__village", "application", "meeting")
        .order_by("household__village__name", "household__head_sort_key", "id")
    )


def entry_get_for_user(user: Any, review_round: ReviewRound, pk: int | str) -> RoundEntry:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy hộ trong đợt rà soát."))
    entry = entries_for_user(user, review_round).filter(pk=key).first()
    if entry is None:
        raise NotFound(_("Không tìm thấy hộ trong đợt rà soát."))
    return entry


def entries_search(qs: QuerySet[RoundEntry], query: str) -> QuerySet[RoundEntry]:
    """Search by household code, or the head's name with or without diacritics."""
    from hongheo.core.text import fold

    query = (query or "").strip()
    if not query:
        return qs
    folded = fold(query)
    return qs.filter(
        Q(household__code__icontains=query)
        | Q(household__head_name__icontains=query)
        | Q(household__members__is_active=True, household__members__search_name__contains=folded)
    ).distinct()


def certificate_qs_for_user(user: Any) -> QuerySet[Certificate]:
    q = household_scope_q(user, prefix="household__")
    if q is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(q).select_related("household", "commune", "decision")


# --- the current step and its deadline -----------------------------------------------------------


@dataclass(frozen=True)
class StepDeadline:
    state: str
    label: str
    deadline: dt.date | None
    overdue: bool
    days_left: int | None
    basis: str
    provenance_status: str


def step_deadline(review_round: ReviewRound, *, today: dt.date | None = None) -> StepDeadline:
    """The legal deadline of the step the round is in, and whether it has passed.

    The whole yearly round must end by 14/12 (QĐ 24/2021 Art. 3); a monthly review must end in a
    decision within 15 days of its start (Art. 5). Posting lasts the configured number of days
    (3 working days, UNVERIFIED); the re-check deadline is unknown (set by the province).
    """
    today = today or timezone.localdate()
    state = RoundState(review_round.state)
    label = STATE_LABELS_VI[state]
    if state == RoundState.CLOSED:
        return StepDeadline(state, label, None, False, None, "Đợt rà soát đã kết thúc.", "verified")
    if review_round.kind == RoundKind.YEARLY:
        spec = procedure.setting("yearly_window")
        basis = "Kết thúc rà soát định kỳ trước ngày 14/12 (QĐ 24/2021 Điều 3)"
    else:
        spec = procedure.setting("monthly_decision_days")
        basis = f"Quyết định trong {spec['value']} ngày kể từ ngày bắt đầu rà soát (QĐ 24/2021 Điều 5)"
    deadline = review_round.period_end
    status = spec["provenance"]["status"]
    if state == RoundState.POSTING:
        posting = review_round.postings.order_by("-posted_to").first()
        if posting is not None:
            spec = procedure.setting("posting_days")
            deadline = posting.posted_to
            status = spec["provenance"]["status"]
            basis = f"Niêm yết {spec['value']} ngày làm việc, đến hết ngày {posting.posted_to:%d/%m/%Y}"
    overdue = today > deadline
    return StepDeadline(state, label, deadline, overdue, (deadline - today).days, basis, status)


def posting_note() -> dict[str, Any]:
    """The posting duration with its provenance, to show next to the computed end date."""
    spec = procedure.setting("posting_days")
    unit = "ngày làm việc" if spec.get("unit") == "working_days" else "ngày"
    return {
        "days": spec["value"],
        "unit": unit,
        "status": spec["provenance"]["status"],
        "source": spec["provenance"]["source"],
    }


# --- progress ----------------------------------------------------------------------------------


@dataclass
class VillageProgress:
    village_id: int | None
    village_code: str
    village_name: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def cells(self) -> list[int]:
        return [self.counts.get(s.value, 0) for s in EntryState]


def round_progress(entries: QuerySet[RoundEntry]) -> dict[str, Any]:
    """Entries per village and per state (one grouped query), with totals."""
    rows = (
        entries.order_by()
        .values("household__village_id", "household__village__code", "household__village__name", "state")
        .annotate(n=Count("id"))
    )
    villages: dict[int | None, VillageProgress] = {}
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        vid = row["household__village_id"]
        vp = villages.get(vid)
        if vp is None:
            vp = villages[vid] = VillageProgress(
                vid,
                row["household__village__code"] or "",
                row["household__village__name"] or "(không thuộc thôn)",
            )
        vp.counts[row["state"]] = vp.counts.get(row["state"], 0) + row["n"]
        vp.total += row["n"]
        totals[row["state"]] += row["n"]
    return {
        "columns": [ENTRY_STATE_LABELS_VI[s] for s in EntryState],
        "villages": sorted(villages.values(), key=lambda v: v.village_name),
        "totals": [totals.get(s.value, 0) for s in EntryState],
        "total": sum(totals.values()),
    }


# --- what changed since last year --------------------------------------------------------------


@dataclass(frozen=True)
class EntryChange:
    entry: RoundEntry
    before: str
    after: str
    kind: str

    @property
    def label(self) -> str:
        return CHANGE_LABELS_VI.get(self.kind, self.kind)

    @property
    def before_label(self) -> str:
        return CLASS_LABELS_VI.get(self.before, "Chưa trong danh sách")

    @property
    def after_label(self) -> str:
        return CLASS_LABELS_VI.get(self.after, self.after)


def round_changes(review_round: ReviewRound, entries: QuerySet[RoundEntry]) -> list[EntryChange]:
    """Each entry whose class changes, as the decision will record it (``workflow.change_kind``
    against the entry's previous class). After the decision the ledger rows are shown instead."""
    entry_list = list(entries)
    if review_round.state == RoundState.CLOSED:
        ledger = {
            c.household_id: c
            for c in StatusChange.objects.filter(round=review_round).only(
                "household_id", "from_class", "to_class", "kind"
            )
        }
        out = [
            EntryChange(e, ledger[e.household_id].from_class, ledger[e.household_id].to_class, c.kind)
            for e in entry_list
            if (c := ledger.get(e.household_id)) is not None
        ]
    else:
        statuses = {
            s.household_id: s
            for s in OfficialStatus.objects.filter(
                household_id__in=[e.household_id for e in entry_list], valid_to__isnull=True
            )
        }
        ever_poor = set(
            OfficialStatus.objects.filter(
                household_id__in=[e.household_id for e in entry_list], classification="poor"
            ).values_list("household_id", flat=True)
        )
        out = []
        for e in entry_list:
            if e.state == EntryState.SCREENED_OUT:
                continue
            after = e.final_class or e.proposed_class
            if not after:
                continue
            status = statuses.get(e.household_id)
            before = e.previous_class or (
                status.classification if status and status.classification in ON_LIST else ""
            )
            kind = change_kind(before or None, after, was_ever_poor=e.household_id in ever_poor)
            if kind:
                out.append(EntryChange(e, before, after, kind))
    rank = {k: i for i, k in enumerate(CHANGE_ORDER)}
    out.sort(key=lambda c: (rank.get(c.kind, 99), c.entry.household.head_sort_key))
    return out


def changes_grouped(changes: list[EntryChange]) -> list[dict[str, Any]]:
    groups: dict[str, list[EntryChange]] = {}
    for c in changes:
        groups.setdefault(c.kind, []).append(c)
    return [
        {"kind": k, "label": CHANGE_LABELS_VI.get(k, k), "changes": v, "count": len(v)}
        for k, v in groups.items()
    ]


def decision_lists(entries: QuerySet[RoundEntry] | list[RoundEntry]) -> dict[str, list[RoundEntry]]:
    """The annex lists of Mẫu 02: poor, near-poor, escaped poverty, escaped near-poverty (and the
    rest, for the page only)."""
    lists: dict[str, list[RoundEntry]] = {
        "poor": [],
        "near_poor": [],
        "escaped_poverty": [],
        "escaped_near_poverty": [],
        "other": [],
        "screened_out": [],
    }
    for e in entries:
        if e.state == EntryState.SCREENED_OUT:
            lists["screened_out"].append(e)
            continue
        current = e.final_class or e.proposed_class
        if current in ON_LIST:
            lists[current].append(e)
        elif e.previous_class == "poor":
            lists["escaped_poverty"].append(e)
        elif e.previous_class == "near_poor":
            lists["escaped_near_poverty"].append(e)
        else:
            lists["other"].append(e)
    return lists


def complaints_for_round(review_round: ReviewRound) -> QuerySet[Complaint]:
    return review_round.complaints.select_related("entry", "entry__household", "resolved_by")


# --- the province's view ------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneRoundRow:
    commune: Area
    review_round: ReviewRound | None
    deadline: StepDeadline | None


def province_overview(user: Any, *, today: dt.date | None = None) -> list[CommuneRoundRow]:
    """Every commune the user covers, with its current round (the open one, else the latest),
    its step and whether that step is overdue."""
    communes = list(communes_for_user(user, personal=False))  # counts and states only
    rounds: dict[int, ReviewRound] = {}
    for r in (
        ReviewRound.objects.filter(commune__in=communes)
        .select_related("commune")
        .order_by("commune_id", "-created_at", "-id")
    ):
        current = rounds.get(r.commune_id)
        if current is None or (current.state == RoundState.CLOSED and r.state != RoundState.CLOSED):
            rounds[r.commune_id] = r
    today = today or timezone.localdate()
    this_year = set(
        ReviewRound.objects.filter(commune__in=communes, kind=RoundKind.YEARLY, year=today.year).values_list(
            "commune_id", flat=True
        )
    )
    rows = []
    for c in communes:
        current_round = rounds.get(c.pk)
        deadline = step_deadline(current_round, today=today) if current_round else None
        if c.pk not in this_year and (current_round is None or current_round.state == RoundState.CLOSED):
            deadline = yearly_not_opened(today) or deadline
        rows.append(CommuneRoundRow(c, current_round, deadline))
    return rows


def yearly_not_opened(today: dt.date) -> StepDeadline | None:
    """A commune that has not opened this year's yearly round once the window has started is late:
    the whole round must end by the window's last day (QĐ 24/2021 Điều 3)."""
    start, end = procedure.yearly_window(today.year)
    if today < start:
        return None
    return StepDeadline(
        "not_opened",
        f"Chưa mở đợt rà soát định kỳ năm {today.year}",
        end,
        True,
        (end - today).days,
        f"Rà soát định kỳ từ {start:%d/%m} đến {end:%d/%m/%Y} (QĐ 24/2021 Điều 3)",
        procedure.setting("yearly_window")["provenance"]["status"],
    )
