"""Household pages that write: facts (Phiếu B), groups, causes and needs; members (add, edit,
move, death, move-away); change of head; split and merge; support received.

Thin, like every view: open the household through the access gate, check the writer role on the
household's area (the services check it again), parse a form, call one service, render. The
``…/kiem-tra/`` endpoints run the same checks as the services without writing, so the forms can
show messages as the user types (``static/web/household_form.js``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from hongheo.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from hongheo.core.ids import prefix_kind
from hongheo.core.jobs import job_enqueue
from hongheo.geography.models import Area
from hongheo.linkage.services import members_match_safely
from hongheo.registry import code_lists, ethnicity
from hongheo.registry import services as registry
from hongheo.registry.access import access_household_by_id, household_qs_for_user
from hongheo.registry.models import SENSITIVE_HOUSEHOLD_FIELDS, SENSITIVE_MEMBER_FIELDS, Household, Member
from hongheo.registry.selectors import (
    household_detail_audited,
    household_list,
    household_members,
    household_sensitive_read,
    personal_id_check,
)
from hongheo.registry.validation import clean_causes_needs, clean_household_facts, clean_member
from hongheo.reviews.models import Application, RoundEntry
from hongheo.reviews.status import status_current, status_history
from hongheo.standards.explain import household_explanation, indicative_only
from hongheo.standards.results import CLASSIFY_ROLES
from hongheo.users.access import user_can_write_households, user_covers_area
from hongheo.web.i18n_data import choices_lazy, ethnicity_choices
from hongheo.web.linkage.links import population_links

from ..errors import domain_errors
from ..views import PAGE_SIZE, _user_communes


def _ledger_if_closed(request: HttpRequest, household: Household, date: dt.date | None) -> None:
    """A poor / near-poor household that ceased to exist leaves the lists (change ledger)."""
    from hongheo.reviews.services import status_household_closed

    status_household_closed(actor=request.user, household=household, on=date or timezone.localdate())


TRI_STATE = [("", _("Chưa rõ")), ("1", _("Có")), ("0", _("Không"))]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


# --- access --------------------------------------------------------------------------------------


def _household_for_writer(request: HttpRequest, pk: int) -> Household:
    """The household through the gate (404 when not visible), then the writer rule (403)."""
    household = access_household_by_id(request.user, pk)
    if not (
        user_can_write_households(request.user)
        and user_covers_area(request.user, household.village or household.commune)
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa dữ liệu hộ gia đình này."))
    if not household.is_active:
        raise ValidationError(
            _("Hộ %(code)s không còn hoạt động (đã nhập hoặc giải thể).") % {"code": household.code}
        )
    return household


def _member_of(household: Household, member_pk: int) -> Member:
    member = household.members.filter(pk=member_pk, is_active=True).first()
    if member is None:
        raise NotFound(_("Không tìm thấy nhân khẩu."))
    return member


def _other_household(request: HttpRequest, code: str) -> Household | None:
    """Another household by code, through the gate (None when not visible)."""
    code = (code or "").strip()
    if not code:
        return None
    return household_qs_for_user(request.user).select_related("commune", "village").filter(code=code).first()


# --- form helpers --------------------------------------------------------------------------------


def _blank_choices(list_name: str) -> list[tuple[str, Any]]:
    return [("", "—"), *choices_lazy(list_name)]


def _tri(value: str) -> bool | None:
    return None if value in ("", None) else value == "1"


def _tri_initial(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field messages on the form's fields (the rest on the form)."""
    fields = (exc.details or {}).get("fields") or {}
    placed = False
    for name, text in fields.items():
        if name in form.fields and text:
            form.add_error(name, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _saved(
    request: HttpRequest,
    form: forms.Form,
    household: Household,
    action: Callable[[], Any],
    done: str | Callable[[Any], str],
) -> HttpResponse | None:
    """For a valid posted form, run ``action`` (the service calls). On success: say ``done`` and go
    back to the household page. A ``ValidationError`` puts the service's messages on the form.
    ``None`` means: show the form again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect("web:household_detail", pk=household.pk)


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The form page; 422 when the form carries errors."""
    return render(request, template, context, status=422 if context["form"].errors else 200)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _form_errors(form: forms.Form) -> dict[str, str]:
    return {name: " ".join(str(e) for e in errs) for name, errs in form.errors.items()}


_ON_DAY = _("Ngày xảy ra")


def _date_field(label: Any = _ON_DAY) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Để trống nếu là hôm nay."),
    )


