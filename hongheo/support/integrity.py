"""The province's integrity checks: gather the rows from the database (through the gate) and run
the pure checks of ``checks.py`` on each commune's latest review round and households.

Flags are computed when the page is opened (nothing is stored); a province officer reads them and
may send a commune's results back (``services.round_send_back``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound, PermissionDenied
from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_user
from hongheo.reviews.models import Complaint, ReviewRound, RoundEntry
from hongheo.reviews.workflow import RoundState
from hongheo.standards.rules.catalog import StandardError
from hongheo.standards.selectors import standard_get, standard_in_force
from hongheo.users.access import scope_paths

from . import checks
from .models import SendBack

PROVINCE_ROLES = {"province_officer"}
NEWLY_POOR_FACTS = (
    "income_per_capita",
    "housing_quality",
    "floor_area_m2",
    "information_devices",
    "internet",
)
CHECK_CODES = ("newly_poor_contradiction", "rate_drop", "changed_after_meeting", "bunching", "survey_burst")


@dataclass
class CommuneFlags:
    commune: Area
    review_round: ReviewRound | None
    findings: list[checks.Finding] = field(default_factory=list)
    households: dict[str, int] = field(default_factory=dict)  # code → pk, for links
    send_backs: list[SendBack] = field(default_factory=list)

    @property
    def can_send_back(self) -> bool:
        return self.review_round is not None and self.review_round.state in (
            RoundState.MEETING,
            RoundState.POSTING,
            RoundState.COMPLAINTS,
            RoundState.DECISION,
        )

    def by_check(self) -> list[tuple[str, list[checks.Finding]]]:
        grouped: dict[str, list[checks.Finding]] = defaultdict(list)
        for f in self.findings:
            grouped[f.check].append(f)
        return [(c, grouped[c]) for c in CHECK_CODES if grouped.get(c)]


def require_province(user: Any) -> None:
    if str(getattr(user, "role", "")) not in PROVINCE_ROLES:
        raise PermissionDenied(_("Chỉ cán bộ cấp tỉnh xem được kết quả kiểm tra."))


def province_communes(user: Any) -> list[Area]:
    """Communes under the user's areas that have households."""
    paths = scope_paths(user)
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    if not paths:
        return []
    return list(
        Area.objects.filter(q, level=Area.Level.COMMUNE, households__isnull=False)
        .distinct()
        .select_related("parent")
        .order_by("name")
    )


def latest_rounds(communes: Iterable[Area]) -> dict[int, ReviewRound]:
    """The open round of each commune, else its latest (cancelled rounds do not count)."""
    out: dict[int, ReviewRound] = {}
    rounds = ReviewRound.objects.filter(commune__in=list(communes)).exclude(state=RoundState.CANCELLED)
    for r in rounds.order_by("commune_id", "-created_at", "-id"):
        current = out.get(r.commune_id)
        if current is None or (current.state == RoundState.CLOSED and r.state != RoundState.CLOSED):
            out[r.commune_id] = r
    return out


def commune_target_drops(communes: Iterable[Area], *, year: int) -> dict[str, float]:
    """Each commune's target drop of the poverty rate for ``year``, in percentage points.

    No targets are recorded yet: this returns nothing, so the rate check compares communes with
    similar communes only. The issue that records targets fills this in (commune code → points)."""
    return {}


def _fact(entry: RoundEntry, name: str) -> Any:
    record = entry.facts_record
    if record is not None and name in (record.household_facts or {}):
        return record.household_facts[name]
    return getattr(entry.household, name)


def income_lines(
    commune: Area, on: dt.date, review_round: ReviewRound | None = None
) -> list[tuple[int, str]]:
    """The income lines that matter: those of the round's standard, else of the one in force."""
    try:
        if review_round is not None:
            standard = standard_get(review_round.standard_code)
        else:
            standard = standard_in_force(on, province_code=commune.province_code)
    except (StandardError, NotFound):
        return []
    setting = commune.setting or "rural"
    out = []
    poor = standard.poor_line.get(setting)
    if poor is not None and poor.value:
        out.append((int(poor.value), "chuẩn nghèo"))
    upper = (standard.average_upper or {}).get(setting)
    if upper is not None and upper.value:
        out.append((int(upper.value), "chuẩn hộ có mức sống trung bình"))
    return out


