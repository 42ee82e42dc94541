"""The indicative self-assessment: the official engine and the standard the commune's next
decision will use, on the facts the person declared, explained in plain Vietnamese.

It classifies unsaved registry rows with :func:`hongheo.standards.facts.classify_registered_household`,
the very function the review's Phiếu B step uses, so the two cannot read the facts differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hongheo.geography.models import Area
from hongheo.registry.models import Household, Member
from hongheo.reviews import procedure
from hongheo.reviews.models import ReviewRound
from hongheo.reviews.workflow import FINISHED_STATES
from hongheo.standards.facts import classify_registered_household
from hongheo.standards.rules.catalog import Standard
from hongheo.standards.rules.engine import CLASS_NAMES_VI, Classification, format_vnd
from hongheo.standards.selectors import standard_get_cached, standard_in_force_cached

PERIODS = {"month": 1, "year": 12}
MAX_SOURCE_PER_MONTH = 500_000_000  # one source above 500 million đồng a month is not credible here
DISCLAIMER = (
    "Đây là kết quả tự đánh giá để tham khảo, tính theo thông tin bạn khai. "
    "UBND xã quyết định sau khi rà soát (Phiếu A, Phiếu B), họp dân và niêm yết."
)


def income_per_person_month(incomes: Iterable[Mapping[str, Any]], people: int) -> int:
    """Sources per month or per year → income per person per month, rounded to the đồng."""
    if people <= 0:
        raise ValueError("people must be > 0")
    monthly = sum(float(i["amount"]) / PERIODS[str(i["period"])] for i in incomes)
    return round(monthly / people)


@dataclass(frozen=True)
class NextDecision:
    standard: Standard
    reference_date: dt.date


def next_decision(commune: Area, today: dt.date) -> NextDecision:
    """The standard the commune's next decision will use and the date ages are counted at: the open
    round's; else the yearly round's when today is in the yearly window (it sets next year's
    lists); else a monthly review's (today's standard)."""
    open_round = (
        ReviewRound.objects.filter(commune=commune).exclude(state__in=FINISHED_STATES).order_by("-id").first()
    )
    return next_decision_from(
        commune, today, (open_round.standard_code, open_round.period_start) if open_round else None
    )


def next_decision_from(commune: Area, today: dt.date, open_round: tuple[str, dt.date] | None) -> NextDecision:
    """:func:`next_decision` when the caller has already read the open round (standard code, start)."""
    if open_round is not None:
        return NextDecision(standard_get_cached(open_round[0]), open_round[1])
    start, end = procedure.yearly_window(today.year)
    province = commune.province_code
    if start <= today <= end:
        return NextDecision(
            standard_in_force_cached(dt.date(today.year + 1, 1, 1), province_code=province), start
        )
    return NextDecision(standard_in_force_cached(today, province_code=province), today)


def unsaved_household(commune: Area, living: Mapping[str, Any], income_per_capita: int) -> Household:
    return Household(commune=commune, income_per_capita=income_per_capita, **dict(living))


def unsaved_members(members: Iterable[Mapping[str, Any]]) -> list[Member]:
    fields = {f.name for f in Member._meta.get_fields() if hasattr(f, "attname")}
    return [Member(**{k: v for k, v in m.items() if k in fields}) for m in members]


def assess(
    *,
    commune: Area,
    living: Mapping[str, Any],
    members: Iterable[Mapping[str, Any]],
    income_per_capita: int,
    today: dt.date,
    nxt: NextDecision | None = None,
) -> dict[str, Any]:
    """The self-assessment as a JSON-ready dict: class, standard, explanation, indicators."""
    nxt = nxt or next_decision(commune, today)
    result = classify_registered_household(
        nxt.standard,
        unsaved_household(commune, living, income_per_capita),
        unsaved_members(members),
        reference_date=nxt.reference_date,
    )
    return as_payload(result, nxt)


def explain(result: Classification, standard: Standard) -> str:
    """“Theo thông tin bạn khai, hộ có thể thuộc diện hộ cận nghèo: thu nhập … ≤ …; thiếu hụt 2 chỉ số: …”"""
    cls = CLASS_NAMES_VI[result.classification]
    area = standard.area_names[result.area]
    income = format_vnd(result.income_used or 0)
    line = format_vnd(int(standard.poor_line[result.area].value))
    kind = result.threshold_kind
    if kind in ("poor_line", "income_only"):
        money = f"thu nhập {income} đ/người/tháng ≤ chuẩn nghèo {area} {format_vnd(int(result.threshold))} đ"
    elif kind == "average":
        money = (
            f"thu nhập {income} đ/người/tháng trên chuẩn nghèo {area} {line} đ "
            f"và ≤ {format_vnd(int(result.threshold))} đ"
        )
    else:
        money = f"thu nhập {income} đ/người/tháng > {format_vnd(int(result.threshold))} đ ({area})"
    deprived = [i.name_vi for i in result.indicators if i.deprived]
    if deprived:
        lack = f"thiếu hụt {len(deprived)} chỉ số: " + ", ".join(deprived)
    else:
        lack = "không thiếu hụt chỉ số dịch vụ xã hội cơ bản nào"
    verb = "có thể thuộc diện" if result.classification != "not_poor" else "có thể là"
    return f"Theo thông tin bạn khai, hộ {verb} {cls}: {money}; {lack}."


def as_payload(result: Classification, nxt: NextDecision) -> dict[str, Any]:
    return {
        "indicative": True,
        "classification": result.classification,
        "classification_vi": CLASS_NAMES_VI[result.classification],
        "standard": nxt.standard.code,
        "standard_title": nxt.standard.title,
        "reference_date": nxt.reference_date.isoformat(),
        "income_per_capita": result.income_used,
        "threshold": result.threshold,
        "deprived_count": result.deprived_count,
        "indicators": [
            {"code": i.code, "name_vi": i.name_vi, "deprived": i.deprived} for i in result.indicators
        ],
        "explanation": explain(result, nxt.standard),
        "reason": result.reason,
        "disclaimer": DISCLAIMER,
    }
