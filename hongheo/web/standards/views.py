"""Pages for poverty standards, classification runs and a household's classification."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongheo.core.errors import BadInput, NotFound, ValidationError
from hongheo.core.jobs import job_enqueue
from hongheo.geography.models import Area
from hongheo.registry.access import access_household_by_id
from hongheo.registry.selectors import household_detail_audited
from hongheo.reviews.status import status_current
from hongheo.standards.classification import check_can_classify
from hongheo.standards.explain import household_explanation
from hongheo.standards.models import ClassificationRun, PublishedStandard
from hongheo.standards.results import household_classify
from hongheo.standards.rules.engine import CLASS_NAMES_VI
from hongheo.standards.selectors import (
    run_get_for_user,
    standard_get,
    standard_in_force,
    standards_all,
)
from hongheo.standards.services import standard_draft_save, standard_publish
from hongheo.users.access import user_covers_area
from hongheo.users.models import Role
from hongheo.web.i18n_data import display

from ..errors import domain_errors


@login_required
@domain_errors
def household_score_card_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable score card (phiếu kết quả xếp loại) of one household."""
    household = access_household_by_id(request.user, pk)
    members = household_detail_audited(user=request.user, household=household)
    explanation = household_explanation(household, members)
    if explanation is None:
        raise NotFound(_("Hộ chưa được xếp loại."))
    return render(
        request,
        "web/score_card.html",
        {
            "household": household,
            "members": members,
            "x": explanation,
            "official": status_current(household),
            "today": dt.date.today(),
        },
    )


@login_required
@require_POST
@domain_errors
def household_classify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Xếp loại lại": store a result on the household's facts of record, under the standard in force."""
    household = access_household_by_id(request.user, pk)
    today = dt.date.today()
    standard = standard_in_force(today, province_code=household.commune.province_code)
    stored = household_classify(
        actor=request.user, household=household, standard=standard, reference_date=today
    )
    messages.success(
        request,
        _("Đã xếp loại lại theo %(title)s: %(classification)s.")
        % {"title": standard.title, "classification": display(CLASS_NAMES_VI.get(stored.classification, ""))},
    )
    return redirect("web:household_detail", pk=household.pk)


def _classify_area(request: HttpRequest, code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None or not user_covers_area(request.user, area):
        raise NotFound(_("Không tìm thấy địa bàn."))
    check_can_classify(request.user, area)
    return area


@login_required
@require_POST
@domain_errors
def area_classify_view(request: HttpRequest, code: str) -> HttpResponse:
    area = _classify_area(request, code)
    kind = "what_if" if request.POST.get("kind") == "what_if" else "official"
    standard_code = request.POST.get("standard", "")
    if kind == "what_if" and not standard_code:
        raise ValidationError(_("Hãy chọn chuẩn nghèo để mô phỏng."))
    if standard_code:  # drafts are the administrator's: for anyone else a draft is "not found"
        is_admin = getattr(request.user, "role", None) == Role.ADMINISTRATOR
        standard_get(standard_code, include_drafts=kind == "what_if" and is_admin)
    reference = request.POST.get("reference_date") or dt.date.today().isoformat()
    title = ("Mô phỏng theo " + standard_code if kind == "what_if" else "Xếp loại hộ") + f": {area.name}"
    job = job_enqueue(
        actor=request.user,
        kind="standards.classify_area",
        title=title,
        params={
            "area_code": area.code,
            "standard_code": standard_code,
            "kind": kind,
            "reference_date": reference,
        },
    )
    return redirect("web:job_detail", pk=job.pk)


@login_required
@domain_errors
def run_detail_view(request: HttpRequest, pk: str) -> HttpResponse:
    run = run_get_for_user(user=request.user, run_id=pk)
    commune_names = dict(
        Area.objects.filter(pk__in=[int(k) for k in run.summary.get("communes", {})]).values_list(
            "pk", "name"
        )
    )
    classes = ["poor", "near_poor", "average", "not_poor"]
    rows = []
    for commune_id, counts in sorted(
        run.summary.get("communes", {}).items(), key=lambda kv: commune_names.get(int(kv[0]), "")
    ):
        changes = run.changes.get(commune_id, {})
        rows.append(
            {
                "name": commune_names.get(int(commune_id), commune_id),
                "counts": [counts.get(c, 0) for c in classes],
                "total": sum(counts.values()),
                "changed": sum(changes.values()),
                "changes": sorted(changes.items(), key=lambda kv: -kv[1]),
            }
        )
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(classes))]
    return render(
        request,
        "web/run_detail.html",
        {
            "run": run,
            "rows": rows,
            "totals": totals,
            "class_labels": [CLASS_NAMES_VI[c] for c in classes],
            "class_names": CLASS_NAMES_VI,
        },
    )


