"""OpenRosa endpoints for ODK Collect under ``/odk/v1/key/{device_token}/projects/{commune_code}/``
(the contract of ``shared/domain/peer-systems.md`` §12): formList, form download, manifest with the
household list as a pre-loaded CSV, HEAD/POST submission with split uploads and instanceID
de-duplication. The device token in the path authenticates (per user, area-scoped, revocable).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hongheo.api.v1.public import client_address
from hongheo.capture import questionnaire as q
from hongheo.core.errors import Conflict, DomainError, NotFound
from hongheo.fieldwork import faults, openrosa, services
from hongheo.fieldwork.models import DeviceToken
from hongheo.geography.models import Area
from hongheo.users.access import scope_paths, user_covers_area
from hongheo.users.services import wait_message

log = logging.getLogger(__name__)
ACCEPT_CONTENT_LENGTH = 10_000_000
XML = "text/xml; charset=utf-8"


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    response["Content-Language"] = "vi"
    return response


def _message(text: str, status: int, nature: str = "") -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="{nature}">{escape(text)}</message></OpenRosaResponse>'
    )
    return _headers(HttpResponse(body.encode("utf-8"), status=status, content_type=XML))


def _base(request: HttpRequest, token: str | None, commune_code: str) -> str:
    if token is None:  # a named account (HTTP Basic)
        return request.build_absolute_uri(f"/odk/v1/projects/{commune_code}")
    return request.build_absolute_uri(f"/odk/v1/key/{token}/projects/{commune_code}")


REALM = "Ho Ngheo"
BASIC_LOGIN_CACHE_SECONDS = 300
FIELD_ROLES = {"commune_officer", "surveyor", "village_head"}


def _challenge(text: str) -> HttpResponse:
    response = _message(text, 401, "error")
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _basic_user(request: HttpRequest) -> Any:
    """A named account through HTTP Basic (peer-systems §12.3): ODK Collect sends credentials only
    after a 401 with a ``WWW-Authenticate`` challenge, and Basic only over HTTPS — so do we. Digest
    is not offered: it needs a password-equivalent (MD5) kept on the server. Returns the user or
    the response to send."""
    if not request.is_secure():
        return _message(
            _("Đăng nhập bằng tài khoản chỉ dùng được qua HTTPS; hãy dùng mã thiết bị (quét mã QR)."),
            401,
            "error",
        )
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return _challenge(_("Cần đăng nhập."))
    try:
        username, _sep, password = (
            base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        return _challenge(_("Thông tin đăng nhập không đúng dạng."))
    user, wait = services.field_login(
        request=request,
        username=username[:150],
        password=password,
        address=client_address(request),
        via="odk",
        cache_seconds=BASIC_LOGIN_CACHE_SECONDS,
    )
    if wait:
        response = _message(wait_message(wait), 429, "error")
        response["Retry-After"] = str(wait)
        return response
    if user is None:
        return _challenge(_("Sai tên đăng nhập hoặc mật khẩu."))
    if str(getattr(user, "role", "")) not in FIELD_ROLES:
        return _message(_("Vai trò của bạn không gửi được phiếu khảo sát."), 403, "error")
    return user


def openrosa_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Check the OpenRosa header, authenticate (the device token in the path, or a named account
    by HTTP Basic when the path has none), resolve the commune, map domain errors."""

    @csrf_exempt
    def wrapper(request: HttpRequest, commune_code: str, token: str | None = None, **kw: Any) -> HttpResponse:
        if request.headers.get("X-OpenRosa-Version") != "1.0":
            return _message("Thiếu hoặc sai tiêu đề X-OpenRosa-Version (phải là 1.0).", 400, "error")
        device: DeviceToken | None = None
        if token is None:
            found = _basic_user(request)
            if isinstance(found, HttpResponse):
                return found
            user = found
        else:
            try:
                device, user = services.device_token_user(token)
            except NotFound:
                return _message(_("Mã thiết bị không hợp lệ hoặc đã bị thu hồi."), 401, "error")
        commune = Area.objects.filter(code=commune_code, level=Area.Level.COMMUNE).first()
        if commune is None or not _covers_some(user, commune):
            return _message("Không tìm thấy xã.", 404, "error")
        request.user = user
        try:
            return func(request, device=device, user=user, commune=commune, token=token, **kw)
        except Conflict as exc:
            return _message(str(exc.message), 409, "error")
        except DomainError as exc:
            return _message(str(exc.message), exc.http_status if exc.http_status != 422 else 400, "error")

    return wrapper


def _covers_some(user: Any, commune: Area) -> bool:
    """The user covers the commune or one of its villages."""
    return user_covers_area(user, commune) or any(p.startswith(commune.path) for p in scope_paths(user))


@openrosa_view
def form_list(request: HttpRequest, *, commune: Area, token: str, **_: Any) -> HttpResponse:
    base = _base(request, token, commune.code)
    items = []
    for form in q.forms():
        content = openrosa.form_bytes(form.form_id)
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.title)}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>{openrosa.md5(content)}</hash>"
            f"<downloadUrl>{escape(base)}/forms/{form.form_id}.xml</downloadUrl>"
            f"<manifestUrl>{escape(base)}/forms/{form.form_id}/manifest</manifestUrl>"
            "</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xforms xmlns="http://openrosa.org/xforms/xformsList">{"".join(items)}</xforms>'
    )
    return _headers(HttpResponse(body.encode("utf-8"), content_type=XML))


