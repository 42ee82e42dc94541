"""Pages of support plans, hand-off lists to mass organisations and the province's integrity
checks. Thin: parse, authorise through the gate (``hongheo.support.selectors`` builds on
``hongheo.registry.access``), call a service, render. Out-of-scope objects are "not found"; a role
that may not use a page gets 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hongheo.core.errors import DomainError, NotFound, PermissionDenied
from hongheo.geography.models import Area
from hongheo.registry.access import access_household_by_id
from hongheo.registry.selectors import household_sensitive_read
from hongheo.reviews.selectors import round_qs_for_user
from hongheo.support import exports, integrity, selectors, services
from hongheo.support.models import Organisation
from hongheo.support.status import official_classes

from ..errors import domain_errors
from .forms import AssignForm, FollowUpForm, OrganisationForm, PlanItemForm, SendBackForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _need_reader(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise PermissionDenied(_("Vai trò của bạn không dùng được chức năng này."))


def _file(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- entry point and a commune ------------------------------------------------------------------------


@login_required
@domain_errors
@require_GET
def index_view(request: HttpRequest) -> HttpResponse:
    if _role(request) in integrity.PROVINCE_ROLES and not request.GET.get("xa"):
        communes = list(selectors.communes_for_user(request.user))
        return render(request, "web/support/index.html", {"communes": communes, "is_province": True})
    _need_reader(request)
    communes = list(selectors.communes_for_user(request.user))
    if len(communes) == 1:
        return redirect("web:support_commune", code=communes[0].code)
    return render(request, "web/support/index.html", {"communes": communes, "is_province": False})


def _commune_context(request: HttpRequest, commune: Area, org_form: OrganisationForm) -> dict[str, Any]:
    summary = selectors.commune_support(user=request.user, commune=commune)
    return {
        "commune": commune,
        "s": summary,
        "organisations": Organisation.objects.filter(commune=commune)
        .annotate(assigned=Count("assignments", filter=Q(assignments__is_active=True)))
        .order_by("-is_active", "name"),
        "org_form": org_form,
        "can_manage": _role(request) in services.ORGANISATION_ROLES,
        "can_export": _role(request) in selectors.EXPORT_ROLES,
    }


@login_required
@domain_errors
@require_GET
def commune_view(request: HttpRequest, code: str) -> HttpResponse:
    _need_reader(request)
    commune = selectors.commune_get(request.user, code)
    return render(request, "web/support/commune.html", _commune_context(request, commune, OrganisationForm()))


@login_required
@domain_errors
@require_GET
def commune_export_view(request: HttpRequest, code: str) -> HttpResponseBase:
    _need_reader(request)
    commune = selectors.commune_get(request.user, code)
    summary = selectors.commune_support(user=request.user, commune=commune)
    content = exports.commune_support_export(actor=request.user, summary=summary)
    return _file(content, XLSX, f"ho-tro-{commune.code}-{summary.year}.xlsx")


@login_required
@domain_errors
@require_POST
def organisation_create_view(request: HttpRequest, code: str) -> HttpResponse:
    _need_reader(request)
    commune = selectors.commune_get(request.user, code)
    form = OrganisationForm(request.POST)
    if form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, commune=commune, **form.cleaned_data
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã thêm tổ chức %(name)s.") % {"name": organisation.name})
            return redirect("web:support_organisation", pk=organisation.pk)
    return render(request, "web/support/commune.html", _commune_context(request, commune, form), status=422)


# --- an organisation ----------------------------------------------------------------------------------


def _villages(organisation: Organisation) -> list[tuple[str, str]]:
    return [
        (v.code, v.name)
        for v in Area.objects.filter(parent=organisation.commune, level=Area.Level.VILLAGE).order_by("name")
    ]


def _organisation_page(
    request: HttpRequest,
    organisation: Organisation,
    assign_form: AssignForm,
    edit_form: OrganisationForm,
    status: int = 200,
) -> HttpResponse:
    assignments = selectors.organisation_assignments(user=request.user, organisation=organisation)
    classes = official_classes(a.household_id for a in assignments)
    return render(
        request,
        "web/support/organisation.html",
        {
            "organisation": organisation,
            "rows": [(a, classes.get(a.household_id, "")) for a in assignments],
            "assign_form": assign_form,
            "edit_form": edit_form,
            "can_manage": _role(request) in services.ORGANISATION_ROLES,
            "can_export": _role(request) in selectors.EXPORT_ROLES,
        },
        status=status,
    )


@login_required
@domain_errors
def organisation_view(request: HttpRequest, pk: int) -> HttpResponse:
    _need_reader(request)
    organisation = selectors.organisation_get(request.user, pk)
    villages = _villages(organisation)
    edit_initial = {"name": organisation.name, "kind": organisation.kind, "contact": organisation.contact}
    if request.method != "POST":
        return _organisation_page(
            request, organisation, AssignForm(villages=villages), OrganisationForm(initial=edit_initial)
        )
    if request.POST.get("form") == "edit":
        edit_form = OrganisationForm(request.POST)
        if edit_form.is_valid():
            try:
                services.organisation_update(
                    actor=request.user,
                    organisation=organisation,
                    is_active=request.POST.get("is_active", "1") == "1",
                    **edit_form.cleaned_data,
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                edit_form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã lưu thông tin tổ chức."))
                return redirect("web:support_organisation", pk=organisation.pk)
        return _organisation_page(request, organisation, AssignForm(villages=villages), edit_form, 422)
    form = AssignForm(request.POST, villages=villages)
    if form.is_valid():
        data = form.cleaned_data
        village = (
            Area.objects.filter(parent=organisation.commune, code=data["village"]).first()
            if data["village"]
            else None
        )
        try:
            result = services.households_assign(
                actor=request.user,
                organisation=organisation,
                village=village,
                need=data["need"],
                cause=data["cause"],
                classes=data["classes"],
                helper_name=data["helper_name"],
            )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Đã giao %(created)s hộ mới (%(matched)s hộ khớp điều kiện, %(updated)s hộ đổi hội viên).")
                % result,
            )
            return redirect("web:support_organisation", pk=organisation.pk)
    return _organisation_page(request, organisation, form, OrganisationForm(initial=edit_initial), 422)


@login_required
@domain_errors
@require_POST
def assignment_end_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    _need_reader(request)
    organisation = selectors.organisation_get(request.user, pk)
    assignment = next(
        (
            a
            for a in selectors.organisation_assignments(user=request.user, organisation=organisation)
            if a.pk == assignment_pk
        ),
        None,
    )
    if assignment is None:
        raise NotFound(_("Không tìm thấy hộ được giao."))
    services.assignment_end(actor=request.user, assignment=assignment)
    messages.success(
        request, _("Hộ %(code)s thôi được giao cho tổ chức.") % {"code": assignment.household.code}
    )
    return redirect("web:support_organisation", pk=organisation.pk)


@login_required
@domain_errors
@require_GET
def organisation_list_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    _need_reader(request)
    if fmt not in ("pdf", "xlsx"):
        raise NotFound(_("Không tìm thấy tệp."))
    organisation = selectors.organisation_get(request.user, pk)
    content = exports.help_list_export(actor=request.user, organisation=organisation, fmt=fmt)
    name = f"danh-sach-giup-do-{organisation.pk}.{fmt}"
    if fmt == "pdf":
        return _file(content, "application/pdf", name, inline=True)
    return _file(content, XLSX, name)


# --- a household's plan -------------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest, household: Any, form: PlanItemForm | None, status: int = 200
) -> HttpResponse:
    help_ = selectors.household_support(household=household)
    role = _role(request)
    household_sensitive_read(  # the page shows the household's causes of poverty (issue 8, item 6)
        user=request.user, household=household, action="support.household_view", fields=["poverty_causes"]
    )
    return render(
        request,
        "web/support/household.html",
        {
            "household": household,
            "help": help_,
            "form": form,
            "can_plan": role in services.PLAN_ROLES and help_.listed and household.is_active,
            "can_follow_up": role in services.FOLLOW_UP_ROLES,
            "follow_form": FollowUpForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _organisation_choices(household: Any) -> list[tuple[str, str]]:
    return [
        (str(o.pk), o.name)
        for o in Organisation.objects.filter(commune=household.commune, is_active=True).order_by("name")
    ]


@login_required
@domain_errors
def household_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    _need_reader(request)
    household = access_household_by_id(request.user, pk)
    organisations = _organisation_choices(household)
    if request.method != "POST":
        initial: dict[str, Any] = {k: request.GET[k] for k in ("kind", "need") if request.GET.get(k)}
        initial.setdefault("due_on", timezone.localdate().replace(month=12, day=31))
        return _plan_page(request, household, PlanItemForm(initial=initial, organisations=organisations))
    form = PlanItemForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        organisation = (
            Organisation.objects.filter(commune=household.commune, pk=data["organisation"]).first()
            if data["organisation"]
            else None
        )
        try:
            services.plan_item_add(
                actor=request.user,
                household=household,
                kind=data["kind"],
                need=data["need"],
                programme=data["programme"],
                organisation=organisation,
                responsible=data["responsible"],
                due_on=data["due_on"],
            )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã thêm vào kế hoạch hỗ trợ."))
            return redirect("web:support_household", pk=household.pk)
    return _plan_page(request, household, form, status=422)


@login_required
@domain_errors
@require_POST
def follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    _need_reader(request)
    item = selectors.plan_item_get(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("web:support_household", pk=item.household_id)
    data = form.cleaned_data
    try:
        services.plan_item_follow_up(
            actor=request.user,
            item=item,
            status=data["status"],
            note=data["note"],
            amount_vnd=data["amount_vnd"],
            on=data["on"],
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi kết quả hỗ trợ."))
    return redirect("web:support_household", pk=item.household_id)


# --- the province's checks ------------------------------------------------------------------------------


@login_required
@domain_errors
def checks_view(request: HttpRequest) -> HttpResponse:
    integrity.require_province(request.user)
    rows = integrity.province_flags(request.user, only=request.GET.get("xa") or None)
    return render(
        request,
        "web/support/checks.html",
        {
            "rows": [(r, SendBackForm(auto_id=f"sb-{r.commune.code}-%s")) for r in rows],
            "flagged": sum(1 for r in rows if r.findings),
        },
    )


@login_required
@domain_errors
@require_POST
def send_back_view(request: HttpRequest, code: str) -> HttpResponse:
    integrity.require_province(request.user)
    review_round = (
        round_qs_for_user(request.user)
        .filter(commune__code=code)
        .exclude(state="closed")
        .order_by("-id")
        .first()
    )
    if review_round is None:
        raise NotFound(_("Xã không có đợt rà soát đang mở."))
    form = SendBackForm(request.POST)
    back = reverse("web:support_checks") + f"?xa={code}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    try:
        services.round_send_back(
            actor=request.user,
            review_round=review_round,
            step=data["step"],
            reason=data["reason"],
            checks=[c for c in data["checks"].split(",") if c in integrity.CHECK_CODES],
            household_codes=[c for c in data["households"].replace("\n", ",").split(",") if c.strip()],
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã trả lại kết quả rà soát của %(name)s.") % {"name": review_round.commune.name}
        )
    return redirect(back)
