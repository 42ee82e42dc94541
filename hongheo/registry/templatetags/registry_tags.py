"""Template helpers of the registry for the household page (``{% load registry_tags %}``).

They only call selectors and the access rules; the page itself was already opened through the
access gate (``access_household_by_id``)."""

from __future__ import annotations

from typing import Any

from django import template

from hongheo.users.access import user_can_write_households, user_covers_area

from .. import code_lists, selectors
from ..models import Household

register = template.Library()


@register.filter
def can_write_household(household: Household, user: Any) -> bool:
    """{% if household|can_write_household:user %} — the same rule as the services' check."""
    return bool(
        household.is_active
        and user_can_write_households(user)
        and user_covers_area(user, household.village or household.commune)
    )


@register.filter
def household_history(household: Household) -> list[Any]:
    return selectors.household_history(household=household)


@register.filter
def household_past_members(household: Household) -> list[Any]:
    return selectors.household_past_members(household=household)


@register.filter
def household_support(household: Household) -> list[Any]:
    return selectors.household_support(household=household)


@register.filter
def code_labels(values: list[str] | None, list_name: str) -> list[str]:
    """{{ household.poverty_causes|code_labels:"poverty_cause"|join:", " }}"""
    return code_lists.label_many(list_name, values)


@register.filter
def field_labels(values: list[str] | None) -> list[str]:
    """Vietnamese names of fields listed in a history line."""
    from ..validation import FIELD_LABELS

    extra = {
        "ethnic_minority": "Dân tộc thiểu số",
        "merit": "Người có công",
        "social_protection": "Bảo trợ xã hội",
        "no_working_capacity": "Không có khả năng lao động",
        "female_head": "Chủ hộ là nữ",
        "poverty_causes": "Nguyên nhân nghèo",
        "support_needs": "Nhu cầu hỗ trợ",
        "sex": "Giới tính",
        "relation_to_head": "Quan hệ với chủ hộ",
        "status": "Tình trạng",
        "disability": "Khuyết tật",
        "disability_allowance": "Trợ cấp khuyết tật",
        "undernourished": "Suy dinh dưỡng",
        "health_insurance": "BHYT",
        "in_school": "Đang đi học",
        "education_level": "Trình độ",
        "has_qualification": "Bằng cấp chuyên môn",
        "employment": "Việc làm",
    }
    return [FIELD_LABELS.get(v) or extra.get(v, v) for v in (values or [])]