@login_required
def standards_list_view(request: HttpRequest) -> HttpResponse:
    drafts = PublishedStandard.objects.filter(status=PublishedStandard.Status.DRAFT)
    is_admin = getattr(request.user, "role", None) == Role.ADMINISTRATOR
    return render(
        request,
        "web/standards_list.html",
        {
            "standards": standards_all(),
            "drafts": drafts if is_admin else [],
            "is_admin": is_admin,
            "today": dt.date.today(),
        },
    )


@login_required
@domain_errors
def standard_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    is_admin = getattr(request.user, "role", None) == Role.ADMINISTRATOR
    standard = standard_get(code, include_drafts=is_admin)
    record = PublishedStandard.objects.filter(code=code).first()
    return render(
        request, "web/standard_detail.html", {"s": standard, "record": record, "is_admin": is_admin}
    )


@login_required
@domain_errors
def standard_draft_view(request: HttpRequest) -> HttpResponse:
    """An administrator pastes or uploads a provincial standard document (JSON) as a draft."""
    if getattr(request.user, "role", None) != Role.ADMINISTRATOR:
        raise NotFound(_("Không tìm thấy trang."))
    errors: list[str] = []
    text = request.POST.get("document", "")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            text = upload.read().decode("utf-8-sig", errors="replace")
        try:
            if len(text) > MAX_DRAFT_CHARS:
                raise BadInput(
                    _("Tài liệu quá lớn (giới hạn %(value)s nghìn ký tự).")
                    % {"value": MAX_DRAFT_CHARS // 1000}
                )
            document = json.loads(text)
            if _depth(document) > MAX_DRAFT_DEPTH:
                raise BadInput(
                    _("JSON lồng quá sâu (tối đa %(MAX_DRAFT_DEPTH)s cấp).")
                    % {"MAX_DRAFT_DEPTH": MAX_DRAFT_DEPTH}
                )
        except json.JSONDecodeError as exc:
            errors = [
                _("JSON không hợp lệ: dòng %(line)s, cột %(column)s: %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ]
        except RecursionError:
            errors = [
                _("JSON lồng quá sâu (tối đa %(MAX_DRAFT_DEPTH)s cấp).")
                % {"MAX_DRAFT_DEPTH": MAX_DRAFT_DEPTH}
            ]
        except BadInput as exc:
            errors = [str(exc.message)]
        else:
            try:
                draft = standard_draft_save(actor=request.user, document=document)
            except ValidationError as exc:
                errors = exc.details.get("errors") or [str(exc.message)]
            else:
                messages.success(request, _("Đã lưu bản nháp %(code)s.") % {"code": draft.code})
                return redirect("web:standard_detail", code=draft.code)
    template = text or json.dumps(_provincial_template(), ensure_ascii=False, indent=2)
    status = 400 if errors else 200
    return render(request, "web/standard_draft.html", {"document": template, "errors": errors}, status=status)


MAX_DRAFT_CHARS = 2_000_000
MAX_DRAFT_DEPTH = 32


def _depth(document: Any) -> int:
    """The nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _provincial_template() -> dict[str, Any]:
    national = standard_get("vn-2022-2025").document
    return {
        "schema_version": 1,
        "code": "tinh-XX-2026",
        "title": "Chuẩn nghèo đa chiều của tỉnh … giai đoạn …",
        "scope": "province",
        "province_code": "XX",
        "based_on": "vn-2022-2025",
        "legal_basis": [
            {
                "document": "Nghị quyết/Quyết định số …/…-HĐND/UBND của tỉnh …",
                "date": "2025-12-31",
                "articles": "Điều …",
                "provenance": {"status": "unverified", "source": "ghi số, ngày và nơi đăng văn bản"},
            }
        ],
        "effective_from": "2026-01-01",
        "effective_to": "2026-12-31",
        "effective_provenance": {"status": "verified", "source": "Nghị quyết/Quyết định của tỉnh số …"},
        "income_lines": national["income_lines"],
        "deprivation_threshold": national["deprivation_threshold"],
        "scores": None,
    }


@login_required
@require_POST
@domain_errors
def standard_publish_view(request: HttpRequest, code: str) -> HttpResponse:
    record = PublishedStandard.objects.filter(code=code).first()
    if record is None or getattr(request.user, "role", None) != Role.ADMINISTRATOR:
        raise NotFound(_("Không tìm thấy chuẩn nghèo."))
    standard_publish(actor=request.user, standard=record)
    messages.success(request, _("Đã công bố chuẩn %(code)s.") % {"code": code})
    return redirect("web:standard_detail", code=code)


def area_runs(area: Area) -> Any:
    return ClassificationRun.objects.filter(area=area).order_by("-started_at")[:10]


def latest_run_time(area: Area) -> Any:
    return ClassificationRun.objects.filter(area=area).aggregate(m=Max("started_at"))["m"]
