"""Request parameters parsed within sane bounds (issue 8): out-of-range values are a 400 with a
Vietnamese message, never an OverflowError or a database error deeper down."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .errors import BadInput

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_PAGE = 1_000_000


def parse_date(value: str | None, default: dt.date, *, label: str = "Ngày") -> dt.date:
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(_("%(label)s không hợp lệ: %(value)s") % {"label": _(label), "value": str(value)[:40]})
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadInput(
            _("%(label)s phải trong khoảng %(MIN_DATE)s–%(MAX_DATE)s.")
            % {
                "label": _(label),
                "MIN_DATE": format(MIN_DATE, "%d/%m/%Y"),
                "MAX_DATE": format(MAX_DATE, "%d/%m/%Y"),
            }
        )
    return day


def parse_int(value: object, default: int, *, low: int, high: int, label: str) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadInput(_("%(label)s không hợp lệ: %(value)s") % {"label": label, "value": str(value)[:40]})
    if not low <= number <= high:
        raise BadInput(
            _("%(label)s phải từ %(low)s đến %(high)s.") % {"label": label, "low": low, "high": high}
        )
    return number


def parse_year(value: object, default: int) -> int:
    return parse_int(value, default, low=MIN_DATE.year, high=MAX_DATE.year, label=_("Năm"))


def check_page(page: int) -> int:
    if not 1 <= page <= MAX_PAGE:
        raise BadInput(_("Số trang phải từ 1 đến %(MAX_PAGE)s.") % {"MAX_PAGE": MAX_PAGE})
    return page
