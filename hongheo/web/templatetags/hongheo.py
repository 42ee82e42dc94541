from django import template

from hongheo.core.text import format_vnd

register = template.Library()


@register.filter
def vnd(value: int | float | None) -> str:
    """1500000 → 1.500.000 đ"""
    return format_vnd(value)
