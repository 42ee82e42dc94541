"""Pages of the linkage with the population database: extracts, runs, findings, review queue and the
data-quality dashboard. Thin: parse, authorise, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hongheo.core.audit import audit_read
from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.geography.models import Area
from hongheo.linkage import services as svc
from hongheo.linkage.models import GONE_KINDS, LISTED_KINDS, LinkCandidate, LinkFinding
from hongheo.linkage.quality import communes_in, flagged_member_ids, quality_table, quality_workbook, trend
from hongheo.registry.access import member_qs_for_user
from hongheo.reviews.models import CLASS_CHOICES
from hongheo.users.access import scope_paths, user_can_manage_area

from ..errors import domain_errors
from .charts import trend_chart

PAGE_SIZE = 50
#: filters of the findings list that take several kinds (the dashboard's "sống" figures)
KIND_GROUPS = {"gone": GONE_KINDS, "gone_listed": LISTED_KINDS}
GROUP_LABELS = {
    "gone": gettext_lazy("Đã chết hoặc chuyển đi (tất cả)"),
    "gone_listed": gettext_lazy("Đã chết hoặc chuyển đi nhưng còn trong danh sách hoặc nhận hỗ trợ"),
}
FIELD_LABELS = {
    "personal_id": gettext_lazy("Số định danh"),
    "full_name": gettext_lazy("Họ tên"),
    "dob": gettext_lazy("Ngày sinh"),
    "sex": gettext_lazy("Giới tính"),
    "commune": gettext_lazy("Xã, phường"),
}


def _areas(user: Any) -> list[Area]:
    """Provinces and communes the user may run linkage for."""
    paths = scope_paths(user)
    out: list[Area] = []
    for area in Area.objects.filter(path__in=paths, level__in=[Area.Level.PROVINCE, Area.Level.COMMUNE]):
        if user_can_manage_area(user, area):
            out.append(area)
            if area.level == Area.Level.PROVINCE:
                out += list(
                    Area.objects.filter(
                        parent=area, level=Area.Level.COMMUNE, households__isnull=False
                    ).distinct()
                )
    return out


def _provinces(user: Any) -> list[Area]:
    return [
        a
        for a in Area.objects.filter(path__in=scope_paths(user), level=Area.Level.PROVINCE)
        if user_can_manage_area(user, a, province_level=True)
    ]


def _area_from(request: HttpRequest, key: str, choices: list[Area]) -> Area:
    code = request.POST.get(key) or request.GET.get(key) or ""
    for area in choices:
        if area.code == code:
            return area
    raise NotFound(_("Không tìm thấy địa bàn."))


@login_required
@domain_errors
def linkage_home_view(request: HttpRequest) -> HttpResponseBase:
    provinces = _provinces(request.user)
    areas = _areas(request.user)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "upload":
                upload = request.FILES.get("tep")
                if upload is None:
                    raise ValidationError(_("Chưa chọn tệp."))
                province = _area_from(request, "province", provinces)
                extract = svc.extract_upload(
                    actor=request.user, province=province, name=upload.name or "", data=upload.read()
                )
                messages.success(request, _("Đã nhận tệp; đang nhập dữ liệu dân cư."))
                return redirect("web:linkage_extract", pk=extract.pk)
            if action == "run":
                area = _area_from(request, "area", areas)
                run = svc.run_start(actor=request.user, area=area)
                messages.success(request, _("Đã xếp hàng lần ghép."))
                return redirect("web:linkage_run", pk=run.pk)
        except ValidationError as exc:
            error = str(exc.message)
    return render(
        request,
        "web/linkage/home.html",
        {
            "provinces": provinces,
            "areas": areas,
            "extracts": svc.extracts_for(request.user).select_related("province")[:20],
            "runs": svc.runs_for(request.user)[:20],
            "new_pending": svc.candidates_for(request.user)
            .filter(run__isnull=True, status=LinkCandidate.Status.PENDING)
            .select_related("member", "household")
            .order_by("-created_at")[:50]
            if svc.user_can_review_links(request.user)
            else [],
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@domain_errors
def extract_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    extract = svc.extract_for(request.user, pk)
    return render(request, "web/linkage/extract.html", {"extract": extract, "job": extract.job})


@login_required
@domain_errors
def run_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = svc.run_for(request.user, pk)
    findings = svc.findings_for(request.user, personal=False).filter(run=run)
    table: dict[int, dict[str, Any]] = {}
    for row in findings.values("commune_id", "commune__name", "commune__code", "kind").annotate(
        n=Count("pk")
    ):
        entry = table.setdefault(
            row["commune_id"], {"name": row["commune__name"], "code": row["commune__code"], "counts": {}}
        )
        entry["counts"][row["kind"]] = row["n"]
    cands = svc.candidates_for(request.user, personal=False).filter(run=run)
    per_status = dict(cands.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(
        request,
        "web/linkage/run.html",
        {
            "run": run,
            "job": run.job,
            "kinds": LinkFinding.Kind.choices,
            "communes": sorted(table.values(), key=lambda e: e["code"]),
            "matched": cands.count(),
            "per_status": per_status,
            "pending_review": cands.filter(status=LinkCandidate.Status.PENDING).count(),
            "can_review": svc.user_can_review_links(request.user),
        },
    )


@login_required
@domain_errors
def findings_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = svc.run_for(request.user, pk, personal=True)
    qs = (
        svc.findings_for(request.user)
        .filter(run=run)
        .select_related("member", "household", "commune", "person")
    )
    kind = request.GET.get("loai", "")
    commune = request.GET.get("xa", "")
    if kind in KIND_GROUPS:
        qs = qs.filter(kind__in=KIND_GROUPS[kind])
    elif kind:
        qs = qs.filter(kind=kind)
    if commune:
        qs = qs.filter(commune__code=commune)
    page = Paginator(qs.order_by("kind", "household__code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    classes = dict(CLASS_CHOICES)
    for f in page:
        parts = [str(classes.get(f.official_class, ""))] if f.official_class else []
        if f.support_year:
            parts.append(_("nhận hỗ trợ năm %(year)s") % {"year": f.support_year})
        f.standing = "; ".join(parts)  # type: ignore[attr-defined]
    audit_read(
        actor=request.user,
        action="linkage.findings_view",
        fields=["full_name", "personal_id", "date_of_birth"],
        object_type="linkage.linkagerun",
        object_id=str(run.pk),
        area_code=commune or run.area.code,
    )
    return render(
        request,
        "web/linkage/findings.html",
        {
            "run": run,
            "page": page,
            "kind": kind,
            "commune": commune,
            "kinds": [*LinkFinding.Kind.choices, *GROUP_LABELS.items()],
        },
    )


def side_by_side(c: LinkCandidate) -> list[dict[str, Any]]:
    m, p = c.member, c.person
    dob_p = p.dob or ""
    rows = [
        ("personal_id", m.personal_id or "", p.personal_id, "personal_id"),
        ("full_name", m.full_name, p.full_name, "full_name"),
        ("dob", m.date_of_birth.isoformat() if m.date_of_birth else "", dob_p, "date_of_birth"),
        ("sex", m.get_sex_display(), {"male": _("Nam"), "female": _("Nữ")}.get(p.sex, ""), "sex"),
        ("commune", c.household.commune.code if c.household.commune_id else "", p.commune_code, ""),
    ]
    out = []
    for key, mine, theirs, takeable in rows:
        w = (c.weights or {}).get(key) or {}
        out.append(
            {
                "key": key,
                "label": FIELD_LABELS[key],
                "registry": mine,
                "population": theirs,
                "level": w.get("label", ""),
                "weight": w.get("weight"),
                "differs": str(mine).strip().lower() != str(theirs).strip().lower(),
                "takeable": takeable if takeable and theirs and str(mine) != str(theirs) else "",
            }
        )
    return out


@login_required
@domain_errors
def review_queue_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = svc.run_for(request.user, pk, personal=True)
    status = request.GET.get("trang_thai", LinkCandidate.Status.PENDING)
    qs = (
        svc.candidates_for(request.user)
        .filter(run=run, decision=LinkCandidate.Decision.REVIEW)
        .select_related("member", "person", "household__commune")
    )
    if status in LinkCandidate.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-match_probability", "pk"), 20).get_page(request.GET.get("trang"))
    items = [{"c": c, "fields": side_by_side(c)} for c in page]
    if items:
        audit_read(
            actor=request.user,
            action="linkage.review_queue_view",
            fields=["full_name", "personal_id", "date_of_birth"],
            object_type="linkage.linkagerun",
            object_id=str(run.pk),
            area_code=run.area.code,
        )
    return render(
        request,
        "web/linkage/review.html",
        {
            "run": run,
            "page": page,
            "items": items,
            "status": status,
            "statuses": LinkCandidate.Status.choices,
            "can_review": svc.user_can_review_links(request.user),
        },
    )


@login_required
@require_POST
@domain_errors
def decide_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    cand = svc.candidate_for(request.user, pk)
    action = request.POST.get("action")
    note = request.POST.get("ghi_chu", "")
    try:
        if action == "accept":
            svc.candidate_accept(
                actor=request.user, candidate=cand, take_fields=request.POST.getlist("lay"), note=note
            )
            messages.success(request, _("Đã chấp nhận cặp ghép."))
        elif action == "reject":
            svc.candidate_reject(actor=request.user, candidate=cand, note=note)
            messages.success(request, _("Đã bác bỏ cặp ghép."))
        elif action == "field_check":
            svc.candidate_field_check(actor=request.user, candidate=cand, note=note)
            messages.success(request, _("Đã chuyển kiểm tra thực địa."))
        else:
            raise ValidationError(_("Thao tác không hợp lệ."))
    except ValidationError as exc:
        messages.error(request, str(exc.message))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if cand.run_id is None:  # checked when registered: back to the household
        return redirect("web:household_detail", pk=cand.household_id)
    return redirect("web:linkage_review", pk=cand.run_id)


@login_required
@require_POST
@domain_errors
def bulk_accept_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = svc.run_for(request.user, pk, personal=True)
    try:
        threshold = float(request.POST.get("nguong", "0.95").replace(",", "."))
        count = svc.candidates_bulk_accept(actor=request.user, run=run, min_probability=threshold)
    except (ValueError, ValidationError):
        messages.error(request, _("Ngưỡng phải từ 0,5 đến 1."))
    else:
        messages.success(request, _("Đã chấp nhận %(n)s cặp ghép.") % {"n": count})
    return redirect("web:linkage_review", pk=run.pk)


def _quality_area(request: HttpRequest) -> Area:
    code = request.GET.get("dia_ban", "")
    paths = scope_paths(request.user)
    if not paths:
        raise PermissionDenied(_("Bạn chưa được giao địa bàn."))
    qs = Area.objects.filter(level__in=[Area.Level.PROVINCE, Area.Level.COMMUNE])
    area = qs.filter(code=code).first() if code else qs.filter(path__in=paths).order_by("path").first()
    if area is None:
        area = Area.objects.filter(path__in=paths).order_by("path").first()
    if area is None or not any(area.path.startswith(p) or p.startswith(area.path) for p in paths):
        raise NotFound(_("Không tìm thấy địa bàn."))
    return area


@login_required
@domain_errors
def quality_view(request: HttpRequest) -> HttpResponse:
    area = _quality_area(request)
    rows, total = quality_table(request.user, area)
    visible = {r.pk for r in svc.runs_for(request.user)}
    points = trend(area)
    chart = trend_chart(
        points,
        run_url=lambda pk: reverse("web:linkage_run", args=[pk]) if pk in visible else "",
    )
    return render(
        request,
        "web/linkage/quality.html",
        {"area": area, "rows": rows, "total": total, "trend": points, "trend_chart": chart},
    )


@login_required
@domain_errors
def quality_export_view(request: HttpRequest) -> HttpResponse:
    area = _quality_area(request)
    rows, total = quality_table(request.user, area)
    with transaction.atomic():
        audit_read(
            actor=request.user,
            action="linkage.quality_export",
            fields=["aggregates"],
            object_type="geography.area",
            object_id=str(area.pk),
            area_code=area.code,
            kind=AuditEvent.Kind.EXPORT,
            rows=len(rows),
        )
    response = HttpResponse(
        quality_workbook(rows, total, area),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="chat-luong-du-lieu-{area.code}.xlsx"'
    return response


@login_required
@domain_errors
def quality_members_view(request: HttpRequest) -> HttpResponse:
    """The members behind the "complete" and "valid ID" figures of one commune."""
    which = request.GET.get("loai", "")
    if which not in ("incomplete", "invalid_id"):
        raise NotFound(_("Không tìm thấy danh sách."))
    area = _quality_area(request)
    if area.level != Area.Level.COMMUNE or area not in communes_in(request.user, area):
        raise NotFound(_("Không tìm thấy địa bàn."))
    ids = flagged_member_ids(area, which)
    members = (
        member_qs_for_user(request.user).filter(pk__in=ids).select_related("household").order_by("sort_key")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("trang"))
    audit_read(
        actor=request.user,
        action="linkage.quality_members_view",
        fields=["full_name", "personal_id", "date_of_birth"],
        object_type="geography.area",
        object_id=str(area.pk),
        area_code=area.code,
    )
    return render(request, "web/linkage/quality_members.html", {"area": area, "which": which, "page": page})
