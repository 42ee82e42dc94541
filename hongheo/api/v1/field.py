"""The field app's API (/api/v1/field/…): sign in once for a device token, download the assigned
households and the questionnaire, sync a batch of submissions with one result per item, upload
photos, list conflicts. Authentication is the device token (``Authorization: Bearer …``); the
access gate is the same as everywhere else (the token's user and areas)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from hongheo.capture import questionnaire
from hongheo.core.errors import DomainError, NotFound, ValidationError
from hongheo.fieldwork import faults, selectors, services
from hongheo.fieldwork.models import DeviceToken
from hongheo.users.services import login_attempt, wait_message

from .public import client_address

log = logging.getLogger(__name__)
MAX_BATCH = 200
MAX_BODY = 20 * 1024 * 1024
FIELD_ROLES = {"commune_officer", "surveyor", "village_head"}


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            device, user = services.device_token_user(token)
        except NotFound:
            return None
        request.user = user
        request.device_token = device  # type: ignore[attr-defined]
        return user


router = Router(tags=["field"], auth=DeviceTokenAuth())


class LoginIn(Schema):
    username: str
    password: str
    label: str = ""


class LoginOut(Schema):
    token: str
    username: str
    full_name: str
    role: str


class ErrorOut(Schema):
    code: str
    message: str


@router.post("/field/login", auth=None, response={200: LoginOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut})
def login(request: HttpRequest, payload: LoginIn) -> Any:
    """Sign in once: the phone keeps the returned device token (no password stored on it). The one
    login path of the product (``users.services.login_attempt``): the same throttle per (account,
    address) and the same audit rows as the web login (issue 8, item 3)."""
    user, wait = login_attempt(
        request=request,
        username=payload.username,
        password=payload.password,
        address=client_address(request),
        via="field_app",
    )
    if wait:
        return 429, {"code": "throttled", "message": wait_message(wait)}
    if user is None:
        return 401, {"code": "bad_login", "message": "Sai tên đăng nhập hoặc mật khẩu."}
    if str(getattr(user, "role", "")) not in FIELD_ROLES:
        return 403, {"code": "forbidden", "message": "Vai trò của bạn không dùng ứng dụng thực địa."}
    token = services.device_token_create(
        actor=user, user=user, kind=DeviceToken.Kind.APP, label=payload.label
    )
    return 200, {
        "token": token.key,
        "username": user.username,
        "full_name": getattr(user, "full_name", ""),
        "role": str(user.role),
    }


@router.get("/field/assignments")
def assignments(request: HttpRequest) -> dict[str, Any]:
    """Households of the user's villages with their last facts, members and round line."""
    return selectors.assignments(request.user)


@router.get("/field/questionnaire")
def get_questionnaire(request: HttpRequest) -> dict[str, Any]:
    """The one questionnaire definition (Phiếu A, Phiếu B) with choices and messages."""
    return questionnaire.client_definition()


class ItemResult(Schema):
    id: str
    status: str  # accepted | duplicate | conflict | reused | error
    code: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    version: str = ""
    proposed_class: str = ""
    photos_missing: list[str] = []


class SyncOut(Schema):
    results: list[ItemResult]


