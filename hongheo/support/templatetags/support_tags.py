"""Template helpers of support plans (``{% load support_tags %}``): names of codes in the page's
language, and the household page's "who helps, what was done" part."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from .. import lists, selectors

register = template.Library()


@register.filter
def support_label(code: str | None, list_name: str) -> str:
    """{{ item.kind|support_label:"support_kind" }} — Vietnamese, or English on English pages."""
    return lists.label(list_name, code, get_language() or "vi")


@register.filter
def support_labels(codes: list[str] | None, list_name: str) -> str:
    return ", ".join(lists.label(list_name, c, get_language() or "vi") for c in (codes or [])) or "—"


@register.filter
def household_help(household: Any) -> selectors.HouseholdSupport:
    """{% with help=household|household_help %} — the page was opened through the gate."""
    return selectors.household_support(household=household)


@register.filter
def round_send_backs(review_round: Any) -> list[Any]:
    """The province's send-backs of a review round, latest first (the commune sees why)."""
    from ..models import SendBack

    return list(SendBack.objects.filter(round=review_round).select_related("sent_by"))
