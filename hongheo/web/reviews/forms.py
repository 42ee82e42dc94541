"""Forms of the review pages. They only parse; the services validate the procedure.

The Phiếu B form is built from one field list (:data:`SURVEY_FIELDS`): the server-side checks and
the messages the browser shows as the user types (``static/web/reviews.js`` reads them from
``data-*`` attributes) come from the same place, so the two always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongheo.registry import codes
from hongheo.reviews.models import CLASS_CHOICES, Application
from hongheo.web.i18n_data import display_lazy

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"{label}: bắt buộc nhập.", "invalid": f"{label}: ngày không hợp lệ."},
    )


def _vn_number(value: float) -> str:
    """1500000 → '1.500.000'; 0.5 → '0,5'"""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại rà soát"),
        choices=[("yearly", "Rà soát định kỳ hằng năm"), ("monthly", "Rà soát thường xuyên hằng tháng")],
    )
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=2021,
        max_value=2100,
        error_messages={"min_value": "Năm: từ 2021 đến 2100.", "max_value": "Năm: từ 2021 đến 2100."},
    )
    month = forms.IntegerField(
        label=_("Tháng"),
        required=False,
        min_value=1,
        max_value=12,
        error_messages={"min_value": "Tháng: từ 1 đến 12.", "max_value": "Tháng: từ 1 đến 12."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "monthly" and not data.get("month"):
            self.add_error("month", "Rà soát thường xuyên cần tháng (1–12).")
        return data


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại giấy đề nghị"), choices=Application.Kind.choices)
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=Application.Channel.choices)
    applicant_name = forms.CharField(
        label=_("Họ tên người đề nghị"),
        max_length=150,
        error_messages={"required": "Thiếu họ tên người đề nghị."},
    )
    household_code = forms.CharField(label=_("Mã hộ"), max_length=32, required=False)
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": "Số định danh cá nhân phải gồm đúng 12 chữ số."},
    )
    received_on = _date_field(_("Ngày nhận"))
    reason = forms.CharField(
        label=_("Lý do đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScreeningForm(forms.Form):
    excluded = forms.TypedChoiceField(
        label=_("Kết quả Phiếu A"),
        choices=[
            ("0", _("Không thuộc diện loại: tiếp tục Phiếu B")),
            ("1", _("Loại ngay (ghi tiêu chí loại)")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "Chọn kết quả Phiếu A."},
    )
    reasons = forms.CharField(
        label=_("Tiêu chí loại (mỗi dòng một tiêu chí)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_list(self) -> list[str]:
        return [r.strip() for r in self.cleaned_data.get("reasons", "").splitlines() if r.strip()]


# --- Phiếu B -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyField:
    name: str
    label: str
    kind: str  # "int", "float", "choice", "bool"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""

    def messages(self) -> dict[str, str]:
        out = {"required": f"{self.label}: bắt buộc nhập."}
        if self.kind == "int":
            out["number"] = f"{self.label}: phải là số nguyên."
        elif self.kind == "float":
            out["number"] = f"{self.label}: phải là số."
        if self.minimum is not None and self.maximum is not None:
            out["range"] = (
                f"{self.label}: phải từ {_vn_number(self.minimum)} đến {_vn_number(self.maximum)}"
                f"{' ' + self.unit if self.unit else ''}."
            )
        if self.kind in ("choice", "bool"):
            out["required"] = f"{self.label}: chọn một giá trị."
        return out


def _choices(mapping: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(mapping.items())


SURVEY_FIELDS: tuple[SurveyField, ...] = (
    SurveyField(
        "income_per_capita",
        "Thu nhập bình quân đầu người/tháng",
        "int",
        0,
        100_000_000,
        unit="đồng",
    ),
    SurveyField("housing_quality", "Loại nhà ở", "choice", choices=_choices(codes.HOUSING_QUALITY)),
    SurveyField("floor_area_m2", "Diện tích nhà ở", "float", 0.5, 10_000, unit="m²"),
    SurveyField("water_source", "Nguồn nước sinh hoạt", "choice", choices=_choices(codes.WATER_SOURCE)),
    SurveyField("toilet", "Nhà tiêu", "choice", choices=_choices(codes.TOILET)),
    SurveyField("waste_handling", "Xử lý rác thải", "choice", choices=_choices(codes.WASTE_HANDLING)),
    SurveyField("internet", "Có sử dụng Internet", "bool", choices=(("1", "Có"), ("0", "Không"))),
    SurveyField("information_devices", "Số thiết bị tiếp cận thông tin", "int", 0, 50, unit="thiết bị"),
)


class SurveyForm(forms.Form):
    """Phiếu B household facts; every field is required on the form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in SURVEY_FIELDS:
            msgs = spec.messages()
            attrs: dict[str, Any] = {"data-msg-required": msgs["required"], "data-label": spec.label}
            field: forms.Field
            if spec.kind in ("int", "float"):
                attrs.update(
                    {
                        "data-kind": spec.kind,
                        "data-min": spec.minimum,
                        "data-max": spec.maximum,
                        "data-msg-number": msgs["number"],
                        "data-msg-range": msgs["range"],
                        "inputmode": "numeric" if spec.kind == "int" else "decimal",
                    }
                )
                common: dict[str, Any] = {
                    "label": display_lazy(spec.label),
                    "error_messages": {
                        "required": msgs["required"],
                        "invalid": msgs["number"],
                        "min_value": msgs["range"],
                        "max_value": msgs["range"],
                    },
                    "min_value": spec.minimum,
                    "max_value": spec.maximum,
                }
                if spec.kind == "int":
                    field = forms.IntegerField(widget=forms.NumberInput(attrs=attrs), **common)
                else:
                    attrs["step"] = "any"
                    field = forms.FloatField(widget=forms.NumberInput(attrs=attrs), **common)
            else:
                attrs["data-kind"] = "choice"
                field = forms.ChoiceField(
                    label=display_lazy(spec.label),
                    choices=[("", "— chọn —"), *spec.choices],
                    widget=forms.Select(attrs=attrs),
                    error_messages={"required": msgs["required"], "invalid_choice": msgs["required"]},
                )
            self.fields[spec.name] = field

    @staticmethod
    def initial_for(household: Any, recorded: dict[str, Any] | None = None) -> dict[str, Any]:
        """The form's values: what this round's Phiếu B recorded, else the household's facts of record."""
        initial: dict[str, Any] = {}
        for spec in SURVEY_FIELDS:
            if recorded is not None and spec.name in recorded:
                value = recorded[spec.name]
            else:
                value = getattr(household, spec.name, None)
            if spec.kind == "bool":
                initial[spec.name] = "" if value is None else ("1" if value else "0")
            elif value not in (None, ""):
                initial[spec.name] = value
        return initial

    def facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in SURVEY_FIELDS:
            value = self.cleaned_data[spec.name]
            out[spec.name] = (value == "1") if spec.kind == "bool" else value
        return out


