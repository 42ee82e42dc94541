"""Forms for the Phiếu A / Phiếu B pages."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongheo.standards.rules.catalog import list_standards
from hongheo.standards.rules.scoring import FORM_REGIONS, REGION_NAMES_VI, ScoreTable, ScreeningList

ITEM_PREFIX = "cau_"


def _standard_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {s.title}") for s in list_standards()]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu nhập"))
    standard_code = forms.ChoiceField(label=_("Chuẩn nghèo"), choices=())
    title = forms.CharField(label=_("Tên"), max_length=200)
    code = forms.CharField(
        label=_("Mã (để trống: <chuẩn>-phieu-b / -phieu-a)"), max_length=64, required=False
    )
    official = forms.BooleanField(
        label=_(
            "Tôi xác nhận đây là phụ lục chính thức của văn bản pháp luật (không phải số liệu tự lập, "
            "mẫu thử hay bản sao chưa đối chiếu)"
        ),
        required=False,
    )
    document_reference = forms.CharField(
        label=_("Số hiệu văn bản, phụ lục (bắt buộc nếu chính thức)"), max_length=300, required=False
    )
    source_note = forms.CharField(
        label=_("Ghi chú nguồn"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, reimport: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard_code"].choices = _standard_choices()  # type: ignore[attr-defined]
        if not self.is_bound and "standard_code" not in self.initial:
            # the standard in force today, not the first in the list (2016–2020)
            from hongheo.standards.rules.catalog import StandardError
            from hongheo.standards.survey.selectors import standard_in_force

            with contextlib.suppress(StandardError):  # no standard covers today: the user chooses
                self.initial["standard_code"] = standard_in_force().code
        if reimport:
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("official") and not (data.get("document_reference") or "").strip():
            self.add_error("document_reference", _("Ghi số hiệu văn bản khi đánh dấu chính thức."))
        return data


class ScorePreviewForm(forms.Form):
    """Answers of a test household: a region, optionally a built-in answer set, one choice per item."""

    vung = forms.ChoiceField(
        label=_("Phiếu của vùng"), choices=[(r, REGION_NAMES_VI[r]) for r in FORM_REGIONS]
    )
    bo = forms.ChoiceField(
        label=_("Hộ thử có sẵn (ghi đè các câu trả lời bên dưới)"),
        required=False,
        choices=[
            ("", _("— tự nhập câu trả lời —")),
            ("thap_nhat", _("Điểm thấp nhất ở mọi chỉ tiêu")),
            ("cao_nhat", _("Điểm cao nhất ở mọi chỉ tiêu")),
            ("dau_tien", _("Phương án đầu tiên ở mọi chỉ tiêu")),
        ],
    )
    so_thieu_hut = forms.IntegerField(
        label=_("Số chỉ số thiếu hụt (điểm B = số chỉ số × điểm mỗi chỉ số)"),
        min_value=0,
        max_value=30,
        initial=0,
    )

    def __init__(self, table: ScoreTable, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        for item in table.items:
            self.fields[ITEM_PREFIX + item.code] = forms.ChoiceField(
                label=f"{item.code} — {item.label}",
                required=False,
                choices=[("", _("— chưa trả lời —"))]
                + [(a.code, f"{a.code}. {a.label}") for a in item.answers],
            )

    def answers(self) -> dict[str, str]:
        return {
            name[len(ITEM_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(ITEM_PREFIX) and value
        }


class ScreeningPreviewForm(forms.Form):
    def __init__(self, screening: ScreeningList, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for crit in screening.criteria:
            self.fields[ITEM_PREFIX + crit.code] = forms.ChoiceField(
                label=f"{crit.code} — {crit.label}",
                required=False,
                choices=[("", _("— chưa trả lời —"))]
                + [(a.code, f"{a.code}. {a.label}") for a in crit.answers],
            )

    def answers(self) -> dict[str, str]:
        return {
            name[len(ITEM_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(ITEM_PREFIX) and value
        }