class _VnForm(forms.Form):
    """Vietnamese messages for Django's own field checks, whatever the active language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = _("Trường này không được để trống.")
            if isinstance(f, forms.IntegerField):
                f.error_messages["invalid"] = _("Phải là số nguyên.")
            elif isinstance(f, forms.FloatField):
                f.error_messages["invalid"] = _("Phải là số (dùng dấu chấm cho phần thập phân).")
            elif isinstance(f, forms.DateField):
                f.error_messages["invalid"] = _("Ngày không hợp lệ (dd/mm/yyyy).")
            elif isinstance(f, forms.ChoiceField):
                f.error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")


# --- household facts, groups, causes, needs ------------------------------------------------------


class HouseholdFactsForm(_VnForm):
    housing_quality = forms.ChoiceField(
        label=_("Loại nhà ở"), required=False, choices=_blank_choices("housing_quality")
    )
    wall_material = forms.ChoiceField(
        label=_("Tường"), required=False, choices=_blank_choices("housing_material")
    )
    roof_material = forms.ChoiceField(
        label=_("Mái"), required=False, choices=_blank_choices("housing_material")
    )
    pillar_material = forms.ChoiceField(
        label=_("Cột"), required=False, choices=_blank_choices("housing_material")
    )
    floor_area_m2 = forms.FloatField(
        label=_("Diện tích nhà ở (m²)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
    )
    water_source = forms.ChoiceField(
        label=_("Nguồn nước sinh hoạt"), required=False, choices=_blank_choices("water_source")
    )
    toilet = forms.ChoiceField(label=_("Nhà tiêu"), required=False, choices=_blank_choices("toilet"))
    waste_handling = forms.ChoiceField(
        label=_("Xử lý rác thải"), required=False, choices=_blank_choices("waste_handling")
    )
    internet = forms.ChoiceField(label=_("Có sử dụng Internet"), required=False, choices=TRI_STATE)
    information_devices = forms.IntegerField(
        label=_("Số thiết bị tiếp cận thông tin (điện thoại, TV, máy tính, radio)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "0"}),
    )
    income_per_capita = forms.IntegerField(
        label=_("Thu nhập bình quân (đồng/người/tháng)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1000"}),
    )
    income_sources = forms.MultipleChoiceField(
        label=_("Nguồn thu nhập"),
        required=False,
        choices=choices_lazy("income_source"),
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    ethnic_minority = forms.BooleanField(label=_("Hộ dân tộc thiểu số"), required=False)
    merit = forms.BooleanField(label=_("Hộ có người có công với cách mạng"), required=False)
    social_protection = forms.BooleanField(label=_("Hộ có đối tượng bảo trợ xã hội"), required=False)
    no_working_capacity = forms.BooleanField(label=_("Hộ không có khả năng lao động"), required=False)
    poverty_causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"),
        required=False,
        choices=choices_lazy("poverty_cause"),
        widget=forms.CheckboxSelectMultiple,
    )
    support_needs = forms.MultipleChoiceField(
        label=_("Nhu cầu hỗ trợ"),
        required=False,
        choices=choices_lazy("support_need"),
        widget=forms.CheckboxSelectMultiple,
    )

    LIVING = (
        "housing_quality", "wall_material", "roof_material", "pillar_material", "floor_area_m2",
        "water_source", "toilet", "waste_handling", "internet", "information_devices",
        "income_per_capita", "income_sources", "phone",
    )  # fmt: skip
    GROUPS = ("ethnic_minority", "merit", "social_protection", "no_working_capacity")

    def living_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.LIVING]

    def group_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*self.GROUPS, "poverty_causes", "support_needs")]

    @classmethod
    def initial_for(cls, household: Household) -> dict[str, Any]:
        initial = {name: getattr(household, name) for name in (*cls.LIVING, *cls.GROUPS)}
        initial["internet"] = _tri_initial(household.internet)
        initial["poverty_causes"] = household.poverty_causes
        initial["support_needs"] = household.support_needs
        return initial

    def parts(self) -> tuple[dict[str, Any], dict[str, bool], list[str], list[str]]:
        data = self.cleaned_data
        facts = {name: data.get(name) for name in self.LIVING}
        facts["internet"] = _tri(data.get("internet", ""))
        groups = {name: bool(data.get(name)) for name in self.GROUPS}
        return facts, groups, list(data.get("poverty_causes") or []), list(data.get("support_needs") or [])


@login_required
@domain_errors
def household_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    form = HouseholdFactsForm(request.POST or None, initial=HouseholdFactsForm.initial_for(household))

    @transaction.atomic  # both parts or neither
    def save() -> None:
        facts, groups, causes, needs = form.parts()
        registry.household_update_facts(actor=request.user, household=household, facts=facts)
        registry.household_update_groups_causes_needs(
            actor=request.user, household=household, groups=groups, poverty_causes=causes, support_needs=needs
        )

    if done := _saved(request, form, household, save, str(_("Đã lưu thông tin hộ."))):
        return done
    household_sensitive_read(
        user=request.user,
        household=household,
        action="registry.household_edit_view",
        fields=SENSITIVE_HOUSEHOLD_FIELDS,
    )
    return _form_page(
        request,
        "web/household_edit.html",
        {
            "household": household,
            "form": form,
            "provenance": _provenance(
                "housing_quality",
                "housing_material",
                "water_source",
                "toilet",
                "waste_handling",
                "income_source",
                "household_group",
                "poverty_cause",
                "support_need",
            ),
        },
    )


def _provenance(*names: str) -> list[dict[str, Any]]:
    return [{"name": code_lists.list_label(n), **code_lists.provenance(n)} for n in names]


@login_required
@require_POST
@domain_errors
def household_check_view(request: HttpRequest, pk: int) -> JsonResponse:
    """The facts form's checks, without writing: ``{"errors": {field: message}}``."""
    _household_for_writer(request, pk)
    form = HouseholdFactsForm(request.POST)
    form.is_valid()
    errors = _form_errors(form)
    facts, groups, causes, needs = form.parts()
    present = set(form.cleaned_data)
    more = clean_household_facts({k: v for k, v in {**facts, **groups}.items() if k in present})[1]
    more.update(clean_causes_needs(causes, needs)[1])
    for name, text in more.items():
        errors.setdefault(name, text)
    return JsonResponse({"errors": errors})


