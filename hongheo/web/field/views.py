"""The field surface: the surveyors' installable offline app (/thuc-dia/: shell, manifest, service
worker, icons), the commune officer's conflict pages, and the ODK Collect connection page (device
tokens shown as a QR code that Collect scans).

The app shell is the same for everybody (it holds no data: the app signs in through the API and
keeps its data in IndexedDB), so the service worker can cache it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib
from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongheo.capture import questionnaire as q
from hongheo.core.errors import PermissionDenied
from hongheo.fieldwork import selectors, services
from hongheo.fieldwork.models import DeviceToken, FieldConflict
from hongheo.fieldwork.openrosa import odk_server_url
from hongheo.registry.models import SENSITIVE_HOUSEHOLD_FIELDS, SENSITIVE_MEMBER_FIELDS
from hongheo.registry.selectors import household_sensitive_read

from ..errors import domain_errors

ASSETS = (
    "web/field/app.js",
    "web/field/db.js",
    "web/field/form.js",
    "web/field/i18n.js",
    "web/field/sync.js",
    "web/field/field.css",
)
FIELD_ROLES = {"commune_officer", "surveyor", "village_head"}


@cache
def _assets_version() -> str:
    """Changes whenever an asset or the questionnaire changes: a new service worker, new caches."""
    digest = hashlib.sha256(q.current_version().encode())
    for name in ASSETS:
        path = finders.find(name)
        if path:
            with open(str(path), "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


def app_view(request: HttpRequest) -> HttpResponse:
    response = render(request, "web/field/app.html")
    response["Cache-Control"] = "no-cache"
    return response


def sw_view(request: HttpRequest) -> HttpResponse:
    scope = reverse("web:field_app")
    shell = [
        scope,
        reverse("web:field_manifest"),
        reverse("web:field_icon", args=[192]),
        *[static(a) for a in ASSETS],
    ]
    response = render(
        request,
        "web/field/sw.js",
        {"scope": scope, "version": _assets_version(), "shell_json": json.dumps(shell)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response


def manifest_view(request: HttpRequest) -> HttpResponse:
    scope = reverse("web:field_app")
    data = {
        "name": "Hộ Nghèo · Rà soát thực địa",
        "short_name": "Rà soát",
        "lang": "vi",
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "background_color": "#f4f6f5",
        "theme_color": "#0b5d3b",
        "icons": [
            {"src": reverse("web:field_icon", args=[s]), "sizes": f"{s}x{s}", "type": "image/png"}
            for s in (192, 512)
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@cache
def _icon(size: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), (11, 93, 59))
    draw = ImageDraw.Draw(image)
    m = size // 5
    draw.rounded_rectangle(
        [m, m, size - m, size - m], radius=size // 10, outline=(255, 255, 255), width=size // 24
    )
    draw.polygon(
        [(size // 2, m + size // 12), (size - m - size // 12, size // 2), (m + size // 12, size // 2)],
        fill="white",
    )
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def icon_view(request: HttpRequest, size: int) -> HttpResponse:
    if size not in (192, 512):
        size = 192
    response = HttpResponse(_icon(size), content_type="image/png")
    response["Cache-Control"] = "max-age=86400"
    return response


# --- conflicts (commune officer) ----------------------------------------------------------------


def _officer(request: HttpRequest) -> None:
    if str(getattr(request.user, "role", "")) != "commune_officer":
        raise PermissionDenied(_("Chỉ cán bộ xã xử lý xung đột dữ liệu thực địa."))


@login_required
@domain_errors
def conflicts_view(request: HttpRequest) -> HttpResponse:
    _officer(request)
    rows = list(selectors.conflicts_for_user(request.user)[:200])
    flags = list(selectors.flags_for_user(request.user)[:200])
    return render(request, "web/field/conflicts.html", {"conflicts": rows, "flags": flags})


def _comparison(conflict: FieldConflict) -> list[dict[str, Any]]:
    """Field by field: what the server has, what the phone sent."""
    sub = conflict.submission
    form = q.form_by_id(sub.form_id)
    server = conflict.server_snapshot.get("facts", {})
    rows = []
    for question in form.questions:
        if question.type in ("repeat", "image", "geopoint") or (
            question.type == "calculate" and not question.fact
        ):
            continue
        field_value = sub.answers.get(question.name)
        if question.type == "calculate":
            cleaned, _ = q.validate(form, sub.answers)
            field_value = cleaned.get(question.name)
        server_value = server.get(question.name, "—") if question.fact == "household" else "—"
        labels = dict(question.choices())
        rows.append(
            {
                "label": question.label,
                "server": labels.get(_code(server_value), server_value),
                "field": labels.get(_code(field_value), field_value),
                "differs": question.fact == "household" and _code(server_value) != _code(field_value),
            }
        )
    return rows


def _code(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


@login_required
@domain_errors
def conflict_view(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    conflict = selectors.conflict_get_for_user(request.user, pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("apply", "keep"):
            messages.error(request, _("Chọn cách xử lý xung đột."))
        else:
            services.conflict_resolve(
                actor=request.user,
                conflict=conflict,
                apply=decision == "apply",
                note=request.POST.get("note", ""),
            )
            messages.success(
                request, _("Đã xử lý xung đột của hộ %(code)s.") % {"code": conflict.household.code}
            )
            return redirect("web:field_conflicts")
    household_sensitive_read(  # both sides show the household's and members' facts (issue 8, item 6)
        user=request.user,
        household=conflict.household,
        action="fieldwork.conflict_view",
        fields=[*SENSITIVE_HOUSEHOLD_FIELDS, *SENSITIVE_MEMBER_FIELDS],
    )
    return render(
        request,
        "web/field/conflict.html",
        {
            "conflict": conflict,
            "rows": _comparison(conflict) if conflict.kind == FieldConflict.Kind.HOUSEHOLD_CHANGED else [],
            "members_server": conflict.server_snapshot.get("members", []),
            "members_field": conflict.submission.answers.get("member", []),
        },
    )


# --- ODK Collect connection ---------------------------------------------------------------------


def odk_settings_qr(url: str, project: str) -> str:
    """ODK Collect's settings QR: zlib-compressed JSON, base64-encoded, as an SVG."""
    import segno

    payload = {
        "general": {"server_url": url, "form_update_mode": "match_exactly", "autosend": "wifi_and_cellular"},
        "admin": {},
        "project": {"name": project, "icon": "H", "color": "#0b5d3b"},
    }
    data = base64.b64encode(zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"))).decode()
    buf = io.BytesIO()
    segno.make(data, error="l").save(buf, kind="svg", scale=4, xmldecl=False, svgns=True)
    return buf.getvalue().decode("utf-8")


@login_required
@domain_errors
def odk_view(request: HttpRequest) -> HttpResponse:
    if str(getattr(request.user, "role", "")) not in FIELD_ROLES:
        raise PermissionDenied(_("Vai trò của bạn không dùng ODK Collect."))
    tokens = DeviceToken.objects.filter(
        user_id=request.user.pk or 0, kind=DeviceToken.Kind.ODK, revoked_at__isnull=True
    )
    base = request.build_absolute_uri("/")
    cards = []
    for token in tokens.order_by("-created_at")[:5]:
        for commune in selectors.communes_of(request.user):
            url = odk_server_url(base, token.key, commune.code)
            cards.append(
                {
                    "token": token,
                    "commune": commune,
                    "url": url,
                    "qr": odk_settings_qr(url, f"Hộ Nghèo · {commune.name}"),
                }
            )
    return render(request, "web/field/odk.html", {"cards": cards})


@login_required
@require_POST
@domain_errors
def odk_token_create_view(request: HttpRequest) -> HttpResponse:
    if str(getattr(request.user, "role", "")) not in FIELD_ROLES:
        raise PermissionDenied(_("Vai trò của bạn không dùng ODK Collect."))
    services.device_token_create(
        actor=request.user, user=request.user, kind=DeviceToken.Kind.ODK, label=request.POST.get("label", "")
    )
    messages.success(request, _("Đã tạo mã thiết bị mới cho ODK Collect."))
    return redirect("web:field_odk")


@login_required
@require_POST
@domain_errors
def odk_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = DeviceToken.objects.filter(pk=pk, user_id=request.user.pk or 0).first()
    if token is not None:
        services.device_token_revoke(actor=request.user, token=token)
        messages.success(request, _("Đã thu hồi mã thiết bị; điện thoại đó không gửi được nữa."))
    return redirect("web:field_odk")