def _item_result(request: HttpRequest, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {
            "id": "",
            "status": "error",
            "code": "bad_item",
            "message": "Mỗi phiếu phải là một đối tượng JSON.",
        }
    item_id = str(item.get("id", ""))[:64]
    answers = item.get("answers")
    try:
        if isinstance(item.get("new_household"), dict):
            new = item["new_household"]
            outcome = services.new_household_receive(
                actor=request.user,
                client_id=item.get("id"),
                village_code=str(new.get("village_code") or ""),
                address=str(new.get("address") or ""),
                answers=answers if isinstance(answers, dict) else {},
                form_version=str(item.get("form_version", "")),
                started_at=item.get("started_at"),
                ended_at=item.get("ended_at"),
                device_id=str(item.get("device_id") or ""),
                token=getattr(request, "device_token", None),
            )
        else:
            outcome = services.submission_receive(
                actor=request.user,
                channel="app",
                client_id=item.get("id"),
                form_id=str(item.get("form_id", "")),
                form_version=str(item.get("form_version", "")),
                household_id=item.get("household_id"),
                answers=answers if isinstance(answers, dict) else {},
                base_version=str(item.get("base_version") or ""),
                started_at=item.get("started_at"),
                ended_at=item.get("ended_at"),
                device_id=str(item.get("device_id") or ""),
                token=getattr(request, "device_token", None),
                photos_expected=[str(p) for p in item.get("photos") or [] if isinstance(p, str)],
            )
    except DomainError as exc:
        return {
            "id": item_id,
            "status": "error",
            "code": exc.code,
            "message": str(exc.message),
            "errors": {str(k): str(v) for k, v in (exc.details.get("fields") or {}).items()},
        }
    faults.after_commit()
    sub = outcome.submission
    present = set(sub.photos.values_list("id", flat=True))
    missing = [p for p in sub.photos_expected if not _uuid_in(p, present)]
    if outcome.status == "reused":
        return {
            "id": item_id,
            "status": "reused",
            "code": "id_reused",
            "message": "Mã phiếu đã được dùng cho một phiếu khác; đã chuyển cán bộ xã xem xét.",
        }
    return {
        "id": str(sub.pk),
        "status": outcome.status,
        "version": str(sub.result.get("version", "")),
        "proposed_class": str(sub.result.get("proposed_class", "")),
        "photos_missing": missing,
        "message": "Hộ đã thay đổi trên máy chủ: đã giữ cả hai bản để cán bộ xã xử lý."
        if outcome.status == "conflict"
        else "",
    }


def _uuid_in(value: str, present: set[Any]) -> bool:
    return any(str(p) == value for p in present)


@router.post("/field/sync", response={200: SyncOut, 400: ErrorOut})
def sync(request: HttpRequest) -> Any:
    """A batch of submissions; each item gets its own result (one bad item does not fail the
    batch). Items carry the client's id, so sending the same batch again changes nothing."""
    if len(request.body) > MAX_BODY:
        return 400, {"code": "too_big", "message": "Gói dữ liệu quá lớn; gửi ít phiếu hơn mỗi lần."}
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 400, {"code": "bad_json", "message": "Dữ liệu gửi lên không phải JSON hợp lệ."}
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return 400, {"code": "bad_json", "message": "Thiếu danh sách phiếu (items)."}
    if len(items) > MAX_BATCH:
        return 400, {"code": "too_many", "message": f"Tối đa {MAX_BATCH} phiếu mỗi lần gửi."}
    return 200, {"results": [_item_result(request, item) for item in items]}


class PhotoOut(Schema):
    id: str
    created: bool
    size: int


@router.post("/field/photos/{photo_id}", response={200: PhotoOut, 201: PhotoOut})
def upload_photo(
    request: HttpRequest,
    photo_id: str,
    submission_id: Form[str],
    file: File[UploadedFile],
    question: Form[str] = "",
    taken_at: Form[str] = "",
) -> Any:
    """One photo of a submission (send the submission first). Idempotent by the photo id."""
    if file.size is not None and file.size > 5 * 1024 * 1024 + 1:
        raise ValidationError(_("Ảnh quá lớn; tối đa 5 MB."), code="photo_too_big")
    photo, created = services.photo_receive(
        actor=request.user,
        submission_id=submission_id,
        photo_id=photo_id,
        content=file.read(5 * 1024 * 1024 + 1),
        question=question,
        filename=file.name or "",
        taken_at=taken_at or None,
    )
    faults.after_commit()
    return (201 if created else 200), {"id": str(photo.pk), "created": created, "size": photo.size}


@router.get("/field/submissions/{submission_id}")
def submission_status(request: HttpRequest, submission_id: str) -> dict[str, Any]:
    sub = selectors.submission_get_for_user(request.user, submission_id)
    return {
        "id": str(sub.pk),
        "state": sub.state,
        "photos": sorted(str(p) for p in sub.photos.values_list("id", flat=True)),
        "result": sub.result,
    }


@router.get("/field/conflicts")
def conflicts(request: HttpRequest) -> dict[str, Any]:
    """Open conflicts in the user's area (the commune officer resolves them on the web page)."""
    rows = selectors.conflicts_for_user(request.user)[:500]
    return {
        "items": [
            {
                "id": c.pk,
                "kind": c.kind,
                "household_code": c.household.code,
                "submission_id": str(c.submission_id),
                "created_at": c.created_at.isoformat(),
            }
            for c in rows
        ]
    }