def _form(form_id: str) -> q.Form:
    try:
        return q.form_by_id(form_id)
    except q.UnknownForm:
        raise NotFound("Không tìm thấy biểu mẫu.")


@openrosa_view
def form_download(request: HttpRequest, *, form_id: str, **_: Any) -> HttpResponse:
    form = _form(form_id)
    return _headers(HttpResponse(openrosa.form_bytes(form.form_id), content_type=XML))


@openrosa_view
def manifest(
    request: HttpRequest, *, form_id: str, commune: Area, user: Any, token: str, **_: Any
) -> HttpResponse:
    form = _form(form_id)
    content = openrosa.households_csv(user, commune)
    url = f"{_base(request, token, commune.code)}/forms/{form.form_id}/attachments/{openrosa.CSV_NAME}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest"><mediaFile>'
        f"<filename>{openrosa.CSV_NAME}</filename><hash>{openrosa.md5(content)}</hash>"
        f"<downloadUrl>{escape(url)}</downloadUrl></mediaFile></manifest>"
    )
    return _headers(HttpResponse(body.encode("utf-8"), content_type=XML))


@openrosa_view
def attachment(
    request: HttpRequest, *, form_id: str, name: str, commune: Area, user: Any, **_: Any
) -> HttpResponse:
    _form(form_id)
    if name != openrosa.CSV_NAME:
        raise NotFound("Không tìm thấy tệp đính kèm.")
    from hongheo.core.audit import audit_read

    audit_read(
        actor=user,
        action="fieldwork.odk_households_csv",
        fields=["head_name"],
        object_type="geography.area",
        object_id=commune.code,
        area_code=commune.code,
    )
    return _headers(
        HttpResponse(openrosa.households_csv(user, commune), content_type="text/csv; charset=utf-8")
    )


@openrosa_view
def submission(request: HttpRequest, *, user: Any, device: DeviceToken, **_: Any) -> HttpResponse:
    if request.method in ("HEAD", "GET"):
        return _headers(HttpResponse(status=204))
    if request.method != "POST":
        return _message("Phương thức không được hỗ trợ.", 405, "error")
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message("Thiếu tệp xml_submission_file.", 400, "error")
    raw = upload.read(openrosa.MAX_XML_BYTES + 1)
    parsed = openrosa.parse_submission(raw)
    with transaction.atomic():
        outcome = services.submission_receive(
            actor=user,
            channel="odk",
            client_id=parsed.instance_id,
            form_id=parsed.form_id,
            form_version=parsed.form_version,
            household_id=parsed.household_id,
            answers=parsed.answers,
            base_version=parsed.base_version,
            started_at=parsed.started_at or None,
            ended_at=parsed.ended_at or None,
            device_id=request.GET.get("deviceID", ""),
            token=device,
            raw_xml=raw.decode("utf-8", errors="replace"),
            photos_expected=parsed.attachments,
        )
        if outcome.status == "reused":
            reused = True
        else:
            reused = False
            sub = outcome.submission
            for name in parsed.attachments:
                file = request.FILES.get(name)
                if file is None:
                    continue  # comes in a later part of a split upload
                services.photo_receive(
                    actor=user,
                    submission_id=sub.pk,
                    photo_id=services.odk_photo_id(sub.pk, name),
                    content=file.read(5 * 1024 * 1024 + 1),
                    question=_question_for(parsed, name),
                    filename=name,
                )
    if reused:
        return _message(
            "Mã phiếu (instanceID) đã dùng cho một nội dung khác; đã chuyển cán bộ xã xem xét.", 409, "error"
        )
    faults.after_commit()
    text = "Đã nhận phiếu." if outcome.status != "duplicate" else "Phiếu này đã được nhận trước đó."
    if outcome.status == "conflict":
        text = "Đã nhận phiếu; hộ đã thay đổi trên máy chủ nên cán bộ xã sẽ đối chiếu."
    return _message(text, 201, "submit_success")


def _question_for(parsed: openrosa.ParsedSubmission, name: str) -> str:
    for key, value in parsed.answers.items():
        if value == name:
            return key
    return ""


urlpatterns = [
    path("formList", form_list, name="odk_form_list"),
    path("forms/<str:form_id>.xml", form_download, name="odk_form"),
    path("forms/<str:form_id>/manifest", manifest, name="odk_manifest"),
    path("forms/<str:form_id>/attachments/<str:name>", attachment, name="odk_attachment"),
    path("submission", submission, name="odk_submission"),
]
#: The same endpoints for a named account (HTTP Basic), under ``/odk/v1/projects/{commune}/``.
basic_urlpatterns = [
    path("formList", form_list, name="odk_basic_form_list"),
    path("forms/<str:form_id>.xml", form_download, name="odk_basic_form"),
    path("forms/<str:form_id>/manifest", manifest, name="odk_basic_manifest"),
    path("forms/<str:form_id>/attachments/<str:name>", attachment, name="odk_basic_attachment"),
    path("submission", submission, name="odk_basic_submission"),
]
