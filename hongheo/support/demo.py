"""Demo data for support plans and the province's checks (additive to the registry and review
demos): the first demo commune gets its mass organisations, the poor households of its first
village assigned to the Women's Union with a named helper, and a few plans (one already given);
the second demo commune gets an open yearly round at the meeting step whose incomes bunch just
under the poor line, so the province's checks have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from hongheo.core.errors import DomainError
from hongheo.geography.models import Area
from hongheo.registry.models import Household
from hongheo.registry.services import household_update_facts, household_update_groups_causes_needs
from hongheo.reviews import services as review_services
from hongheo.reviews.models import ReviewRound
from hongheo.users.models import User

from . import integrity, services
from .models import Organisation
from .status import class_q

ORGANISATIONS = [
    ("Hội Liên hiệp Phụ nữ", "womens_union", "Chủ tịch Hội: chị Nguyễn Thị Hoa"),
    ("Hội Nông dân", "farmers_association", "Chủ tịch Hội: anh Lê Văn Tâm"),
    ("Đoàn Thanh niên", "youth_union", "Bí thư Đoàn: anh Trần Minh Quân"),
    ("Hội Cựu chiến binh", "veterans_association", "Chủ tịch Hội: ông Phạm Văn Sơn"),
]
BUNCHED = 10


def _commune_of(username: str) -> Area | None:
    user = User.objects.filter(username=username).first()
    assignment = user.assignments.select_related("area").first() if user else None
    return assignment.area if assignment else None


def demo_support_seed(*, today: dt.date | None = None) -> dict[str, Any]:
    """Idempotent: does nothing once the demo commune has organisations."""
    today = today or timezone.localdate()
    commune = _commune_of("xa")
    if commune is None or Organisation.objects.filter(commune=commune).exists():
        return {"organisations": 0}
    with transaction.atomic():
        orgs = [
            services.organisation_create(actor=None, commune=commune, name=name, kind=kind, contact=contact)
            for name, kind, contact in ORGANISATIONS
        ]
        listed = list(
            Household.objects.filter(class_q(), commune=commune, is_active=True).order_by(
                "village__name", "code"
            )
        )
        for h in listed:
            if not h.support_needs:
                household_update_groups_causes_needs(
                    actor=None,
                    household=h,
                    support_needs=["health", "credit"],
                    poverty_causes=["lack_capital"],
                )
        village = next((h.village for h in listed if h.village), None)
        assigned = 0
        if village is not None:
            assigned = services.households_assign(
                actor=None, organisation=orgs[0], village=village, helper_name="Nguyễn Thị Hoa"
            )["created"]
        plans = 0
        for i, h in enumerate(listed[:3]):
            h.refresh_from_db()
            item = services.plan_item_add(
                actor=None,
                household=h,
                kind="health_insurance_card" if i != 1 else "preferential_loan",
                need="health" if i != 1 else "credit",
                programme="state_budget" if i != 1 else "social_policy_bank",
                organisation=orgs[0] if i == 1 else None,
                responsible="Cán bộ văn hóa - xã hội xã",
                due_on=today + dt.timedelta(days=30) if i else today - dt.timedelta(days=3),
            )
            plans += 1
            if i == 2:
                services.plan_item_follow_up(actor=None, item=item, status="given", note="Đã cấp thẻ BHYT")
    flagged = demo_bunched_round(_commune_of("xa2"), today=today)
    return {"organisations": len(orgs), "assigned": assigned, "plans": plans, "bunched": flagged}


def demo_bunched_round(commune: Area | None, *, today: dt.date) -> int:
    """Open the commune's yearly round, move some incomes just under the round's poor line, survey
    the listed households and move to the meeting step. Returns how many incomes were moved."""
    if commune is None or ReviewRound.objects.filter(commune=commune).exists():
        return 0
    try:
        with transaction.atomic():
            rnd = review_services.round_open(actor=None, commune=commune, kind="yearly", year=today.year)
            lines = integrity.income_lines(commune, today, rnd)
            if not lines:
                return 0
            line = lines[0][0]
            candidates = list(
                Household.objects.filter(commune=commune, is_active=True, income_per_capita__gt=line)
                .exclude(class_q())
                .order_by("income_per_capita", "code")
            )
            near = [h for h in candidates if h.income_per_capita and h.income_per_capita <= line * 1.05]
            chosen = near + [h for h in candidates if h not in near][: max(0, BUNCHED - len(near))]
            for i, h in enumerate(chosen):
                household_update_facts(
                    actor=None, household=h, facts={"income_per_capita": line - 2_000 * (i + 1)}
                )
            rnd = review_services.round_advance(actor=None, review_round=rnd, action="start_survey")
            for entry in rnd.entries.select_related("household", "round"):
                review_services.survey_record(actor=None, entry=entry)
            review_services.round_advance(actor=None, review_round=rnd, action="start_meetings")
            return len(chosen)
    except DomainError:
        return 0
