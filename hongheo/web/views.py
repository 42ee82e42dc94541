"""Web pages. Thin: parse, authorise through the gate, call a service or selector, render."""

from __future__ import annotations

import csv
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongheo.core.audit import audit_read
from hongheo.core.errors import NotFound, PermissionDenied
from hongheo.core.jobs import job_retry
from hongheo.core.models import AuditEvent, Job
from hongheo.core.text import natural_sorted
from hongheo.core.xlsx import csv_text
from hongheo.geography.models import Area
from hongheo.geography.services import commune_set_setting, village_create
from hongheo.registry.access import household_qs_for_aggregates
from hongheo.users.access import scope_paths, user_can_manage_area, user_can_read_audit, user_covers_area
from hongheo.users.models import User
from hongheo.users.services import login_attempt, user_set_password, wait_message

from .areas import with_display_names
from .errors import domain_errors
from .forms import AuditSearchForm, CommuneSettingForm, LoginForm, VillageForm

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    """The logged-in staff user (views are behind login_required)."""
    return cast(User, request.user)


def client_address(request: HttpRequest) -> str:
    """The client's address for login throttling. Behind the province's reverse proxy
    (TRUST_X_FORWARDED_FOR=1) it is the last address the proxy appended to X-Forwarded-For."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        user, wait = login_attempt(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            address=client_address(request),
        )
        if wait:
            error, status = wait_message(wait), 429
        elif user is None:
            error, status = _("Tên đăng nhập hoặc mật khẩu không đúng."), 401
        else:
            login(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("web:home")
            return redirect(target)
    return render(request, "web/login.html", {"form": form, "error": error}, status=status)


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Every user changes their own password here (old password, new one twice; Django's validators)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(_user(request), request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_set_password(
            actor=request.user, user=_user(request), password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("web:home")
    status = 422 if form.errors else 200
    return render(request, "web/password_change.html", {"form": form}, status=status)


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """Django admin has no login of its own: everyone signs in on the product's page, with its
    throttle and its audit (issue 8). ``next`` is kept so the administrator lands back in admin."""
    from urllib.parse import urlencode

    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


def _user_communes(user: Any) -> list[Area]:
    paths = scope_paths(user)
    if not paths:
        return []
    communes = Area.objects.filter(level=Area.Level.COMMUNE).select_related("parent")
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    covering = reduce(or_, (Q(path__startswith=p) for p in paths))
    # a village-level user also "belongs" to the village's commune for navigation
    above = reduce(or_, (Q(path=p.rsplit("/", 2)[0] + "/") for p in paths))
    return with_display_names(natural_sorted(list(communes.filter(covering | above)[:500])))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    households = household_qs_for_aggregates(user).filter(is_active=True)
    assigned = Area.objects.filter(assignments__user=_user(request)).order_by("path")
    jobs = Job.objects.filter(created_by=_user(request))[:5]
    from django.utils import timezone

    from .home import home_context

    context = home_context(user, timezone.localdate())
    return render(
        request,
        "web/home.html",
        {
            **context,
            "assigned": assigned,
            "household_count": households.count(),
            # the central analyst sees the provinces instead (home_context); others their communes
            "communes": [] if "provinces" in context else _user_communes(user)[:50],
            "jobs": jobs,
        },
    )


@login_required
def job_list_view(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(created_by=_user(request))[:100]
    return render(request, "web/job_list.html", {"jobs": jobs})


def _job_for(request: HttpRequest, pk: str) -> Job:
    job = Job.objects.filter(pk=pk).first() if _is_uuid(pk) else None
    if job is None or (job.created_by_id != request.user.pk and not user_can_read_audit(request.user)):
        raise NotFound(_("Không tìm thấy tác vụ."))
    return job


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@domain_errors
def job_detail_view(request: HttpRequest, pk: str) -> HttpResponse:
    return render(request, "web/job_detail.html", {"job": _job_for(request, pk)})


@login_required
@domain_errors
def job_status_view(request: HttpRequest, pk: str) -> JsonResponse:
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "id": str(job.pk),
            "state": job.state,
            "state_label": job.get_state_display(),
            "percent": job.percent,
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.message,
            "error": job.error,
            "finished": job.is_finished,
            "result_url": reverse("web:job_result", args=[job.pk])
            if job.result_file and job.created_by_id == request.user.pk
            else "",
        }
    )


def _result_rows(result: Any) -> int:
    """How many records a job's file holds, from the counts the job reported (households,
    certificates, rows…); -1 when the job did not say."""
    counts = [v for v in (result or {}).values() if isinstance(v, int) and not isinstance(v, bool)]
    return counts[0] if len(counts) == 1 else int((result or {}).get("rows", -1))


@login_required
@domain_errors
def job_result_view(request: HttpRequest, pk: str) -> FileResponse:
    """Job results are personal data: served only to the job's owner (an administrator sees other
    users' jobs, never their files), never as public media; each download is audited."""
    job = _job_for(request, pk)
    if job.created_by_id != request.user.pk or not job.result_file:
        raise NotFound(_("Tác vụ không có tệp kết quả."))
    audit_read(
        actor=request.user,
        action="core.job_result_download",
        fields=["result_file"],
        object_type="core.job",
        object_id=str(job.pk),
        kind=AuditEvent.Kind.EXPORT,
        rows=_result_rows(job.result),
    )
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
@domain_errors
def job_retry_view(request: HttpRequest, pk: str) -> HttpResponse:
    new = job_retry(actor=request.user, job=_job_for(request, pk))
    messages.success(request, _("Đã xếp hàng chạy lại tác vụ."))
    return redirect("web:job_detail", pk=new.pk)


