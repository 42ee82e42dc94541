"""The citizen portal: the Mẫu 01 form (its JavaScript talks to /api/v1/public/…), the status page
by code + PIN (with complaint and exit request), and counts of portal applications per commune
for the province and the centre (no personal data)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from hongheo.api.v1.public import client_address
from hongheo.capture.portal import services as portal
from hongheo.capture.portal.models import PortalApplication
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.registry.access import access_household_by_id
from hongheo.registry.services import household_confirm
from hongheo.registry.validation import PERSONAL_ID_MESSAGES
from hongheo.users.access import scope_paths

from ..errors import domain_errors

ASSIST_ROLES = {"commune_officer", "village_head"}
STATS_ROLES = {"province_officer", "central_analyst", "administrator"}


PORTAL_ASSETS = ("web/portal.css", "web/portal.js")


@cache
def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in PORTAL_ASSETS:
        found = finders.find(name)
        if found:
            with open(str(found), "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


def sw_view(request: HttpRequest) -> HttpResponse:
    """The portal's service worker: /dang-ky/ opens with no connection once visited."""
    scope = reverse("web:portal_register")
    shell = [scope, *[static(a) for a in PORTAL_ASSETS]]
    response = render(
        request,
        "web/portal/sw.js",
        {"scope": scope, "version": _assets_version(), "shell_json": json.dumps(shell)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@ensure_csrf_cookie
def register_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assisted = user.is_authenticated and str(getattr(user, "role", "")) in ASSIST_ROLES
    return render(
        request, "web/portal/register.html", {"assisted": assisted, "id_messages": PERSONAL_ID_MESSAGES}
    )


def status_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"code": "", "status": None, "error": "", "done": ""}
    status = 200
    if request.method == "POST":
        code, pin = request.POST.get("code", "")[:20], request.POST.get("pin", "")[:12]
        context["code"] = code
        action = request.POST.get("action", "")
        try:
            submission = portal.portal_find(code=code, pin=pin, address=client_address(request))
            if action == "complaint":
                portal.portal_complain(submission=submission, content=request.POST.get("content", ""))
                context["done"] = _("Đã gửi khiếu nại. UBND xã sẽ phúc tra và trả lời.")
            elif action == "exit":
                portal.portal_request_exit(submission=submission, content=request.POST.get("content", ""))
                context["done"] = _("Đã gửi giấy đề nghị thoát nghèo (Mẫu 04) tới UBND xã.")
            context["status"] = portal.portal_status(submission=submission)
            context["pin"] = pin
        except (NotFound, ValidationError, Conflict) as exc:
            context["error"] = exc.message
            status = 404 if isinstance(exc, NotFound) else 422
    response = render(request, "web/portal/status.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@domain_errors
def stats_view(request: HttpRequest) -> HttpResponse:
    """Portal applications per commune and their outcome: counts only."""
    if str(getattr(request.user, "role", "")) not in STATS_ROLES:
        raise PermissionDenied(_("Trang này dành cho cán bộ tỉnh và trung ương."))
    paths = scope_paths(request.user)
    query = Q()
    for p in paths:
        query |= Q(commune__path__startswith=p)
    rows = (
        PortalApplication.objects.filter(query, joined_to__isnull=True)
        .values("commune__code", "commune__name")
        .annotate(
            total=Count("id"),
            assisted=Count("id", filter=Q(channel="assisted")),
            open=Count(
                "id",
                filter=Q(application__status__in=["received", "in_review"]) | Q(processed_at__isnull=True),
            ),
            accepted=Count("id", filter=Q(application__status="accepted")),
            refused=Count("id", filter=Q(application__status="refused")),
        )
        .order_by("commune__name")
        if paths
        else []
    )
    return render(request, "web/portal/stats.html", {"rows": list(rows)})


@login_required
@require_POST
@domain_errors
def household_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune has verified a provisional household (from a Mẫu 01 of a new family)."""
    household = access_household_by_id(request.user, pk)
    household_confirm(actor=request.user, household=household)
    messages.success(request, _("Đã xác nhận hộ (không còn là hộ tạm)."))
    return redirect("web:household_detail", pk=household.pk)
