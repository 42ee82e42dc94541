"""Pages for Phiếu A / Phiếu B data. Thin: parse, authorise, call a service or selector, render.

Administrators import, preview and publish; province officers and central analysts may look.
Everyone else gets "not found", like any page that is not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.standards.rules.scoring import FORM_REGIONS, REGION_NAMES_VI, ScoringError, answer_sets
from hongheo.standards.survey.access import user_can_manage_survey_forms, user_can_view_survey_forms
from hongheo.standards.survey.models import ScoreTable, ScreeningList
from hongheo.standards.survey.selectors import (
    form_versions,
    official_score_table_for,
    official_screening_list_for,
    score_table_by_id,
    score_table_preview,
    screening_list_by_id,
    screening_preview,
    standard_in_force,
)
from hongheo.standards.survey.services import (
    score_table_import,
    score_table_publish,
    screening_list_import,
    screening_list_publish,
)
from hongheo.standards.survey.workbook import build_template

from ..errors import domain_errors
from .forms import ITEM_PREFIX, ImportForm, ScorePreviewForm, ScreeningPreviewForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class _Kind:
    slug: str
    name_vi: str
    by_id: Callable[[int], Any]
    do_import: Callable[..., Any]
    do_publish: Callable[[Any, Any], Any]
    detail_url: str


KINDS = {
    "b": _Kind(
        "b",
        gettext_noop("bảng điểm Phiếu B"),
        score_table_by_id,
        score_table_import,
        lambda actor, obj: score_table_publish(actor=actor, table=obj),
        "web:survey_forms:score_table_detail",
    ),
    "a": _Kind(
        "a",
        gettext_noop("tiêu chí Phiếu A"),
        screening_list_by_id,
        screening_list_import,
        lambda actor, obj: screening_list_publish(actor=actor, screening_list=obj),
        "web:survey_forms:screening_list_detail",
    ),
}


def _viewer(request: HttpRequest) -> Any:
    if not user_can_view_survey_forms(request.user):
        raise NotFound(_("Không tìm thấy trang."))
    return request.user


def _manager(request: HttpRequest) -> Any:
    user = _viewer(request)
    if not user_can_manage_survey_forms(user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được nhập và công bố Phiếu A, Phiếu B."))
    return user


@login_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    standard = standard_in_force()
    return render(
        request,
        "web/survey_forms/index.html",
        {
            "standard": standard,
            "official_table": official_score_table_for(standard.code),
            "official_screening": official_screening_list_for(standard.code),
            "tables": form_versions(ScoreTable),
            "screenings": form_versions(ScreeningList),
            "can_manage": user_can_manage_survey_forms(user),
        },
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@domain_errors
def template_download(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return _xlsx(build_template(), "mau-nhap-phieu-a-phieu-b.xlsx")


@login_required
@domain_errors
def sample_download(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return _xlsx(build_template(sample=True), "mau-thu-khong-chinh-thuc.xlsx")


@login_required
@domain_errors
def upload(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    user = _manager(request)
    spec = KINDS[kind]
    into = spec.by_id(pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if into is not None:
        initial = {
            "standard_code": into.standard_code,
            "title": into.title,
            "document_reference": into.document_reference,
            "source_note": into.source_note,
        }
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial, reimport=into is not None)
    error = ""
    rows: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = spec.do_import(
                actor=user,
                file=data["file"],
                standard_code=data["standard_code"],
                title=data["title"],
                official=data["official"],
                document_reference=data["document_reference"],
                source_note=data["source_note"],
                **({"into": into} if into is not None else {"code": data.get("code") or ""}),
            )
        except ValidationError as exc:
            error = str(exc.message)
            rows = exc.details.get("rows", [])
            status = 422
        else:
            messages.success(
                request,
                _("Đã nhập %(name_vi)s %(code)s phiên bản %(version)s (bản nháp).")
                % {"name_vi": _(spec.name_vi), "code": obj.code, "version": obj.version},
            )
            return redirect(spec.detail_url, pk=obj.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "web/survey_forms/upload.html",
        {"form": form, "kind": spec, "into": into, "error": error, "rows": rows},
        status=status,
    )


@login_required
@domain_errors
def score_table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    obj = score_table_by_id(pk)
    table = obj.table()
    data = request.GET.copy() if "vung" in request.GET else None
    preview = None
    preview_error = ""
    region = str(data.get("vung", "")) if data is not None else ""
    if data is not None and region in FORM_REGIONS:
        # A built-in test household replaces the typed answers.
        chosen = answer_sets(table, region).get(str(data.get("bo", "")))
        if chosen is not None:
            for item in table.items:
                data[ITEM_PREFIX + item.code] = chosen[1].get(item.code, "")
    form = ScorePreviewForm(table, data)
    if data is not None and form.is_valid():
        try:
            preview = score_table_preview(
                obj,
                region=form.cleaned_data["vung"],
                answers=form.answers(),
                deprived_count=form.cleaned_data["so_thieu_hut"],
            )
        except ScoringError as exc:
            preview_error = str(exc)
    regions = [(r, REGION_NAMES_VI[r]) for r in FORM_REGIONS]
    return render(
        request,
        "web/survey_forms/score_table_detail.html",
        {
            "obj": obj,
            "table": table,
            "regions": regions,
            "constants": [table.constants.get(r) for r in FORM_REGIONS],
            "rows": [
                (item, answer, [answer.points.get(r) for r in FORM_REGIONS], index == 0)
                for item in table.items
                for index, answer in enumerate(item.answers)
            ],
            "form": form,
            "preview": preview,
            "preview_error": preview_error,
            "can_manage": user_can_manage_survey_forms(user),
        },
    )


@login_required
@domain_errors
def screening_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    obj = screening_list_by_id(pk)
    screening = obj.screening()
    form = ScreeningPreviewForm(screening, request.GET if "xem_thu" in request.GET else None)
    result = None
    preview_error = ""
    if form.is_bound and form.is_valid():
        try:
            result = screening_preview(obj, form.answers())
        except ScoringError as exc:
            preview_error = str(exc)
    return render(
        request,
        "web/survey_forms/screening_list_detail.html",
        {
            "obj": obj,
            "screening": screening,
            "form": form,
            "result": result,
            "preview_error": preview_error,
            "can_manage": user_can_manage_survey_forms(user),
        },
    )


@login_required
@require_POST
@domain_errors
def publish(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _manager(request)
    spec = KINDS[kind]
    obj = spec.do_publish(user, spec.by_id(pk))
    messages.success(
        request,
        _("Đã công bố %(name_vi)s %(code)s phiên bản %(version)s.")
        % {"name_vi": _(spec.name_vi), "code": obj.code, "version": obj.version},
    )
    return redirect(spec.detail_url, pk=obj.pk)