@login_required
@domain_errors
def area_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    area = Area.objects.filter(code=code).select_related("parent").first()
    if area is None or not (user_covers_area(request.user, area) or _covers_child(request.user, area)):
        raise NotFound(_("Không tìm thấy địa bàn."))
    village_form = VillageForm(request.POST or None) if area.level == Area.Level.COMMUNE else None
    setting_form = None
    can_manage = user_can_manage_area(request.user, area)
    can_set = area.level == Area.Level.COMMUNE and user_can_manage_area(
        request.user, area.parent, province_level=True
    )
    if can_set:
        setting_form = CommuneSettingForm(
            request.POST if request.POST.get("action") == "setting" else None,
            initial={"setting": area.setting, "source": area.setting_source},
        )
    if request.method == "POST":
        if request.POST.get("action") == "setting" and setting_form is not None and setting_form.is_valid():
            commune_set_setting(actor=request.user, commune=area, **setting_form.cleaned_data)
            messages.success(request, _("Đã cập nhật khu vực thành thị/nông thôn."))
            return redirect("web:area_detail", code=area.code)
        if request.POST.get("action") == "village" and village_form is not None and village_form.is_valid():
            if not can_manage:
                raise PermissionDenied(_("Bạn không có quyền quản lý địa bàn này."))
            village = village_create(actor=request.user, commune=area, **village_form.cleaned_data)
            messages.success(request, _("Đã thêm %(name)s.") % {"name": village.name})
            return redirect("web:area_detail", code=area.code)
    children = with_display_names(natural_sorted(list(area.children.select_related("parent"))))
    from hongheo.standards.classification import CLASSIFY_ROLES
    from hongheo.standards.models import ClassificationRun
    from hongheo.standards.selectors import standards_all

    can_classify = getattr(request.user, "role", None) in CLASSIFY_ROLES and user_covers_area(
        request.user, area
    )
    runs = ClassificationRun.objects.filter(area=area).order_by("-started_at")[:10]
    return render(
        request,
        "web/area_detail.html",
        {
            "area": area,
            "children": children,
            "village_form": village_form if can_manage else None,
            "setting_form": setting_form,
            "can_classify": can_classify,
            "runs": runs,
            "standards": standards_all() if can_classify else [],
        },
    )


def _covers_child(user: Any, area: Area) -> bool:
    return any(p.startswith(area.path) for p in scope_paths(user)) and area.level == Area.Level.COMMUNE


def _audit_queryset(form: AuditSearchForm) -> Any:
    qs = AuditEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            qs = qs.filter(personal_id=data["person"])
        if data["household"]:
            qs = qs.filter(household_code=data["household"])
        if data["user"]:
            qs = qs.filter(actor_username=data["user"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
    return qs


@login_required
@domain_errors
def audit_view(request: HttpRequest) -> HttpResponseBase:
    if not user_can_read_audit(request.user):
        raise NotFound(_("Không tìm thấy trang."))
    form = AuditSearchForm(request.GET or None)
    qs = _audit_queryset(form)
    if request.GET.get("xuat") == "csv":
        audit_read(
            actor=request.user,
            action="audit.export",
            fields=["audit"],
            kind=AuditEvent.Kind.EXPORT,
            rows=qs.count(),
        )
        return _audit_csv(qs)
    page = Paginator(qs, 100).get_page(request.GET.get("trang"))
    from . import audit_labels

    rows = [
        {
            "event": e,
            "action": audit_labels.action_label(e.action),
            "object": audit_labels.object_label(e.object_type),
            "link": audit_labels.object_link(e.object_type, e.object_id),
            "changes": audit_labels.changes(e.before, e.after),
        }
        for e in page
    ]
    return render(request, "web/audit.html", {"form": form, "page": page, "rows": rows})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit_csv(qs: Any) -> StreamingHttpResponse:  # streamed: the trail can be large
    writer = csv.writer(_Echo())
    header = [
        "thoi_gian",
        "nguoi_thuc_hien",
        "loai",
        "hanh_dong",
        "doi_tuong",
        "ma_ho",
        "so_dinh_danh",
        "truoc",
        "sau",
        "request_id",
    ]

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for e in qs.iterator(chunk_size=2000):
            yield writer.writerow(
                csv_text(v)
                for v in [
                    e.at.isoformat(),
                    e.actor_username,
                    e.kind,
                    e.action,
                    f"{e.object_type}:{e.object_id}",
                    e.household_code,
                    e.personal_id,
                    e.before,
                    e.after,
                    e.request_id,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nhat-ky.csv"'
    return response
