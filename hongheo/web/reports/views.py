"""Report pages: the tables on screen, their Excel export (optionally recorded "as submitted"), the
audited detailed list export and the reporting calendar. Thin: parse, authorise through the gate
(``hongheo.reports.builders.report_area``), call the builders and services, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongheo.core.errors import BadInput, NotFound, ValidationError
from hongheo.core.inputs import parse_date, parse_int, parse_year
from hongheo.core.text import natural_sorted
from hongheo.geography.models import Area
from hongheo.reports import builders, services
from hongheo.reports.calendar import calendar_for, due_report
from hongheo.reports.catalog import CatalogError, catalog
from hongheo.reviews.models import ReviewRound
from hongheo.users.access import scope_paths
from hongheo.web.areas import with_display_names

from ..errors import domain_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(value: str | None, default: dt.date) -> dt.date:
    return parse_date(value, default)


def _area_choices(user: Any) -> list[Area]:
    """The user's own areas and the areas one level below them (for province and central users)."""
    paths = scope_paths(user)
    own = list(Area.objects.filter(path__in=paths).order_by("path"))
    out: list[Area] = []
    for area in own:
        out.append(area)
        if area.level in (Area.Level.CENTRAL, Area.Level.PROVINCE):
            level = Area.Level.PROVINCE if area.level == Area.Level.CENTRAL else Area.Level.COMMUNE
            below = Area.objects.filter(path__startswith=area.path, level=level, historical=False)
            out.extend(natural_sorted(list(below.select_related("parent")[:400])))
    return with_display_names(out)


def _rounds(user: Any, area: Area) -> list[ReviewRound]:
    paths = scope_paths(user)
    qs = ReviewRound.objects.filter(commune__path__startswith=area.path).select_related("commune")
    return [
        r for r in qs.order_by("-year", "-month")[:50] if any(r.commune.path.startswith(p) for p in paths)
    ]


def _period(request: HttpRequest, area: Area) -> tuple[dt.date, dt.date, ReviewRound | None]:
    """The period from the query: a review round (đợt rà soát) of the area, or two dates."""
    params = request.GET if request.method == "GET" else request.POST
    today = timezone.localdate()
    round_id = params.get("dot", "")
    if round_id:
        rounds = {str(r.pk): r for r in _rounds(request.user, area)}
        rnd = rounds.get(round_id)
        if rnd is None:
            raise NotFound(_("Không tìm thấy đợt rà soát."))
        decision = getattr(rnd, "decision", None)
        end = max(rnd.period_end, decision.signed_on) if decision is not None else rnd.period_end
        return rnd.period_start, end, rnd
    end = _date(params.get("den_ngay"), today)
    start = _date(params.get("tu_ngay"), dt.date(end.year, 1, 1))
    if start > end:
        raise ValidationError(_("Ngày bắt đầu kỳ báo cáo phải trước ngày kết thúc."))
    return start, end, None


def _codes(value: str) -> list[str] | None:
    if not value:
        return None
    try:
        layout = catalog().layout(value)
    except CatalogError:
        raise NotFound(_("Không tìm thấy biểu báo cáo."))
    if layout.is_personal:
        raise NotFound(_("Không tìm thấy biểu báo cáo."))
    return [layout.code]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(prefix: str, area: Area, start: dt.date, end: dt.date) -> str:
    return f"{prefix}-{area.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


@login_required
@domain_errors
def reports_view(request: HttpRequest) -> HttpResponse:
    area = builders.report_area(request.user, request.GET.get("dia_ban"))
    start, end, rnd = _period(request, area)
    code = request.GET.get("bieu", "")
    tables = builders.report_tables(request.user, area, start, end, _codes(code))
    cat = catalog()
    return render(
        request,
        "web/reports/index.html",
        {
            "area": area,
            "areas": _area_choices(request.user),
            "start": start,
            "end": end,
            "round": rnd,
            "rounds": _rounds(request.user, area),
            "tables": tables,
            "layouts": cat.aggregate_layouts(),
            "lists": cat.personal_layouts(),
            "code": code,
            "catalog": cat,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@domain_errors
def reports_export_view(request: HttpRequest) -> HttpResponse:
    area = builders.report_area(request.user, request.GET.get("dia_ban"))
    start, end, _rnd = _period(request, area)
    codes = _codes(request.GET.get("bieu", ""))
    data = services.report_workbook(actor=request.user, area=area, start=start, end=end, codes=codes)
    return _xlsx(data, _filename(codes[0] if codes else "bao-cao", area, start, end))


@login_required
@require_POST
@domain_errors
def reports_submit_view(request: HttpRequest) -> HttpResponse:
    """Export the full set for a due report of the calendar and record it as submitted."""
    area = builders.report_area(request.user, request.POST.get("dia_ban"))
    if not request.POST.get("nam"):
        raise BadInput(_("Kỳ báo cáo không hợp lệ: thiếu năm."))
    year = parse_year(request.POST.get("nam"), 0)
    month = parse_int(request.POST.get("thang"), 0, low=1, high=12, label=_("Tháng")) or None
    due = due_report(request.POST.get("loai", ""), year, month)
    if due is None:
        raise NotFound(_("Không có báo cáo đến hạn này."))
    start, end = due.period_start, min(due.period_end, timezone.localdate())
    codes = list(catalog().calendar.get("reports", [])) or None
    data = services.report_workbook(actor=request.user, area=area, start=start, end=end, codes=codes)
    services.report_submission_record(
        actor=request.user,
        area=area,
        due=due,
        data=data,
        reports=codes or [],
        start=start,
        end=end,
        submitted_on=timezone.localdate(),
    )
    return _xlsx(data, _filename(f"nop-{due.code}", area, start, end))


@login_required
@require_POST
@domain_errors
def household_list_export_view(request: HttpRequest) -> HttpResponse:
    """The detailed list (personal data): POST only, logged in the audit trail."""
    area = builders.report_area(request.user, request.POST.get("dia_ban"))
    on = _date(request.POST.get("den_ngay"), timezone.localdate())
    code = request.POST.get("bieu", "")
    try:
        layout = catalog().layout(code)
    except CatalogError:
        raise NotFound(_("Không tìm thấy biểu báo cáo."))
    data = services.household_list_export(actor=request.user, area=area, on=on, layout_code=layout.code)
    return _xlsx(data, f"{layout.code}-{area.code}-{on:%Y%m%d}.xlsx")


@login_required
@domain_errors
def reports_calendar_view(request: HttpRequest) -> HttpResponse:
    area = builders.report_area(request.user, request.GET.get("dia_ban"))
    today = timezone.localdate()
    year = parse_year(request.GET.get("nam"), today.year)
    lines = calendar_for(area, year, today)
    late = sum(1 for line in lines if line.highlight)
    if late:
        messages.warning(
            request,
            _("Có %(late)s báo cáo quá hạn hoặc nộp muộn trong năm %(year)s.") % {"late": late, "year": year},
        )
    cal = catalog().calendar
    return render(
        request,
        "web/reports/calendar.html",
        {
            "area": area,
            "areas": _area_choices(request.user),
            "year": year,
            "years": list(range(today.year - 3, today.year + 2)),
            "lines": lines,
            "today": today,
            "interpretation": cal.get("interpretation_vi", ""),
            "provenance": cal.get("provenance", {}),
            "can_submit": getattr(request.user, "role", None) in services.SUBMIT_ROLES,
        },
    )
