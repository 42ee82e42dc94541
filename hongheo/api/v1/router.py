"""The versioned JSON API (/api/v1/), with OpenAPI at /api/v1/docs. Thin: the access gate and the
selectors do the work; domain errors map to HTTP here, in one place."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from hongheo.core.errors import DomainError
from hongheo.core.inputs import check_page
from hongheo.core.models import Job
from hongheo.registry.access import access_household_by_id
from hongheo.registry.models import Household
from hongheo.registry.selectors import household_detail_audited, household_list

from .field import router as field_router
from .public import router as public_router
from .schemas import HouseholdPage, HouseholdRead, JobRead


def _item(h: Household) -> dict[str, Any]:
    return {
        "id": h.pk,
        "code": h.code,
        "head_name": h.head_name,
        "size": h.size,
        "commune_code": h.commune.code,
        "commune_name": h.commune.name,
        "village_name": h.village.name if h.village else None,
    }


households = Router(tags=["households"])


@households.get("/households", response=HouseholdPage)
def list_households(
    request: HttpRequest,
    commune: str = "",
    village: str = "",
    q: str = "",
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    page_size = max(1, min(page_size, 500))
    check_page(page)
    qs = household_list(user=request.user, commune_code=commune, village_code=village, query=q)
    count = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return {"count": count, "page": page, "page_size": page_size, "items": [_item(h) for h in rows]}


@households.get("/households/{household_id}", response=HouseholdRead)
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    h = access_household_by_id(request.user, household_id)
    members = household_detail_audited(user=request.user, household=h)
    return {
        **_item(h),
        "address": h.address,
        "latitude": h.latitude,
        "longitude": h.longitude,
        "income_per_capita": h.income_per_capita,
        "members": members,
    }


jobs = Router(tags=["jobs"])


@jobs.get("/jobs/{job_id}", response=JobRead)
def get_job(request: HttpRequest, job_id: str) -> dict[str, Any]:
    from hongheo.core.errors import NotFound

    job = Job.objects.filter(pk=job_id, created_by_id=request.user.pk).first() if _uuid(job_id) else None
    if job is None:
        raise NotFound(_("Không tìm thấy tác vụ."))
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "title": job.title,
        "state": job.state,
        "percent": job.percent,
        "message": job.message,
        "error": job.error,
    }


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Hộ Nghèo API",
        version="1",
        urls_namespace="api-v1",
        auth=django_auth,
        docs_url="/v1/docs",
        openapi_url="/v1/openapi.json",
    )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body: dict[str, Any] = {"code": exc.code, "message": str(exc.message)}
        if isinstance(exc.details.get("fields"), dict):
            body["fields"] = exc.details["fields"]
        return api.create_response(request, body, status=exc.http_status)

    @api.exception_handler(NinjaValidationError)
    def shape_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        if not request.path.startswith("/api/v1/public/"):  # other routes keep Ninja's own body
            return api.create_response(request, {"detail": exc.errors}, status=422)
        fields = {
            ".".join(str(p) for p in e.get("loc", ())[2:] or e.get("loc", ())): "Sai kiểu dữ liệu."
            for e in exc.errors
        }
        body = {"code": "invalid", "message": "Dữ liệu gửi lên không đúng cấu trúc.", "fields": fields}
        return api.create_response(request, body, status=422)

    api.add_router("/v1/", households)
    api.add_router("/v1/", jobs)
    api.add_router("/v1/", field_router)
    api.add_router("/v1/", public_router)
    return api
