from django import template

from hongheo.core.text import format_vnd

register = template.Library()


@register.filter
def vnd(value: int | float | None) -> str:
    """1500000 → 1.500.000 đ"""
    return format_vnd(value)


@register.filter
def code_label(value: str | None, list_name: str) -> str:
    """{{ household.toilet|code_label:"toilet" }} → 'Tự hoại/bán tự hoại'"""
    from hongheo.registry.codes import label

    return label(list_name, value)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """{{ mapping|get_item:key }}"""
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return ""


@register.filter
def facts_vi(facts: dict) -> str:
    """The facts that decided an indicator, as a short Vietnamese sentence."""
    from hongheo.web.facts_display import facts_vi as render

    return render(facts or {})


@register.filter
def class_label(value: str | None) -> str:
    """'near_poor' → 'Hộ cận nghèo' (translated)."""
    from hongheo.reviews.models import CLASS_CHOICES

    return str(dict(CLASS_CHOICES).get(value or "", value or ""))
