"""Filters the household list accepts from the dashboards (the list behind a figure): the class at
a date (``loai`` = poor / near_poor, ``ngay``; decided by the report builders, like the figure) and
a target group (``nhom``). ``dia_ban`` names the area when no commune is chosen."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.errors import ValidationError
from hongheo.oversight.models import Target
from hongheo.oversight.progress import GROUPS
from hongheo.registry.models import Household
from hongheo.reports import builders
from hongheo.web.i18n_data import display

CLASS_LABELS = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}


FACT_PARAMS = {"chi_so": "indicator", "nguyen_nhan": "poverty_cause", "nhu_cau": "support_need"}


def _fact_filter(
    qs: QuerySet[Household], param: str, code: str, on: dt.date
) -> tuple[QuerySet[Household], str]:
    """Households deprived in an indicator (their latest stored result on ``on``), or with a cause /
    need code: the same conditions the report builders count with."""
    from django.db import connection
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from hongheo.registry import code_lists

    if not code.replace("_", "").isalnum() or len(code) > 40:
        raise ValidationError(_("Mã không hợp lệ."))
    if param == "chi_so":
        try:
            names = dict(builders.indicator_items(on)[1])
        except ValueError:  # no standard in force
            names = {}
        qs = qs.annotate(_dep=builders._deprived_as_of(on)).filter(builders._code_in_text("_dep", code))
        return qs, _("thiếu hụt: %(indicator)s") % {"indicator": display(names.get(code, code))}
    field = "poverty_causes" if param == "nguyen_nhan" else "support_needs"
    if not connection.features.supports_json_field_contains:
        qs = qs.annotate(**{f"_{field}_txt": Cast(field, TextField())})
    list_name = FACT_PARAMS[param]
    label = f"{display(code_lists.list_label(list_name))}: {display(code_lists.label(list_name, code))}"
    return qs.filter(builders._code_in_json(field, code)), label


def apply_list_filters(
    request: HttpRequest, qs: QuerySet[Household]
) -> tuple[QuerySet[Household], dict[str, Any]]:
    klass = request.GET.get("loai", "")
    group = request.GET.get("nhom", "")
    facts = {p: request.GET[p] for p in FACT_PARAMS if request.GET.get(p)}
    if not klass and not group and not facts:
        return qs, {}
    if klass and klass not in CLASS_LABELS:
        raise ValidationError(_("Loại hộ không hợp lệ."))
    if group and group not in GROUPS:
        raise ValidationError(_("Nhóm hộ không hợp lệ."))
    try:
        on = dt.date.fromisoformat(request.GET["ngay"]) if request.GET.get("ngay") else timezone.localdate()
    except ValueError:
        raise ValidationError(_("Ngày không hợp lệ."))
    code = request.GET.get("xa") or request.GET.get("dia_ban") or None
    area = builders.report_area(request.user, code)
    labels = []
    if klass:
        codes = [line.code for line in builders.household_list(request.user, area, on, klass)]
        qs = qs.filter(area_path__startswith=area.path)
        if len(codes) > 50_000:  # bounded IN list: beyond this, use the report's Excel list
            raise ValidationError(_("Danh sách quá lớn để xem trên trang; hãy chọn một xã."))
        qs = qs.filter(code__in=codes)
        labels.append(
            _("%(klass)s ngày %(date)s") % {"klass": _(CLASS_LABELS[klass]), "date": f"{on:%d/%m/%Y}"}
        )
    if group:
        qs = qs.filter(**{group: True})
        labels.append(str(dict(Target.Group.choices)[group]))
    for param, code in facts.items():
        qs, label = _fact_filter(qs, param, code, on)
        labels.append(label)
    params = {k: v for k, v in (("loai", klass), ("nhom", group), ("ngay", request.GET.get("ngay", ""))) if v}
    params.update(facts)
    if request.GET.get("dia_ban"):
        params["dia_ban"] = request.GET["dia_ban"]
    return qs, {"label": " · ".join(labels), "area": area, "query": "&" + urlencode(params), "params": params}
