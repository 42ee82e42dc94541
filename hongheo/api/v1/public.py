"""The public API behind the citizen portal (/api/v1/public/…): areas, code lists, the bot
question, the self-assessment, submit, status, complaint and exit request. No account is needed;
a logged-in village head or officer may submit for a person (channel "assisted", CSRF-checked).
The same services and Vietnamese messages as the portal pages; errors carry ``fields``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel

from hongheo.capture.portal import services as portal
from hongheo.core.errors import PermissionDenied
from hongheo.core.text import fold
from hongheo.geography.models import Area
from hongheo.registry import code_lists

router = Router(tags=["public"])


class Schema(BaseModel):
    """Plain pydantic models: these bodies are dicts, never ORM objects, so they skip Ninja's
    attribute getter on every nested row (a third of a submission's CPU before)."""


PORTAL_LISTS = (
    "sex",
    "relation_to_head",
    "education_level",
    "employment",
    "housing_quality",
    "water_source",
    "toilet",
    "waste_handling",
    "income_source",
)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class AreaOut(Schema):
    code: str
    name: str
    level: str
    search: str


class ChallengeOut(Schema):
    token: str
    question: str


class DeclarantIn(Schema):
    full_name: str = ""
    personal_id: str = ""
    date_of_birth: str = ""
    sex: str = ""
    phone: str = ""


class MemberIn(Schema):
    full_name: str = ""
    relation_to_head: str = ""
    date_of_birth: str = ""
    sex: str = ""
    personal_id: str = ""
    in_school: bool | None = None
    education_level: str = ""
    has_qualification: bool | None = None
    health_insurance: bool | None = None
    disability: bool | None = None
    employment: str = ""


class LivingIn(Schema):
    housing_quality: str = ""
    floor_area_m2: float | str | None = None
    water_source: str = ""
    toilet: str = ""
    waste_handling: str = ""
    internet: bool | None = None
    information_devices: int | str | None = None


class IncomeIn(Schema):
    source: str = ""
    amount: int | str = 0
    period: str = "month"


class BotIn(Schema):
    token: str = ""
    answer: str = ""
    website: str = ""


class ApplicationIn(Schema):
    client_key: str = ""
    channel: str = "portal"
    commune: str = ""
    village: str = ""
    address: str = ""
    declarant: DeclarantIn = DeclarantIn()
    members: list[MemberIn] = []
    living: LivingIn = LivingIn()
    incomes: list[IncomeIn] = []
    reason: str = ""
    bot: BotIn = BotIn()


class IndicatorOut(Schema):
    code: str
    name_vi: str
    deprived: bool


class AssessmentOut(Schema):
    indicative: bool
    classification: str
    classification_vi: str
    standard: str
    standard_title: str
    reference_date: str
    income_per_capita: int | None
    threshold: float
    deprived_count: int
    indicators: list[IndicatorOut]
    explanation: str
    reason: str
    disclaimer: str


class ReceiptOut(Schema):
    tracking_code: str
    pin: str
    replay: bool
    joined: bool
    self_assessment: AssessmentOut


class LookupIn(Schema):
    code: str = ""
    pin: str = ""


class FollowUpIn(LookupIn):
    content: str = ""


class StatusOut(Schema):
    tracking_code: str
    submitted_on: str
    commune: str
    status: str
    status_vi: str
    decision_number: str | None
    decision_date: str | None
    classification: str | None
    classification_vi: str | None
    refusal_reason: str | None
    can_complain: bool
    can_request_exit: bool
    self_assessment: AssessmentOut


class DoneOut(Schema):
    message: str


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def client_address(request: HttpRequest) -> str:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _payload(data: ApplicationIn) -> dict[str, Any]:
    return data.dict()


@router.get("/public/areas", response=list[AreaOut], auth=None)
def areas(request: HttpRequest, parent: str = "", q: str = "") -> list[dict[str, Any]]:
    """Provinces (no ``parent``), the communes of a province, or the villages of a commune; ``q``
    filters by name without diacritics ("thuy" finds "Thủy")."""
    qs = Area.objects.filter(is_active=True, historical=False)
    if parent:
        qs = qs.filter(parent__code=parent[:16], level__in=[Area.Level.COMMUNE, Area.Level.VILLAGE])
    else:
        qs = qs.filter(level=Area.Level.PROVINCE)
    rows = [
        {"code": a.code, "name": a.name, "level": a.level, "search": fold(a.name)}
        for a in qs.order_by("name")
    ]
    needle = fold(q)[:60]
    return [r for r in rows if needle in r["search"]] if needle else rows


@router.get("/public/code-lists", auth=None)
def lists(request: HttpRequest) -> dict[str, Any]:
    """The registry's code lists the form uses (codes and Vietnamese labels)."""
    exported = code_lists.export()["lists"]
    return {
        name: {"label_vi": exported[name]["label_vi"], "items": exported[name]["items"]}
        for name in PORTAL_LISTS
    }


@router.get("/public/challenge", response=ChallengeOut, auth=None)
def challenge(request: HttpRequest) -> dict[str, Any]:
    """The simple bot check: a signed, time-stamped arithmetic question."""
    return portal.challenge_new()


@router.post("/public/self-assessment", response={200: AssessmentOut, **ERRORS}, auth=None)
def self_assessment(request: HttpRequest, data: ApplicationIn) -> dict[str, Any]:
    """Indicative result under the standard the commune's next decision will use. Saves nothing."""
    return portal.self_assessment(payload=_payload(data))


@router.post("/public/applications", response={200: ReceiptOut, **ERRORS}, auth=None)
def submit(request: HttpRequest, data: ApplicationIn) -> dict[str, Any]:
    """Send the Mẫu 01. Sending the same ``client_key`` again returns the same code and PIN."""
    actor = None
    if data.channel == "assisted":
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Đăng nhập để đăng ký giúp người dân."))
        if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:  # type: ignore[arg-type,return-value]
            raise PermissionDenied(_("Phiên làm việc đã hết hạn: tải lại trang."))
        actor = request.user
    receipt = portal.portal_submit(actor=actor, payload=_payload(data), address=client_address(request))
    sub = receipt.submission
    return {
        "tracking_code": sub.tracking_code,
        "pin": receipt.pin,
        "replay": receipt.replay,
        # only a signed-in officer (assisted mode) learns that it was joined to a known household's
        # application; an anonymous sender never does (no personal-ID oracle)
        "joined": sub.joined_to_id is not None and getattr(actor, "is_authenticated", False),
        "self_assessment": sub.self_result,
    }


@router.post("/public/status", response={200: StatusOut, **ERRORS}, auth=None)
def status(request: HttpRequest, data: LookupIn) -> dict[str, Any]:
    """This application's status for its code + PIN (nothing else); every view is logged."""
    sub = portal.portal_find(code=data.code, pin=data.pin, address=client_address(request))
    return portal.portal_status(submission=sub)


@router.post("/public/complaints", response={200: DoneOut, **ERRORS}, auth=None)
def complain(request: HttpRequest, data: FollowUpIn) -> dict[str, Any]:
    """A complaint about this application's result while it is posted."""
    sub = portal.portal_find(code=data.code, pin=data.pin, address=client_address(request))
    portal.portal_complain(submission=sub, content=data.content)
    return {"message": "Đã gửi khiếu nại. UBND xã sẽ phúc tra và trả lời."}


@router.post("/public/exit-requests", response={200: DoneOut, **ERRORS}, auth=None)
def request_exit(request: HttpRequest, data: FollowUpIn) -> dict[str, Any]:
    """Mẫu 04: the household asks to be recognised as having escaped poverty."""
    sub = portal.portal_find(code=data.code, pin=data.pin, address=client_address(request))
    portal.portal_request_exit(submission=sub, content=data.content)
    return {"message": "Đã gửi giấy đề nghị thoát nghèo (Mẫu 04) tới UBND xã."}
