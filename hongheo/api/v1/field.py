"""The field app's API (/api/v1/field/…): sign in once for a device token, download the assigned
households and the questionnaire, sync a batch of submissions with one result per item, upload
photos, list conflicts. Authentication is the device token (``Authorization: Bearer …``); the
access gate is the same as everywhere else (the token's user and areas)."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from hongheo.api.v1.public import client_address
from hongheo.capture import questionnaire
from hongheo.core.errors import DomainError, NotFound, ValidationError
from hongheo.fieldwork import faults, selectors, services
from hongheo.fieldwork.models import DeviceToken, Photo, Submission
from hongheo.users.services import login_attempt, wait_message

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
    state: str = ""  # received (waiting in the inbox) | accepted | conflict | applied | failed …
    code: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    version: str = ""
    proposed_class: str = ""
    photos_missing: list[str] = []


class SyncOut(Schema):
    results: list[ItemResult]


def _error(item_id: str, exc: DomainError) -> dict[str, Any]:
    return {
        "id": item_id,
        "status": "error",
        "code": exc.code,
        "message": str(exc.message),
        "errors": {str(k): str(v) for k, v in (exc.details.get("fields") or {}).items()},
    }


REUSED_MESSAGE = "Mã phiếu đã được dùng cho một phiếu khác; đã chuyển cán bộ xã xem xét."
CONFLICT_MESSAGE = "Hộ đã thay đổi trên máy chủ: đã giữ cả hai bản để cán bộ xã xử lý."


def _submission_result(sub: Any, status: str, photos: set[Any]) -> dict[str, Any]:
    """One item's result from the stored submission (its state after the inbox, if recorded)."""
    if status == "reused":
        return {"id": str(sub.pk), "status": "reused", "code": "id_reused", "message": REUSED_MESSAGE}
    if sub.state == Submission.State.FAILED:
        error = sub.result.get("error") or {}
        return {
            "id": str(sub.pk),
            "status": "error",
            "state": sub.state,
            "code": str(error.get("code", "")),
            "message": str(error.get("message", "")),
            "errors": {str(k): str(v) for k, v in (error.get("fields") or {}).items()},
        }
    if sub.state == Submission.State.CONFLICT:
        status = "conflict"
    return {
        "id": str(sub.pk),
        "status": status,
        "state": sub.state,
        "version": str(sub.result.get("version", "") or sub.base_version),
        "proposed_class": str(sub.result.get("proposed_class", "")),
        "photos_missing": [p for p in sub.photos_expected if p not in photos],
        "message": CONFLICT_MESSAGE if status == "conflict" else "",
    }


def _new_household_result(request: HttpRequest, item: dict[str, Any]) -> dict[str, Any]:
    new = item["new_household"]
    answers = item.get("answers")
    try:
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
    except DomainError as exc:
        return _error(str(item.get("id", ""))[:64], exc)
    return _submission_result(outcome.submission, outcome.status, _photos_of([outcome.submission.pk]))


def _photos_of(ids: list[Any]) -> set[str]:
    return {str(p) for p in Photo.objects.filter(submission_id__in=ids).values_list("id", flat=True)}


@router.post("/field/sync", response={200: SyncOut, 400: ErrorOut})
def sync(request: HttpRequest) -> Any:
    """A batch of submissions; each item gets its own result (one bad item does not fail the
    batch). Items carry the client's id, so sending the same batch again changes nothing.

    A good Phiếu A/B is answered "accepted" once it is stored durably in the inbox (``state``
    "received"); the review services record it moments later and ``/field/status`` tells its
    final state (accepted, conflict, failed)."""
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
    results: list[dict[str, Any] | None] = [None] * len(items)
    forms: list[int] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            results[i] = {
                "id": "",
                "status": "error",
                "code": "bad_item",
                "message": _("Mỗi phiếu phải là một đối tượng JSON."),
            }
        elif isinstance(item.get("new_household"), dict):
            results[i] = _new_household_result(request, item)
        else:
            forms.append(i)
    outcomes = services.submissions_accept(
        actor=request.user, items=[items[i] for i in forms], token=getattr(request, "device_token", None)
    )
    faults.after_commit()
    subs = [o.submission for o in outcomes if isinstance(o, services.Outcome)]
    if subs and services.inbox_inline():
        services.inbox_process(ids=[s.pk for s in subs if s.state == Submission.State.RECEIVED])
        for s in subs:
            s.refresh_from_db()
    photos = _photos_of([s.pk for s in subs])
    for i, outcome in zip(forms, outcomes, strict=True):
        if isinstance(outcome, services.ItemError):
            results[i] = _error(outcome.client_id, outcome.error)
        else:
            results[i] = _submission_result(outcome.submission, outcome.status, photos)
    return 200, {"results": results}


class StatusIn(Schema):
    ids: list[str]


@router.post("/field/status", response={200: SyncOut, 400: ErrorOut})
def status(request: HttpRequest, payload: StatusIn) -> Any:
    """The state of submissions sent earlier (the phone asks for those still "received"): one
    result per id, in the shape of ``/field/sync``. Ids of other users read as unknown."""
    if len(payload.ids) > MAX_BATCH:
        return 400, {"code": "too_many", "message": f"Tối đa {MAX_BATCH} mã mỗi lần."}
    subs = {str(s.pk): s for s in selectors.submissions_of_user(request.user, payload.ids)}
    photos = _photos_of(list(subs))
    results = []
    for raw in payload.ids:
        sub = subs.get(_canonical(raw))
        if sub is None:
            results.append(
                {
                    "id": raw[:64],
                    "status": "error",
                    "code": "not_found",
                    "message": _("Không tìm thấy phiếu."),
                }
            )
        else:
            results.append(_submission_result(sub, "accepted", photos))
    return 200, {"results": results}


def _canonical(value: str) -> str:
    try:
        return str(uuid.UUID(str(value).removeprefix("uuid:")))
    except ValueError:
        return ""


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
