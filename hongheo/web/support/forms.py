"""Forms of the support surface. Choices come from the code lists (data), in the page's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hongheo.support import lists

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _choices(list_name: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    items = lists.choices(list_name, get_language() or "vi")
    return [("", blank), *items] if blank is not None else items


class _VnForm(forms.Form):
    """Vietnamese messages for Django's own field checks, whatever the active language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = _("Trường này không được để trống.")
            if isinstance(f, forms.IntegerField):
                f.error_messages["invalid"] = _("Phải là số nguyên.")
            elif isinstance(f, forms.DateField):
                f.error_messages["invalid"] = _("Ngày không hợp lệ (dd/mm/yyyy).")
            elif isinstance(f, forms.ChoiceField):
                f.error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")


class OrganisationForm(_VnForm):
    name = forms.CharField(label=_("Tên tổ chức"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại tổ chức"))
    contact = forms.CharField(label=_("Liên hệ (người, số điện thoại)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices("organisation_kind")  # type: ignore[attr-defined]


class AssignForm(_VnForm):
    village = forms.ChoiceField(label=_("Thôn/Tổ dân phố"), required=False)
    need = forms.ChoiceField(label=_("Có nhu cầu"), required=False)
    cause = forms.ChoiceField(label=_("Có nguyên nhân nghèo"), required=False)
    classes = forms.MultipleChoiceField(
        label=_("Loại hộ"),
        choices=[("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo"))],
        widget=forms.CheckboxSelectMultiple,
        initial=["poor", "near_poor"],
    )
    helper_name = forms.CharField(
        label=_("Hội viên giúp đỡ (không bắt buộc)"), max_length=150, required=False
    )

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("Tất cả các thôn")), *villages]  # type: ignore[attr-defined]
        self.fields["need"].choices = _choices("support_need", blank=str(_("Mọi nhu cầu")))  # type: ignore[attr-defined]
        self.fields["cause"].choices = _choices("poverty_cause", blank=str(_("Mọi nguyên nhân")))  # type: ignore[attr-defined]


class PlanItemForm(_VnForm):
    need = forms.ChoiceField(label=_("Nhu cầu"), required=False)
    kind = forms.ChoiceField(label=_("Loại hỗ trợ"))
    programme = forms.ChoiceField(label=_("Chương trình, nguồn"), required=False)
    organisation = forms.ChoiceField(label=_("Tổ chức thực hiện"), required=False)
    responsible = forms.CharField(label=_("Người phụ trách"), max_length=150)
    due_on = forms.DateField(
        label=_("Hạn thực hiện"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = _choices("support_need", blank="—")  # type: ignore[attr-defined]
        self.fields["kind"].choices = _choices("support_kind")  # type: ignore[attr-defined]
        self.fields["programme"].choices = _choices("support_programme", blank="—")  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [("", "—"), *organisations]  # type: ignore[attr-defined]


class FollowUpForm(_VnForm):
    status = forms.ChoiceField(
        label=_("Kết quả"), choices=[("given", _("Đã hỗ trợ")), ("not_given", _("Không hỗ trợ được"))]
    )
    note = forms.CharField(label=_("Ghi chú, lý do"), max_length=300, required=False)
    amount_vnd = forms.IntegerField(label=_("Số tiền (đồng)"), required=False, min_value=0)
    on = forms.DateField(
        label=_("Ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SendBackForm(_VnForm):
    step = forms.ChoiceField(
        label=_("Bước phải làm lại"),
        choices=[("survey", _("Rà soát lại Phiếu B")), ("meeting", _("Họp dân lại"))],
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    households = forms.CharField(
        label=_("Mã hộ phải làm lại (cách nhau bởi dấu phẩy; để trống = cả xã)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    checks = forms.CharField(required=False, widget=forms.HiddenInput)