def province_flags(user: Any, *, on: dt.date | None = None, only: str | None = None) -> list[CommuneFlags]:
    """Every check on every commune the province officer covers (or the one with code ``only``)."""
    require_province(user)
    on = on or timezone.localdate()
    communes = province_communes(user)
    if only:
        communes = [c for c in communes if c.code == only]
    rounds = latest_rounds(communes)
    result = {c.pk: CommuneFlags(c, rounds.get(c.pk)) for c in communes}
    visible = household_qs_for_user(user).filter(commune__in=communes, is_active=True)

    # 4. bunching: only the households near a line are read
    for commune in communes:
        for line, name in income_lines(commune, on, rounds.get(commune.pk)):
            low, high = line * (1 - checks.BUNCH_BAND), line * (1 + checks.BUNCH_BAND)
            incomes: list[tuple[str, int | None]] = list(
                visible.filter(commune=commune, income_per_capita__gt=low, income_per_capita__lte=high)
                .values_list("code", "income_per_capita")
                .order_by("code")
            )
            finding = checks.bunching(incomes, line=line, line_name=name)
            if finding:
                result[commune.pk].findings.append(finding)

    round_ids = [r.pk for r in rounds.values()]
    entries = RoundEntry.objects.filter(round_id__in=round_ids, household__in=visible)

    # 1. newly poor households whose facts contradict the class
    for commune in communes:
        r = rounds.get(commune.pk)
        if r is None:
            continue
        rows = [
            {
                "code": e.household.code,
                "previous_class": e.previous_class,
                "current_class": e.final_class or e.proposed_class,
                # the facts the Phiếu B recorded when there is one, else the household's facts of record
                **{k: _fact(e, k) for k in NEWLY_POOR_FACTS},
                "size": e.household.size,
            }
            for e in entries.filter(round=r)
            .filter(Q(final_class="poor") | Q(final_class="", proposed_class="poor"))
            .exclude(previous_class="poor")
            .select_related("household", "facts_record")
        ]
        lines = income_lines(commune, on, r)
        result[commune.pk].findings += checks.newly_poor_contradictions(
            rows, poor_line=lines[0][0] if lines else None
        )

    # 2. the poverty rate falls far faster than similar communes (or the target)
    totals = dict(
        household_qs_for_user(user)
        .filter(commune__in=communes, is_active=True)
        .values_list("commune_id")
        .annotate(n=Count("pk"))
        .values_list("commune_id", "n")
    )
    per_round = {
        row["round_id"]: row
        for row in RoundEntry.objects.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(
            before=Count("pk", filter=Q(previous_class="poor")),
            after=Count(
                "pk",
                filter=(Q(final_class="poor") | Q(final_class="", proposed_class="poor"))
                | (Q(final_class="", proposed_class="", previous_class="poor") & ~Q(state="screened_out")),
            ),
        )
    }
    rates = []
    for commune in communes:
        r = rounds.get(commune.pk)
        if r is None or r.pk not in per_round or r.state in (RoundState.LISTING, RoundState.SURVEY):
            continue
        row = per_round[r.pk]
        rates.append(
            checks.CommuneRate(
                commune.code, commune.kind, totals.get(commune.pk, 0), row["before"], row["after"]
            )
        )
    targets = commune_target_drops(communes, year=on.year)
    outliers = checks.rate_drop_outliers(rates, targets_pp=targets)
    for commune in communes:
        if commune.code in outliers:
            result[commune.pk].findings.append(outliers[commune.code])

    # 3. results changed after the meeting without a complaint; 5. many surveys in a short time
    complaint_classes: dict[int, set[str]] = defaultdict(set)
    for entry_id, cls in Complaint.objects.filter(
        round_id__in=round_ids, status=Complaint.Status.RESOLVED, entry__isnull=False
    ).values_list("entry_id", "class_after"):
        if cls:
            complaint_classes[entry_id].add(cls)
    tz = timezone.get_current_timezone()
    for commune in communes:
        r = rounds.get(commune.pk)
        if r is None:
            continue
        met = entries.filter(round=r, meeting__isnull=False).values_list(
            "pk", "household__code", "meeting__held_on", "surveyed_at", "proposed_class", "final_class"
        )
        rows_m = [
            {
                "code": code,
                "meeting_held_on": held,
                "surveyed_on": surveyed.astimezone(tz).date() if surveyed else None,
                "proposed_class": proposed,
                "final_class": final,
                "complaint_classes": complaint_classes.get(pk, set()),
            }
            for pk, code, held, surveyed, proposed, final in met
        ]
        result[commune.pk].findings += checks.changed_after_meeting(rows_m)
        surveys = entries.filter(round=r, surveyed_at__isnull=False, surveyed_by__isnull=False).values_list(
            "surveyed_by__username", "surveyed_at", "household__code"
        )
        result[commune.pk].findings += checks.survey_bursts((u, at, c) for u, at, c in surveys if at)

    # links to the households, and what was already sent back
    codes = {c for flags in result.values() for f in flags.findings for c in f.households}
    pks = dict(visible.filter(code__in=codes).values_list("code", "pk")) if codes else {}
    for flags in result.values():
        flags.households = {c: pks[c] for f in flags.findings for c in f.households if c in pks}
    for s in SendBack.objects.filter(commune__in=communes).select_related("sent_by"):
        result[s.commune_id].send_backs.append(s)
    return [result[c.pk] for c in communes]