# --- meeting, posting, complaints, decision --------------------------------------------------------


class MeetingForm(forms.Form):
    held_on = _date_field(_("Ngày họp"))
    attendees = forms.IntegerField(
        label=_("Số người dự họp"),
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": "Số người dự họp: bắt buộc nhập.",
            "min_value": "Số người dự họp phải lớn hơn 0.",
            "invalid": "Số người dự họp: phải là số nguyên.",
        },
    )
    chair_name = forms.CharField(
        label=_("Chủ trì"), max_length=150, error_messages={"required": "Biên bản họp phải có chủ trì."}
    )
    secretary_name = forms.CharField(
        label=_("Thư ký"), max_length=150, error_messages={"required": "Biên bản họp phải có thư ký."}
    )
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    remeeting_reason = forms.CharField(
        label=_("Lý do họp lại (khi thôn đã họp trong đợt này)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def votes(self, data: Any, entry_ids: list[int]) -> tuple[dict[int, int], list[str]]:
        """Agree counts per household from fields ``agree_<entry id>`` (blank = not put to vote)."""
        votes: dict[int, int] = {}
        errors: list[str] = []
        for pk in entry_ids:
            raw = (data.get(f"agree_{pk}") or "").strip()
            if raw == "":
                continue
            try:
                votes[pk] = int(raw)
            except ValueError:
                errors.append(f"Số người đồng ý phải là số nguyên (“{raw}”).")
        return votes, errors


class PostingForm(forms.Form):
    posted_from = _date_field(_("Niêm yết từ ngày"))
    places = forms.CharField(
        label=_("Nơi niêm yết"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Ghi rõ nơi niêm yết (nhà văn hóa thôn, trụ sở UBND xã…)."},
    )
    proof_note = forms.CharField(label=_("Ghi chú minh chứng"), max_length=300, required=False)
    proof = forms.FileField(label=_("Ảnh/biên bản niêm yết (minh chứng)"), required=False)

    MAX_PROOF_BYTES = 10 * 1024 * 1024
    PROOF_TYPES = ("image/jpeg", "image/png", "application/pdf")

    def clean_proof(self) -> Any:
        proof = self.cleaned_data.get("proof")
        if proof is None:
            return None
        if proof.size > self.MAX_PROOF_BYTES:
            raise forms.ValidationError("Tệp minh chứng không được lớn hơn 10 MB.")
        if getattr(proof, "content_type", "") not in self.PROOF_TYPES:
            raise forms.ValidationError("Tệp minh chứng phải là ảnh JPEG/PNG hoặc PDF.")
        return proof


class ComplaintForm(forms.Form):
    entry = forms.TypedChoiceField(label=_("Hộ bị khiếu nại"), coerce=int, required=False, empty_value=None)
    complainant = forms.CharField(
        label=_("Người khiếu nại"),
        max_length=150,
        error_messages={"required": "Khiếu nại phải có người khiếu nại và nội dung."},
    )
    content = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Khiếu nại phải có người khiếu nại và nội dung."},
    )
    received_on = _date_field(_("Ngày nhận"))

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "— không gắn với hộ cụ thể —")] + [  # type: ignore[attr-defined]
            (e.pk, f"{e.household.code} · {e.household.head_name}") for e in entries
        ]


class ResolveForm(forms.Form):
    recheck_note = forms.CharField(
        label=_("Kết quả phúc tra"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Ghi kết quả phúc tra."},
    )
    new_class = forms.ChoiceField(
        label=_("Loại hộ sau phúc tra"),
        required=False,
        choices=[("", "Giữ nguyên kết quả"), *[(k, str(v)) for k, v in CLASS_CHOICES]],
    )
    on = _date_field(_("Ngày phúc tra"))


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=_("Số quyết định"),
        max_length=40,
        error_messages={"required": "Thiếu số quyết định."},
        widget=forms.TextInput(attrs={"placeholder": "12/QĐ-UBND"}),
    )
    signed_on = _date_field(_("Ngày ký"))
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận ký quyết định công nhận cho các hộ trong danh sách trên"),
        error_messages={"required": "Hãy đánh dấu xác nhận: ký quyết định không thể hoàn tác."},
    )

    def clean_signed_on(self) -> dt.date:
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Ngày ký không được sau hôm nay.")
        return day


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Văn bản từ chối phải nêu lý do."},
    )
    on = _date_field(_("Ngày trả lời"))