# --- members -------------------------------------------------------------------------------------


class MemberForm(_VnForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân (12 số)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=choices_lazy("sex"))
    relation_to_head = forms.ChoiceField(
        label=_("Quan hệ với chủ hộ"), choices=choices_lazy("relation_to_head")
    )
    status = forms.ChoiceField(
        label=_("Tình trạng (Mẫu 01)"), required=False, choices=_blank_choices("member_status")
    )
    ethnicity = forms.ChoiceField(label=_("Dân tộc"), required=False, choices=ethnicity_choices)
    disability = forms.BooleanField(label=_("Người khuyết tật"), required=False)
    disability_allowance = forms.BooleanField(label=_("Hưởng trợ cấp khuyết tật"), required=False)
    undernourished = forms.BooleanField(label=_("Suy dinh dưỡng (trẻ em)"), required=False)
    health_insurance = forms.ChoiceField(label=_("Có thẻ BHYT"), required=False, choices=TRI_STATE)
    in_school = forms.ChoiceField(label=_("Đang đi học"), required=False, choices=TRI_STATE)
    education_level = forms.ChoiceField(
        label=_("Trình độ học vấn"), required=False, choices=_blank_choices("education_level")
    )
    has_qualification = forms.ChoiceField(
        label=_("Có bằng cấp chuyên môn"), required=False, choices=TRI_STATE
    )
    employment = forms.ChoiceField(
        label=_("Việc làm, hợp đồng lao động"), required=False, choices=_blank_choices("employment")
    )
    date = _date_field(_("Ngày vào hộ"))
    accept_id_prefix = forms.BooleanField(
        label=_("Xác nhận số định danh (3 chữ số đầu ngoài danh sách: khai sinh ở nước ngoài)"),
        required=False,
    )

    TRI = ("health_insurance", "in_school", "has_qualification")
    FIELDS = (
        "full_name", "personal_id", "date_of_birth", "sex", "relation_to_head", "status", "ethnicity",
        "disability", "disability_allowance", "undernourished", "health_insurance", "in_school",
        "education_level", "has_qualification", "employment",
    )  # fmt: skip

    def __init__(self, *args: Any, editing: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "accept" is offered only for a typed number whose prefix is in neither list
        typed = str(self.data.get("personal_id") or "").strip() if self.is_bound else ""
        if not (len(typed) == 12 and typed.isdigit() and prefix_kind(typed) == "unknown") or (
            editing is not None and typed == (editing.personal_id or "")
        ):
            del self.fields["accept_id_prefix"]
        if editing is not None:
            del self.fields["date"]
            if editing.ethnicity and editing.ethnicity not in ethnicity.labels():
                # a value kept from free text (manage.py ethnicity_report): shown, and refused on
                # save with the service's message until a group of the list is chosen
                _set_choices(
                    self, "ethnicity", [*ethnicity_choices(), (editing.ethnicity, editing.ethnicity)]
                )
            if editing.relation_to_head == Member.Relation.HEAD:
                _set_choices(
                    self, "relation_to_head", [("head", code_lists.label("relation_to_head", "head"))]
                )
            else:
                _set_choices(
                    self,
                    "relation_to_head",
                    [c for c in code_lists.choices("relation_to_head") if c[0] != "head"],
                )

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        initial = {name: getattr(member, name) for name in cls.FIELDS}
        for name in cls.TRI:
            initial[name] = _tri_initial(getattr(member, name))
        return initial

    def all_fields(self) -> list[forms.BoundField]:
        return list(self)

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        for name in self.TRI:
            data[name] = _tri(data[name] or "")
        data["personal_id"] = (data["personal_id"] or "").strip() or None
        return data


def _member_input(values: dict[str, Any], *, accept_id_prefix: bool = False) -> registry.MemberInput:
    facts = {k: v for k, v in values.items() if k in registry.MEMBER_FACT_FIELDS}
    return registry.MemberInput(
        full_name=values["full_name"],
        date_of_birth=values["date_of_birth"],
        sex=values["sex"],
        relation_to_head=values["relation_to_head"],
        personal_id=values["personal_id"],
        facts=facts,
        accept_unknown_id_prefix=accept_id_prefix,
    )


def _check_id(request: HttpRequest, personal_id: str | None, exclude_pk: int | None = None) -> None:
    """A saved ID number is a look-up too: logged and rate-limited before the service runs (the
    service's own refusal rolls back with its transaction, the look-up's audit row must not)."""
    if personal_id:
        personal_id_check(user=request.user, personal_id=str(personal_id), exclude_pk=exclude_pk)


@login_required
@domain_errors
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    form = MemberForm(request.POST or None, initial={"relation_to_head": "child"})

    def save() -> Member:
        _check_id(request, form.cleaned_data.get("personal_id"))
        member = registry.member_add(
            actor=request.user,
            household=household,
            data=_member_input(
                form.values(), accept_id_prefix=bool(form.cleaned_data.get("accept_id_prefix"))
            ),
            date=form.cleaned_data.get("date"),
        )
        # the population candidate at once, shown on the household page (≈ 30 ms; never fails the form)
        members_match_safely(member_ids=[member.pk], source="officer", actor=request.user)
        return member

    if done := _saved(
        request, form, household, save, lambda m: _("Đã thêm %(name)s vào hộ.") % {"name": m.full_name}
    ):
        return done
    return _form_page(
        request, "web/household_member_form.html", {"household": household, "form": form, "member": None}
    )


@login_required
@domain_errors
def member_edit_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    member = _member_of(household, member_pk)
    form = MemberForm(request.POST or None, initial=MemberForm.initial_for(member), editing=member)

    def save() -> str:
        values = form.values()
        changes = {k: v for k, v in values.items() if getattr(member, k) != v}
        if "personal_id" in changes:
            _check_id(request, changes["personal_id"], member.pk)
        if changes:
            registry.member_update(
                actor=request.user,
                member=member,
                changes=changes,
                accept_unknown_id_prefix=bool(form.cleaned_data.get("accept_id_prefix")),
            )
        return str(values["full_name"])

    if done := _saved(
        request, form, household, save, lambda name: _("Đã lưu thông tin %(name)s.") % {"name": name}
    ):
        return done
    household_sensitive_read(
        user=request.user,
        household=household,
        action="registry.member_edit_view",
        fields=["personal_id", *SENSITIVE_MEMBER_FIELDS],
        personal_id=member.personal_id or "",
    )
    return _form_page(
        request, "web/household_member_form.html", {"household": household, "form": form, "member": member}
    )


@login_required
@require_POST
@domain_errors
def member_check_view(request: HttpRequest, pk: int) -> JsonResponse:
    """The member form's checks (12-digit ID against date of birth and sex, duplicates), no writes."""
    household = _household_for_writer(request, pk)
    editing = None
    if request.POST.get("member"):
        try:
            editing = _member_of(household, int(request.POST["member"]))
        except (ValueError, NotFound):
            editing = None
    form = MemberForm(request.POST, editing=editing)
    form.is_valid()
    errors = _form_errors(form)
    values = {k: v for k, v in (form.cleaned_data or {}).items() if k in MemberForm.FIELDS}
    for name in MemberForm.TRI:
        if name in values:
            values[name] = _tri(values[name] or "")
    if values:
        accepted = bool((form.cleaned_data or {}).get("accept_id_prefix")) or (
            editing is not None and values.get("personal_id") == editing.personal_id
        )
        _cleaned, more = clean_member(values, accept_unknown_id_prefix=accepted)
        for name, text in more.items():
            errors.setdefault(name, text)
    pid = (request.POST.get("personal_id") or "").strip()
    if pid and "personal_id" not in errors:
        try:
            conflict = personal_id_check(
                user=request.user, personal_id=pid, exclude_pk=editing.pk if editing else None
            )
        except DomainError as exc:
            return JsonResponse({"errors": {"personal_id": str(exc.message)}}, status=exc.http_status)
        if conflict:
            errors["personal_id"] = conflict
    if (
        editing is None
        and values.get("relation_to_head") == Member.Relation.HEAD
        and household.members.filter(is_active=True, relation_to_head=Member.Relation.HEAD).exists()
    ):
        errors["relation_to_head"] = str(_("Hộ đã có chủ hộ; mỗi hộ chỉ có đúng một chủ hộ."))
    return JsonResponse({"errors": errors})


def _head_choices(household: Household, *, excluding: set[int]) -> list[tuple[str, str]]:
    return [
        (str(m.pk), f"{m.full_name} ({m.date_of_birth:%d/%m/%Y})")
        for m in household_members(household=household)
        if m.pk not in excluding
    ]


def _pick(household: Household, value: str) -> Member | None:
    if not value:
        return None
    try:
        return _member_of(household, int(value))
    except (ValueError, NotFound):
        return None


class MoveForm(_VnForm):
    to_code = forms.CharField(label=_("Mã hộ chuyển đến"), max_length=32)
    relation_to_head = forms.ChoiceField(
        label=_("Quan hệ với chủ hộ chuyển đến"),
        choices=[c for c in code_lists.choices("relation_to_head") if c[0] != "head"],
        initial="other",
    )
    new_head = forms.ChoiceField(label=_("Chủ hộ mới của hộ hiện tại"), required=False)
    date = _date_field()


@login_required
@domain_errors
def member_move_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    member = _member_of(household, member_pk)
    is_head = member.relation_to_head == Member.Relation.HEAD
    form = MoveForm(request.POST or None)
    _set_choices(form, "new_head", [("", "—"), *_head_choices(household, excluding={member.pk})])
    if request.method == "POST" and form.is_valid():
        target = _other_household(request, form.cleaned_data["to_code"])
        if target is None or target.pk == household.pk:
            form.add_error("to_code", _("Không tìm thấy hộ chuyển đến trong địa bàn của bạn."))
        else:
            try:
                with transaction.atomic():
                    registry.member_move(
                        actor=request.user,
                        member=member,
                        to_household=target,
                        date=form.cleaned_data.get("date"),
                        relation_to_head=form.cleaned_data["relation_to_head"],
                        new_head=_pick(household, form.cleaned_data.get("new_head", "")),
                    )
                    _ledger_if_closed(request, household, form.cleaned_data.get("date"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã chuyển %(full_name)s sang hộ %(code)s.")
                    % {"full_name": member.full_name, "code": target.code},
                )
                return redirect("web:household_detail", pk=household.pk)
    return render(
        request,
        "web/household_action.html",
        {
            "household": household,
            "form": form,
            "title": format_html(str(_("Chuyển {name} sang hộ khác")), name=_data(member.full_name)),
            "note": _("Chủ hộ chuyển đi: chọn chủ hộ mới trong số thành viên ở lại.") if is_head else "",
            "submit": _("Chuyển hộ"),
        },
        status=422 if form.errors else 200,
    )


class LeaveForm(_VnForm):
    new_head = forms.ChoiceField(label=_("Chủ hộ mới"), required=False)
    destination = forms.CharField(label=_("Nơi chuyển đến"), required=False, max_length=200)
    date = _date_field()


def _data(value: str) -> str:
    """A person's name inside a translated heading, marked as data (not translated)."""
    return format_html('<span translate="no">{}</span>', value)


LEAVE_KINDS = {
    "chet": (_("Ghi nhận {name} đã chết"), _("Ghi nhận"), _("Đã ghi nhận {name} đã chết.")),
    "chuyen-di": (_("Ghi nhận {name} chuyển đi nơi khác"), _("Ghi nhận"), _("Đã ghi nhận {name} chuyển đi.")),
}


@login_required
@domain_errors
def member_leave_view(request: HttpRequest, pk: int, member_pk: int, kind: str) -> HttpResponse:
    if kind not in LEAVE_KINDS:
        raise NotFound(_("Không tìm thấy trang."))
    household = _household_for_writer(request, pk)
    member = _member_of(household, member_pk)
    title_text, submit, done_text = LEAVE_KINDS[kind]
    title = format_html(str(title_text), name=_data(member.full_name))
    done = str(done_text).format(name=member.full_name)
    form = LeaveForm(request.POST or None)
    _set_choices(form, "new_head", [("", "—"), *_head_choices(household, excluding={member.pk})])
    if kind == "chet":
        del form.fields["destination"]

    @transaction.atomic
    def save() -> None:
        new_head = _pick(household, form.cleaned_data.get("new_head", ""))
        date = form.cleaned_data.get("date")
        if kind == "chet":
            registry.member_record_death(actor=request.user, member=member, date=date, new_head=new_head)
        else:
            registry.member_record_move_away(
                actor=request.user,
                member=member,
                date=date,
                new_head=new_head,
                destination=form.cleaned_data.get("destination", ""),
            )
        _ledger_if_closed(request, household, date)

    if saved := _saved(request, form, household, save, done):
        return saved
    note = ""
    if member.relation_to_head == Member.Relation.HEAD:
        note = str(_("Đây là chủ hộ: chọn chủ hộ mới trong số thành viên còn lại."))
    return _form_page(
        request,
        "web/household_action.html",
        {"household": household, "form": form, "title": title, "note": note, "submit": submit},
    )


class ChangeHeadForm(_VnForm):
    new_head = forms.ChoiceField(label=_("Chủ hộ mới"))
    old_head_relation = forms.ChoiceField(
        label=_("Quan hệ của chủ hộ cũ với chủ hộ mới"),
        choices=[c for c in code_lists.choices("relation_to_head") if c[0] != "head"],
    )
    date = _date_field()


@login_required
@domain_errors
def household_change_head_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    head = household.members.filter(is_active=True, relation_to_head=Member.Relation.HEAD).first()
    form = ChangeHeadForm(request.POST or None)
    _set_choices(form, "new_head", _head_choices(household, excluding={head.pk} if head else set()))

    def save() -> Member:
        new_head = _pick(household, form.cleaned_data["new_head"])
        if new_head is None:
            raise ValidationError(
                _("Chọn chủ hộ mới."), details={"fields": {"new_head": _("Chọn chủ hộ mới.")}}
            )
        registry.household_change_head(
            actor=request.user,
            household=household,
            new_head=new_head,
            old_head_relation=form.cleaned_data["old_head_relation"],
            date=form.cleaned_data.get("date"),
        )
        return new_head

    if done := _saved(
        request, form, household, save, lambda head: _("%(name)s là chủ hộ mới.") % {"name": head.full_name}
    ):
        return done
    return _form_page(
        request,
        "web/household_action.html",
        {
            "household": household,
            "form": form,
            "title": _("Đổi chủ hộ"),
            "note": _("Quan hệ của các thành viên khác với chủ hộ mới: sửa từng người nếu cần."),
            "submit": _("Đổi chủ hộ"),
        },
    )


# --- split and merge -----------------------------------------------------------------------------


def _relation_choices() -> list[tuple[str, str]]:
    return [c for c in code_lists.choices("relation_to_head") if c[0] != "head"]


@login_required
@domain_errors
def household_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    members = household_members(household=household)
    errors: list[str] = []
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("members") if v.isdigit()}
        leaving = [m for m in members if m.pk in chosen]
        new_head = next((m for m in leaving if str(m.pk) == request.POST.get("new_head")), None)
        remaining_head = _pick(household, request.POST.get("remaining_head", ""))
        relations = {m.pk: request.POST.get(f"relation_{m.pk}", "other") for m in leaving}
        try:
            date = _parse_date(request.POST.get("date", ""))
            if new_head is None:
                raise ValidationError(_("Chọn chủ hộ của hộ mới trong số thành viên tách ra."))
            new = registry.household_split(
                actor=request.user,
                household=household,
                members=leaving,
                new_code=request.POST.get("new_code", ""),
                new_head=new_head,
                remaining_head=remaining_head,
                relations={k: v for k, v in relations.items() if k != new_head.pk},
                date=date,
            )
        except ValidationError as exc:
            errors.append(exc.message)
        else:
            messages.success(
                request,
                _("Đã tách hộ mới %(new_code)s từ hộ %(code)s.")
                % {"new_code": new.code, "code": household.code},
            )
            return redirect("web:household_detail", pk=new.pk)
    return render(
        request,
        "web/household_split.html",
        {
            "household": household,
            "members": members,
            "relations": _relation_choices(),
            "errors": errors,
            "post": request.POST,
            "chosen": set(request.POST.getlist("members")),
        },
        status=422 if errors else 200,
    )


def _parse_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Ngày không hợp lệ (dd/mm/yyyy)."))


@login_required
@domain_errors
def household_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this household (the source) into another one (the target)."""
    household = _household_for_writer(request, pk)
    members = household_members(household=household)
    errors: list[str] = []
    if request.method == "POST":
        target = _other_household(request, request.POST.get("target_code", ""))
        relations = {m.pk: request.POST.get(f"relation_{m.pk}", "other") for m in members}
        try:
            date = _parse_date(request.POST.get("date", ""))
            if target is None or target.pk == household.pk:
                raise ValidationError(_("Không tìm thấy hộ nhập vào trong địa bàn của bạn."))
            with transaction.atomic():
                registry.household_merge(
                    actor=request.user, source=household, target=target, relations=relations, date=date
                )
                _ledger_if_closed(request, household, date)
        except ValidationError as exc:
            errors.append(exc.message)
        else:
            messages.success(
                request,
                _("Đã nhập hộ %(household_code)s vào hộ %(code)s.")
                % {"household_code": household.code, "code": target.code},
            )
            return redirect("web:household_detail", pk=target.pk)
    return render(
        request,
        "web/household_merge.html",
        {
            "household": household,
            "members": members,
            "relations": _relation_choices(),
            "errors": errors,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


# --- support received ----------------------------------------------------------------------------


class SupportForm(_VnForm):
    kind = forms.ChoiceField(label=_("Chính sách hỗ trợ"), choices=choices_lazy("support_kind"))
    year = forms.IntegerField(label=_("Năm"), widget=forms.NumberInput(attrs={"min": "1990"}))
    amount_vnd = forms.IntegerField(
        label=_("Số tiền (đồng, nếu có)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1000"}),
    )
    member = forms.ChoiceField(label=_("Thành viên nhận (nếu hỗ trợ cho một người)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


@login_required
@domain_errors
def support_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_writer(request, pk)
    form = SupportForm(request.POST or None, initial={"year": timezone.localdate().year})
    _set_choices(form, "member", [("", str(_("Cả hộ"))), *_head_choices(household, excluding=set())])

    def save() -> None:
        data = form.cleaned_data
        registry.support_received_add(
            actor=request.user,
            household=household,
            kind=data["kind"],
            year=data["year"],
            amount_vnd=data.get("amount_vnd"),
            note=data.get("note", ""),
            member=_pick(household, data.get("member", "")),
        )

    if done := _saved(request, form, household, save, str(_("Đã ghi nhận hỗ trợ."))):
        return done
    return _form_page(
        request,
        "web/household_action.html",
        {
            "household": household,
            "form": form,
            "title": _("Ghi nhận hỗ trợ đã nhận"),
            "note": "",
            "submit": _("Lưu"),
        },
    )


@login_required
def code_lists_view(request: HttpRequest) -> HttpResponseBase:
    """The code lists with provenance, as JSON (no personal data)."""
    return JsonResponse(code_lists.export(), json_dumps_params={"ensure_ascii": False})


# --- household list, export and page (moved from web/views.py) ---


@login_required
@domain_errors
def household_list_view(request: HttpRequest) -> HttpResponse:
    commune_code = request.GET.get("xa", "")
    village_code = request.GET.get("thon", "")
    query = request.GET.get("q", "")
    qs = household_list(user=request.user, commune_code=commune_code, village_code=village_code, query=query)
    from hongheo.web.oversight.listing import apply_list_filters  # the dashboards' "list behind"

    qs, list_filter = apply_list_filters(request, qs)
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    communes = _user_communes(request.user)
    villages: list[Area] = []
    if commune_code:
        villages = list(
            Area.objects.filter(parent__code=commune_code, level=Area.Level.VILLAGE).order_by("name")
        )
    return render(
        request,
        "web/household_list.html",
        {
            "page": page,
            "query": query,
            "communes": communes,
            "villages": villages,
            "commune_code": commune_code,
            "village_code": village_code,
            "list_filter": list_filter,
        },
    )


@login_required
@require_POST
def household_export_view(request: HttpRequest) -> HttpResponse:
    job = job_enqueue(
        actor=request.user,
        kind="registry.export_households",
        title=gettext_noop("Xuất danh sách hộ ra Excel"),  # stored Vietnamese, shown through |en
        params={
            "user_id": request.user.pk,
            "commune_code": request.POST.get("xa", ""),
            "village_code": request.POST.get("thon", ""),
            "query": request.POST.get("q", ""),
        },
    )
    return redirect("web:job_detail", pk=job.pk)


@login_required
@domain_errors
def household_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household_by_id(request.user, pk)
    members = household_detail_audited(user=request.user, household=household)
    explanation = household_explanation(household, members)
    last_review = (
        RoundEntry.objects.filter(household=household, result__isnull=False)
        .select_related("round", "result", "facts_record")
        .order_by("-surveyed_at", "-id")
        .first()
    )
    return render(
        request,
        "web/household_detail.html",
        {
            "household": household,
            "members": members,
            "x": explanation,
            "indicative": explanation.indicative
            if explanation
            else indicative_only(household, members, on=dt.date.today()),
            "official_status": status_current(household),
            "official_history": list(status_history(household)[:10]),
            "last_review": last_review,
            "can_classify": getattr(request.user, "role", "") in CLASSIFY_ROLES,
            "last_facts": household.fact_records.order_by("-observed_on", "-id").first(),
            "certificates": household.certificates.select_related("decision").order_by("-year"),
            "applications": Application.objects.filter(household=household).order_by("-received_on")[:10],
            "population_links": population_links(request, [household]).get(household.pk, []),
        },
    )
