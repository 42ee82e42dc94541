"""Oversight pages: dashboards (centre, province, commune), targets, the map and federation.

Thin: parse, authorise through the gate (``builders.report_area`` and the oversight services),
call the figures/selectors/services, render. Every figure links to the list or table behind it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db.models import Avg, Count, FloatField, Max, Min, Q
from django.db.models.functions import Cast, Floor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.oversight import figures as fig
from hongheo.oversight import selectors, services
from hongheo.oversight.models import OutgoingPush, ProvinceKey, ReceivedPush, Target
from hongheo.oversight.progress import GROUPS, Unit
from hongheo.registry.access import household_qs_for_user
from hongheo.reports import builders
from hongheo.users.access import scope_paths, user_covers_area

from ..errors import domain_errors
from .charts import COLOURS, Bar, Series, columns, hbars

GROUP_LABELS = dict(Target.Group.choices)
STATUS_LABELS = {  # translated when shown
    "met": gettext_lazy("Đạt"),
    "on_track": gettext_lazy("Đúng tiến độ"),
    "off_track": gettext_lazy("Chậm tiến độ"),
    "no_data": gettext_lazy("Chưa có số liệu"),
}


def _date(value: str | None, default: dt.date) -> dt.date:
    """The shared date parser (01/01/1900–31/12/2100, else 400 with a message: issue 8, item 13)."""
    from hongheo.core.inputs import parse_date

    return parse_date(value, default)


def _area(request: HttpRequest) -> Area:
    return builders.report_area(request.user, request.GET.get("dia_ban") or request.POST.get("dia_ban"))


def list_url(
    area: Area,
    *,
    commune: str = "",
    klass: str = "",
    group: str = "",
    on: dt.date | None = None,
    village: str = "",
    fact: tuple[str, str] | None = None,
) -> str:
    """The household list behind a figure (the list page applies the gate again)."""
    params = {"dia_ban": area.code}
    if fact is not None:
        params[fact[0]] = fact[1]
    if commune:
        params["xa"] = commune
    if village and area.level == Area.Level.COMMUNE:
        params["xa"] = area.code
        params["thon"] = village
    if klass:
        params["loai"] = klass
    if group:
        params["nhom"] = group
    if on is not None:
        params["ngay"] = on.isoformat()
    return reverse("web:household_list") + "?" + urlencode(params)


def report_url(area: Area, code: str, on: dt.date) -> str:
    params = {"dia_ban": area.code, "bieu": code, "tu_ngay": f"{on.year}-01-01", "den_ngay": on.isoformat()}
    return reverse("web:reports") + "?" + urlencode(params)


def dashboard_url(code: str, on: dt.date | None = None) -> str:
    params = {"dia_ban": code}
    if on is not None:
        params["ngay"] = on.isoformat()
    return reverse("web:oversight_dashboard") + "?" + urlencode(params)


def _rate(num: int, den: int) -> float | None:
    return fig.rate(num, den)


def _sub_areas(user: Any, area: Area) -> list[Area]:
    if area.level == Area.Level.CENTRAL:
        return []
    if area.level == Area.Level.PROVINCE:
        return list(
            Area.objects.filter(parent=area, level=Area.Level.COMMUNE, historical=False).order_by("name")
        )
    return []


def _choices(user: Any) -> list[Area]:
    own = list(Area.objects.filter(path__in=scope_paths(user)).order_by("path"))
    out: list[Area] = []
    for a in own:
        out.append(a)
        if a.level == Area.Level.CENTRAL:
            out.extend(
                Area.objects.filter(parent=a, level=Area.Level.PROVINCE, historical=False).order_by("code")
            )
        elif a.level == Area.Level.PROVINCE:
            out.extend(_sub_areas(user, a)[:400])
    return out


# --- dashboards ---------------------------------------------------------------------------------


def _trend_chart(
    area: Area, series: list[tuple[dt.date, dict[str, Any]]], linked: bool, limit: int | None = None
) -> Any:
    """Rates at the ends of past years and at the date; with ``limit`` (shared views) a rate whose
    count is a small cell is left out."""
    cats = [str(d.year) if (d.month, d.day) == (12, 31) else d.strftime("%d/%m/%Y") for d, _ in series]

    def shown(n: int, d: int) -> float | None:
        return None if limit is not None and selectors.suppressed(n, limit) else _rate(n, d)

    poor = [shown(t["poor"], t["households"]) for _, t in series]
    near = [shown(t["near_poor"], t["households"]) for _, t in series]
    return columns(
        cats,
        [
            Series(
                _("Tỷ lệ hộ nghèo"),
                COLOURS["poor"],
                poor,
                [list_url(area, klass="poor", on=d) for d, _ in series] if linked else None,
            ),
            Series(
                _("Tỷ lệ hộ cận nghèo"),
                COLOURS["near_poor"],
                near,
                [list_url(area, klass="near_poor", on=d) for d, _ in series] if linked else None,
            ),
        ],
        unit="%",
        title=_("Tỷ lệ hộ nghèo, cận nghèo qua các năm"),
    )


def _review_progress(user: Any, area: Area) -> dict[str, Any]:
    from hongheo.reviews.selectors import province_overview

    rows = [
        r for r in province_overview(user, today=timezone.localdate()) if r.commune.path.startswith(area.path)
    ]
    states: dict[str, int] = {}
    for r in rows:
        label = r.deadline.label if r.deadline else _("Chưa mở đợt")
        states[label] = states.get(label, 0) + 1
    overdue = [r for r in rows if r.deadline and r.deadline.overdue]
    return {
        "communes": len(rows),
        "states": sorted(states.items()),
        "overdue": overdue[:20],
        "overdue_n": len(overdue),
    }


@login_required
@domain_errors
def dashboard_view(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    today = timezone.localdate()
    on = _date(request.GET.get("ngay"), today)
    if area.level == Area.Level.CENTRAL:
        return _national_dashboard(request, area, on)
    user = request.user
    now = fig.cached(user, area, on)
    history = [(d, fig.cached(user, area, d)) for d in fig.year_ends(on, 3)[:-1]]
    base = history[-1][1]
    total = fig.totals(now["rows"])
    progress = selectors.target_progress(area, now, base, on.year)
    trend = [(d, fig.totals(f["rows"])) for d, f in history] + [(on, total)]
    rows = sorted(
        (r for r in now["rows"] if r["households"] or r["households_start"]),
        key=lambda r: -(_rate(r["poor"], r["households"]) or 0),
    )
    row_links = area.level == Area.Level.PROVINCE
    commune_bars = [
        Bar(
            r["name"],
            _rate(r["poor"], r["households"]),
            href=dashboard_url(r["code"], on)
            if row_links and r["code"]
            else list_url(area, klass="poor", on=on, village=r["code"]),
            colour=COLOURS["poor"],
        )
        for r in rows[:15]
    ]
    transitions = [
        Bar(_("Thoát nghèo"), total["poor_escaped"], report_url(area, "dien_bien_ngheo", on), COLOURS["ok"]),
        Bar(
            _("Nghèo → cận nghèo"),
            total["poor_to_near_poor"],
            report_url(area, "dien_bien_ngheo", on),
            COLOURS["near_poor"],
        ),
        Bar(_("Nghèo mới"), total["poor_new"], report_url(area, "dien_bien_ngheo", on), COLOURS["poor"]),
        Bar(
            _("Tái nghèo"), total["poor_re_entered"], report_url(area, "dien_bien_ngheo", on), COLOURS["poor"]
        ),
        Bar(
            _("Cận nghèo mới"),
            total["near_poor_new"],
            report_url(area, "dien_bien_can_ngheo", on),
            COLOURS["near_poor"],
        ),
    ]
    groups = [
        Bar(
            _("%(group)s — nghèo") % {"group": GROUP_LABELS.get(g, g)},
            total["groups"][g]["poor"],
            list_url(area, klass="poor", group=g, on=on),
            COLOURS["poor"],
            text=_group_text(total["groups"][g]),
        )
        for g in GROUPS
    ]
    b = now["breakdowns"]
    indicators = [
        Bar(
            i["label"],
            i["poor"],
            list_url(area, klass="poor", on=on, fact=("chi_so", i["code"])),
            COLOURS["poor"],
        )
        for i in sorted(b["indicators"], key=lambda i: -i["poor"])
    ]
    causes = [
        Bar(
            i["label"],
            i["poor"],
            list_url(area, klass="poor", on=on, fact=("nguyen_nhan", i["code"])),
            COLOURS["poor"],
        )
        for i in sorted(b["causes"], key=lambda i: -i["poor"])
        if i["poor"]
    ][:10]
    needs = [
        Bar(
            i["label"],
            i["poor"],
            list_url(area, klass="poor", on=on, fact=("nhu_cau", i["code"])),
            COLOURS["neutral"],
        )
        for i in sorted(b["needs"], key=lambda i: -i["poor"])
        if i["poor"]
    ][:10]
    support = [
        Bar(
            s["label"],
            s["households"],
            "",
            COLOURS["ok"],
            text=_("%(count)s hộ · %(amount)s đ")
            % {"count": s["households"], "amount": f"{s['amount']:,}".replace(",", ".")},
        )
        for s in now["support"]
    ]
    return render(
        request,
        "web/oversight/dashboard.html",
        {
            "area": area,
            "areas": _choices(request.user),
            "on": on,
            "total": total,
            "rate_poor": _rate(total["poor"], total["households"]),
            "rate_near_poor": _rate(total["near_poor"], total["households"]),
            "rate_average": _rate(total["average"], total["households"]),
            "links": {
                "poor": list_url(area, klass="poor", on=on),
                "near_poor": list_url(area, klass="near_poor", on=on),
                "all": list_url(area),
                "average": report_url(area, "ket_qua", on),
            },
            "progress": progress,
            "status_labels": STATUS_LABELS,
            "trend_chart": _trend_chart(area, trend, linked=True),
            "commune_chart": hbars(commune_bars, unit="%", title=_("Tỷ lệ hộ nghèo theo địa bàn")),
            "transition_chart": hbars(transitions, title=_("Biến động trong năm")),
            "group_chart": hbars(groups, title=_("Nhóm đối tượng")),
            "indicator_chart": hbars(indicators, title=_("Chỉ số thiếu hụt của hộ nghèo")),
            "cause_chart": hbars(causes, title=_("Nguyên nhân nghèo")),
            "need_chart": hbars(needs, title=_("Nhu cầu hỗ trợ")),
            "support_chart": hbars(support, title=_("Hỗ trợ đã nhận")),
            "reviews": _review_progress(request.user, area),
            "rows": rows,
            "row_links": row_links,
            "standard": now.get("standard", ""),
        },
    )


def _group_text(part: dict[str, int]) -> str:
    rate = _rate(part["poor"], part["households"])
    shown = "—" if rate is None else f"{rate:.2f}".replace(".", ",") + " %"
    return _("%(poor)s / %(households)s hộ (%(rate)s)") % {
        "poor": part["poor"],
        "households": part["households"],
        "rate": shown,
    }


def _national_dashboard(request: HttpRequest, area: Area, on: dt.date) -> HttpResponse:
    """The centre's dashboard: national figures from each province's latest accepted push.
    Aggregates shared beyond the province, so small cells are suppressed."""
    now, base, provinces = selectors.national_figures()
    total = fig.totals(now["rows"])
    units = [
        Unit(code, info["name"], info["rows_now"], info["rows_base"]) for code, info in provinces.items()
    ]
    progress = selectors.target_progress(area, now, base, on.year, units=units)
    limit = selectors.threshold()
    table = [
        {
            "code": code,
            "name": info["name"],
            "on": info["on"],
            "push_id": info["push"].pk,
            "households": info["now"]["households"],
            "poor": info["now"]["poor"],
            "near_poor": info["now"]["near_poor"],
            "rate_poor": _rate(info["now"]["poor"], info["now"]["households"]),
            "rate_near_poor": _rate(info["now"]["near_poor"], info["now"]["households"]),
            "suppress_poor": selectors.suppressed(info["now"]["poor"], limit),
            "suppress_near_poor": selectors.suppressed(info["now"]["near_poor"], limit),
        }
        for code, info in provinces.items()
    ]
    years = sorted({h_on for info in provinces.values() for h_on, _ in info["history"]})
    trend = []
    for year_on in years:
        parts = [t for info in provinces.values() for h_on, t in info["history"] if h_on == year_on]
        trend.append((dt.date.fromisoformat(year_on), fig.totals_of_totals(parts)))
    trend.append((on, total))
    statuses = selectors.province_statuses(timezone.localdate())
    return render(
        request,
        "web/oversight/national.html",
        {
            "area": area,
            "areas": _choices(request.user),
            "on": on,
            "total": total,
            "rate_poor": None
            if selectors.suppressed(total["poor"], limit)
            else _rate(total["poor"], total["households"]),
            "rate_near_poor": None
            if selectors.suppressed(total["near_poor"], limit)
            else _rate(total["near_poor"], total["households"]),
            "table": sorted(table, key=lambda r: -(r["rate_poor"] or 0)),
            "progress": progress,
            "status_labels": STATUS_LABELS,
            "trend_chart": _trend_chart(area, trend, linked=False, limit=limit),
            "statuses": statuses,
            "late": [s for s in statuses if s.late],
            "limit": limit,
        },
    )


@login_required
@domain_errors
def dashboard_export_view(request: HttpRequest) -> HttpResponse:
    """The dashboard's table per area as CSV: an exported aggregate, so small cells are suppressed
    (``OVERSIGHT_SMALL_CELL``) and the export is audited."""
    from hongheo.core.audit import audit_read
    from hongheo.core.xlsx import csv_text

    area = _area(request)
    on = _date(request.GET.get("ngay"), timezone.localdate())
    if area.level == Area.Level.CENTRAL:
        _now, _base, provinces = selectors.national_figures()
        rows = [{"code": c, "name": i["name"], **i["now"]} for c, i in provinces.items()]
    else:
        rows = fig.cached(request.user, area, on)["rows"]
    limit = selectors.threshold()
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["ma", "ten", "so_ho", "ho_ngheo", "ty_le_ngheo", "ho_can_ngheo", "ty_le_can_ngheo"]
    writer.writerow(head)

    def cell(n: int) -> str:
        return f"<{limit}" if selectors.suppressed(n, limit) else str(n)

    def pct(n: int, d: int) -> str:
        if selectors.suppressed(n, limit):
            return ""
        r = _rate(n, d)
        return "" if r is None else f"{r:.2f}"

    for r in rows:
        writer.writerow(
            [
                r["code"],
                csv_text(r["name"]),
                cell(r["households"]),
                cell(r["poor"]),
                pct(r["poor"], r["households"]),
                cell(r["near_poor"]),
                pct(r["near_poor"], r["households"]),
            ]
        )
    audit_read(
        actor=request.user,
        action="oversight.dashboard_export",
        fields=["aggregate"],
        object_type="oversight.dashboard",
        object_id=f"{area.code}:{on.isoformat()}",
        area_code=area.code,
        kind="export",
        rows=len(rows),
    )
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dieu-hanh-{area.code}-{on:%Y%m%d}.csv"'
    return response


# --- targets ------------------------------------------------------------------------------------


TARGET_FIELDS = (
    "title",
    "metric",
    "op",
    "value",
    "value_high",
    "klass",
    "area_type",
    "group",
    "except_group",
    "scope",
    "min_base_rate",
    "year_from",
    "year_to",
    "source",
)


@login_required
@domain_errors
def targets_view(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    year = int(request.GET.get("nam") or timezone.localdate().year)
    form: dict[str, Any] = {
        "year_from": year,
        "year_to": year,
        "metric": "rate",
        "op": "at_most",
        "scope": "whole",
    }
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in TARGET_FIELDS}
        try:
            years = (int(form["year_from"]), int(form["year_to"]))
        except ValueError:
            messages.error(request, _("Năm không hợp lệ."))
        else:
            try:
                target = services.target_create(
                    actor=request.user,
                    area=area,
                    year_from=years[0],
                    year_to=years[1],
                    **{k: form[k] for k in TARGET_FIELDS if k not in ("year_from", "year_to")},
                )
            except ValidationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã đặt chỉ tiêu: %(title)s") % {"title": target.title})
                return redirect(reverse("web:oversight_dashboard") + "?" + urlencode({"dia_ban": area.code}))
    own = list(Target.objects.filter(area=area).order_by("-is_active", "-year_to", "id"))
    return render(
        request,
        "web/oversight/targets.html",
        {
            "area": area,
            "areas": _choices(request.user),
            "year": year,
            "own": own,
            "inherited": [s for s in selectors.targets_for(area, year) if s.area_path != area.path],
            "below": selectors.targets_below(area),
            "can_set": services._can_set_target(request.user, area),
            "form": form,
            "choices": {
                "metric": Target.Metric.choices,
                "op": Target.Op.choices,
                "klass": Target.Klass.choices,
                "area_type": Target.AreaType.choices,
                "group": Target.Group.choices,
                "scope": Target.Scope.choices,
            },
        },
    )


@login_required
@require_POST
@domain_errors
def target_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = Target.objects.select_related("area").filter(pk=pk).first()
    if target is None or not user_covers_area(request.user, target.area):
        raise NotFound(_("Không tìm thấy chỉ tiêu."))
    services.target_retire(actor=request.user, target=target)
    messages.success(request, _("Chỉ tiêu “%(title)s” đã thôi áp dụng.") % {"title": target.title})
    return redirect(reverse("web:oversight_targets") + "?" + urlencode({"dia_ban": target.area.code}))


# --- the map ------------------------------------------------------------------------------------


@login_required
@domain_errors
def map_view(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area.level == Area.Level.CENTRAL:
        raise ValidationError(_("Bản đồ hộ gia đình có ở cấp tỉnh và cấp xã; hãy chọn một tỉnh."))
    return render(
        request,
        "web/oversight/map.html",
        {"area": area, "areas": _choices(request.user), "data_url": reverse("web:oversight_map_data")},
    )


def _located(user: Any, area: Area, on: dt.date) -> Any:
    return (
        household_qs_for_user(user)
        .filter(area_path__startswith=area.path)
        .filter(Q(closed_at__isnull=True, is_active=True) | Q(closed_at__gt=on))
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
    )


def _communes_layer(user: Any, area: Area, on: dt.date) -> list[dict[str, Any]]:
    """Each commune's point (mean of its households' GPS) and extent (their bounding box), coloured
    by its poor rate from the dashboard figures. Not an administrative boundary."""
    now = fig.cached(user, area, on)
    by_code = {r["code"]: r for r in now["rows"]}
    if area.level == Area.Level.COMMUNE:
        total = fig.totals(now["rows"])
        by_code = {area.code: {**total, "name": area.name}}
    extents = (
        _located(user, area, on)
        .values("commune__code", "commune__name")
        .annotate(
            n=Count("pk"),
            lat=Avg("latitude"),
            lon=Avg("longitude"),
            s=Min("latitude"),
            w=Min("longitude"),
            nn=Max("latitude"),
            e=Max("longitude"),
        )
    )
    out = []
    for x in extents:
        row = by_code.get(x["commune__code"], {})
        households = int(row.get("households") or 0)
        out.append(
            {
                "code": x["commune__code"],
                "name": x["commune__name"],
                "lat": x["lat"],
                "lon": x["lon"],
                "bbox": [x["s"], x["w"], x["nn"], x["e"]],
                "located": x["n"],
                "households": households,
                "rate": _rate(int(row.get("poor") or 0), households),
                "list": list_url(area, commune=x["commune__code"], klass="poor", on=on),
                "all": list_url(area, commune=x["commune__code"]),
            }
        )
    return out


def _households_layer(
    user: Any, area: Area, on: dt.date, zoom: int, bbox: list[float] | None
) -> dict[str, Any]:
    """Households as points coloured by class, clustered on the server on a grid that follows the
    zoom (about 48 px cells); single points (no name) from zoom 16."""
    qs = _located(user, area, on)
    if bbox:
        s, w, n, e = bbox
        qs = qs.filter(latitude__gte=s, latitude__lte=n, longitude__gte=w, longitude__lte=e)
    # the class at the date, as the report builders decide it
    qs = builders._with_status_on(qs, _s=on).annotate(_c=builders._class_case(on, "_s"))
    if zoom >= 16:
        points = list(qs.values_list("pk", "latitude", "longitude", "_c")[:3000])
        return {
            "points": [
                {"lat": la, "lon": lo, "cls": c, "href": reverse("web:household_detail", args=[pk])}
                for pk, la, lo, c in points
            ]
        }
    cell = 360.0 / (2**zoom) / (256 / 48)
    grid = (
        qs.annotate(
            gx=Floor(Cast("longitude", FloatField()) / cell), gy=Floor(Cast("latitude", FloatField()) / cell)
        )
        .values("gx", "gy", "_c")
        .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))[:20000]
    )
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for g in grid:
        key = (int(g["gx"]), int(g["gy"]))
        c = cells.setdefault(key, {"n": 0, "lat": 0.0, "lon": 0.0, "by": {}})
        c["lat"] = (c["lat"] * c["n"] + g["lat"] * g["n"]) / (c["n"] + g["n"])
        c["lon"] = (c["lon"] * c["n"] + g["lon"] * g["n"]) / (c["n"] + g["n"])
        c["n"] += g["n"]
        c["by"][g["_c"]] = c["by"].get(g["_c"], 0) + g["n"]
    clusters = []
    for c in cells.values():
        top = max(c["by"].items(), key=lambda kv: (kv[0] in ("poor", "near_poor"), kv[1]))[0]
        clusters.append({"lat": c["lat"], "lon": c["lon"], "n": c["n"], "by": c["by"], "cls": top})
    return {"clusters": clusters}


@login_required
@domain_errors
def map_data_view(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    on = timezone.localdate()
    try:
        zoom = max(0, min(19, int(request.GET.get("z", "8"))))
        bbox = [float(x) for x in request.GET["bbox"].split(",")] if request.GET.get("bbox") else None
    except ValueError:
        raise ValidationError(_("Tham số bản đồ không hợp lệ."))
    if bbox is not None and (len(bbox) != 4 or not all(math.isfinite(x) for x in bbox)):
        raise ValidationError(_("Tham số bản đồ không hợp lệ."))
    layer = request.GET.get("lop", "xa")
    if layer == "ho":
        data = _households_layer(request.user, area, on, zoom, bbox)
    else:
        data = {"communes": _communes_layer(request.user, area, on)}
    return JsonResponse(data)


# --- federation ---------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def federation_receive_view(request: HttpRequest) -> HttpResponse:
    """The centre's endpoint: a province's signed push (no session: the signature authenticates)."""
    try:
        body = request.body
    except RequestDataTooBig:
        reason = _("Báo cáo quá lớn (vượt giới hạn DATA_UPLOAD_MAX_MEMORY_SIZE của máy chủ).")
        return JsonResponse({"status": "rejected", "reason": reason}, status=413)
    push, outcome = services.push_receive(body=body)
    status = {"accepted": 201, "superseded": 200, "duplicate": 200}.get(outcome, 400)
    if outcome == "rejected" and "Chữ ký" in push.reason:
        status = 403
    return JsonResponse({"status": outcome, "reason": push.reason, "id": push.pk}, status=status)


def _need_centre(user: Any) -> None:
    if getattr(user, "role", None) not in services.FEDERATION_ROLES:
        raise NotFound(_("Không tìm thấy trang."))


@login_required
@domain_errors
def federation_view(request: HttpRequest) -> HttpResponse:
    """The centre: provinces (late first), their latest accepted push, rejected pushes, keys."""
    _need_centre(request.user)
    if request.method == "POST":
        province = Area.objects.filter(code=request.POST.get("tinh", ""), level=Area.Level.PROVINCE).first()
        if province is None:
            messages.error(request, _("Không tìm thấy tỉnh."))
        else:
            try:
                services.province_key_register(
                    actor=request.user, province=province, public_key=request.POST.get("khoa", "")
                )
                messages.success(request, _("Đã đăng ký khoá của %(name)s.") % {"name": province.name})
            except Exception as exc:  # FederationError or a domain error: shown, nothing changed
                messages.error(request, str(getattr(exc, "reason", None) or getattr(exc, "message", exc)))
        return redirect("web:oversight_federation")
    today = timezone.localdate()
    statuses = selectors.province_statuses(today)
    return render(
        request,
        "web/oversight/federation.html",
        {
            "statuses": [s for s in statuses if s.registered or s.latest],
            "unregistered": [s.province for s in statuses if not s.registered],
            "late": [s for s in statuses if s.late],
            "received": ReceivedPush.objects.select_related("province")[:30],
            "keys": ProvinceKey.objects.select_related("province").filter(is_active=True),
            "provinces": Area.objects.filter(level=Area.Level.PROVINCE, historical=False).order_by("name"),
            "today": today,
        },
    )


@login_required
@domain_errors
def federation_outbox_view(request: HttpRequest) -> HttpResponse:
    """A province: what it pushed to the centre and what the centre answered; push now."""
    area = _area(request)
    if area.level != Area.Level.PROVINCE:
        raise ValidationError(_("Gửi báo cáo lên trung ương là việc của cấp tỉnh."))
    if request.method == "POST":
        if getattr(request.user, "role", None) not in services.PUSH_ROLES:
            raise PermissionDenied(_("Bạn không được gửi báo cáo lên trung ương."))
        on = _date(request.POST.get("ngay"), timezone.localdate())
        push = services.push_send(actor=request.user, province=area, on=on)
        if push.status in ("accepted", "duplicate", "superseded"):
            messages.success(request, _("Trung ương: %(status)s.") % {"status": push.get_status_display()})
        else:
            messages.error(request, f"{push.get_status_display()}: {push.reason}")
        return redirect(reverse("web:oversight_outbox") + "?" + urlencode({"dia_ban": area.code}))
    return render(
        request,
        "web/oversight/outbox.html",
        {
            "area": area,
            "pushes": OutgoingPush.objects.filter(province=area)[:50],
            "today": timezone.localdate(),
            "centre_configured": bool(services.settings.OVERSIGHT_CENTRE_URL),
        },
    )


@login_required
@domain_errors
def received_push_view(request: HttpRequest, pk: int) -> HttpResponse:
    _need_centre(request.user)
    push = get_object_or_404(ReceivedPush, pk=pk)
    return render(request, "web/oversight/push_detail.html", {"push": push, "limit": selectors.threshold()})
