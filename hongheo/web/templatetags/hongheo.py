import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from hongheo.core.text import format_vnd

register = template.Library()


@register.filter
def vnd(value: int | float | None) -> str:
    """1500000 → 1.500.000 đ"""
    return format_vnd(value)


@register.filter
def code_label(value: str | None, list_name: str) -> str:
    """{{ household.toilet|code_label:"toilet" }} → 'Tự hoại/bán tự hoại' (English when chosen)"""
    from hongheo.registry.codes import label
    from hongheo.web.i18n_data import display

    return str(display(label(list_name, value)))


@register.filter
def en(value: Any) -> Any:
    """A data label (report heading, indicator, step, code-list name) in the user's language."""
    from hongheo.web.i18n_data import display

    return display(value)


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


# --- provenance: plain words for administrators, a discreet marker for officers, nothing in documents

_INSTRUMENT = re.compile(
    r"(?:Nghị định|Quyết định|Thông tư|Nghị quyết|Luật[\w ]{0,30}?|NĐ|QĐ|TT)\s+\d+(?:/\d{4})?(?:/[\w.-]+)?"
    r"(?:\s+Điều\s+[\d.–-]+(?:\([a-z]\))?)?"
)
_SHORT = {"NĐ": "Nghị định", "QĐ": "Quyết định", "TT": "Thông tư"}


def _status(provenance: Any) -> str:
    if isinstance(provenance, dict):
        return str(provenance.get("status") or "")
    return str(getattr(provenance, "status", provenance) or "")


@register.filter
def prov_verified(provenance: Any) -> bool:
    return _status(provenance) == "verified"


@register.filter
def prov_sentence(provenance: Any) -> str:
    """'Đã đối chiếu văn bản' or 'Chưa đối chiếu văn bản gốc — quản trị viên có thể sửa'."""
    if _status(provenance) == "verified":
        return gettext("Đã đối chiếu văn bản")
    return gettext("Chưa đối chiếu văn bản gốc — quản trị viên có thể sửa")


@register.filter
def legal_basis(provenance: Any) -> str:
    """The legal instruments a provenance source names ("Quyết định 24/2021/QĐ-TTg Điều 3"), without
    the research notes kept beside them in the data (links, remarks on where a number came from)."""
    text = provenance.get("source", "") if isinstance(provenance, dict) else getattr(provenance, "source", "")
    found: list[str] = []
    for match in _INSTRUMENT.finditer(str(text or "")):
        name = match.group(0).strip()
        head, _, rest = name.partition(" ")
        name = f"{_SHORT.get(head, head)} {rest}".strip()
        if not any(name in f or f in name for f in found):
            found.append(name)
    return "; ".join(found)


@register.filter
def data(value: Any) -> str:
    """A data value (a person's or a place's name, a code) marked so that translation, and the
    English-completeness crawl, leave it alone: <span translate="no">…</span>."""
    return format_html('<span translate="no">{}</span>', value)


@register.filter
def round_title(review_round: Any) -> str:
    """'Rà soát định kỳ năm 2026 — Xã X' in the user's language, the commune marked as data."""
    if review_round is None:
        return ""
    if review_round.kind == "yearly":
        text = gettext("Rà soát định kỳ năm %(year)s") % {"year": review_round.year}
    else:
        text = gettext("Rà soát thường xuyên tháng %(month)s/%(year)s") % {
            "month": review_round.month,
            "year": review_round.year,
        }
    return format_html('{} — <span translate="no">{}</span>', text, review_round.commune.name)
