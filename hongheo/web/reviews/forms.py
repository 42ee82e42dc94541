"""Forms of the review pages. They only parse; the services validate the procedure.

The Phiếu B form is generated from the one questionnaire definition: see :mod:`.survey_form`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hongheo.reviews.models import CLASS_CHOICES, Application

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": format_lazy("{}: {}", label, _("bắt buộc nhập.")),
            "invalid": format_lazy("{}: {}", label, _("ngày không hợp lệ.")),
        },
        validators=[_sane_date],
    )


def _sane_date(value: Any) -> None:
    from hongheo.core.inputs import MAX_DATE, MIN_DATE

    if value and not MIN_DATE <= value <= MAX_DATE:
        raise forms.ValidationError(
            _("Ngày phải trong khoảng %(MIN_DATE)s–%(MAX_DATE)s.")
            % {"MIN_DATE": format(MIN_DATE, "%d/%m/%Y"), "MAX_DATE": format(MAX_DATE, "%d/%m/%Y")}
        )


def _vn_number(value: float) -> str:
    """1500000 → '1.500.000'; 0.5 → '0,5'"""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại rà soát"),
        choices=[
            ("yearly", _("Rà soát định kỳ hằng năm")),
            ("monthly", _("Rà soát thường xuyên hằng tháng")),
        ],
    )
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=2021,
        max_value=2100,
        error_messages={"min_value": _("Năm: từ 2021 đến 2100."), "max_value": _("Năm: từ 2021 đến 2100.")},
    )
    month = forms.IntegerField(
        label=_("Tháng"),
        required=False,
        min_value=1,
        max_value=12,
        error_messages={"min_value": _("Tháng: từ 1 đến 12."), "max_value": _("Tháng: từ 1 đến 12.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "monthly" and not data.get("month"):
            self.add_error("month", _("Rà soát thường xuyên cần tháng (1–12)."))
        return data


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại giấy đề nghị"), choices=Application.Kind.choices)
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=Application.Channel.choices)
    applicant_name = forms.CharField(
        label=_("Họ tên người đề nghị"),
        max_length=150,
        error_messages={"required": _("Thiếu họ tên người đề nghị.")},
    )
    household_code = forms.CharField(label=_("Mã hộ"), max_length=32, required=False)
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": _("Số định danh cá nhân phải gồm đúng 12 chữ số.")},
    )
    received_on = _date_field(_("Ngày nhận"))
    reason = forms.CharField(
        label=_("Lý do đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # a family not yet in the registry (no household code): a provisional household is created
    date_of_birth = _date_field(_("Ngày sinh người đề nghị (hộ chưa có mã)"), required=False)
    sex = forms.ChoiceField(
        label=_("Giới tính người đề nghị (hộ chưa có mã)"),
        required=False,
        choices=[("", "—"), ("male", _("Nam")), ("female", _("Nữ"))],
    )
    village = forms.ChoiceField(
        label=_("Thôn, tổ dân phố (hộ chưa có mã)"), required=False, choices=[("", "—")]
    )
    address = forms.CharField(label=_("Địa chỉ nơi ở (hộ chưa có mã)"), max_length=300, required=False)

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        assert isinstance(village, forms.ChoiceField)
        village.choices = [("", "—"), *((v.code, v.name) for v in villages)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "review" and not (data.get("household_code") or "").strip():
            for name, message in (
                ("date_of_birth", _("Hộ chưa có mã: nhập ngày sinh người đề nghị (chủ hộ).")),
                ("sex", _("Hộ chưa có mã: chọn giới tính người đề nghị.")),
                ("address", _("Hộ chưa có mã: nhập địa chỉ nơi ở.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class ScreeningForm(forms.Form):
    excluded = forms.TypedChoiceField(
        label=_("Kết quả Phiếu A"),
        choices=[
            ("0", _("Không thuộc diện loại: tiếp tục Phiếu B")),
            ("1", _("Loại ngay (ghi tiêu chí loại)")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn kết quả Phiếu A.")},
    )
    reasons = forms.CharField(
        label=_("Tiêu chí loại (mỗi dòng một tiêu chí)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_list(self) -> list[str]:
        return [r.strip() for r in self.cleaned_data.get("reasons", "").splitlines() if r.strip()]


# --- meeting, posting, complaints, decision --------------------------------------------------------


class MeetingForm(forms.Form):
    held_on = _date_field(_("Ngày họp"))
    attendees = forms.IntegerField(
        label=_("Số người dự họp"),
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": _("Số người dự họp: bắt buộc nhập."),
            "min_value": _("Số người dự họp phải lớn hơn 0."),
            "invalid": _("Số người dự họp: phải là số nguyên."),
        },
    )
    chair_name = forms.CharField(
        label=_("Chủ trì"), max_length=150, error_messages={"required": _("Biên bản họp phải có chủ trì.")}
    )
    secretary_name = forms.CharField(
        label=_("Thư ký"), max_length=150, error_messages={"required": _("Biên bản họp phải có thư ký.")}
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
                errors.append(_("Số người đồng ý phải là số nguyên (“%(raw)s”).") % {"raw": raw})
        return votes, errors


class PostingForm(forms.Form):
    posted_from = _date_field(_("Niêm yết từ ngày"))
    places = forms.CharField(
        label=_("Nơi niêm yết"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ghi rõ nơi niêm yết (nhà văn hóa thôn, trụ sở UBND xã…).")},
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
            raise forms.ValidationError(_("Tệp minh chứng không được lớn hơn 10 MB."))
        if getattr(proof, "content_type", "") not in self.PROOF_TYPES:
            raise forms.ValidationError(_("Tệp minh chứng phải là ảnh JPEG/PNG hoặc PDF."))
        return proof


class ComplaintForm(forms.Form):
    entry = forms.TypedChoiceField(label=_("Hộ bị khiếu nại"), coerce=int, required=False, empty_value=None)
    complainant = forms.CharField(
        label=_("Người khiếu nại"),
        max_length=150,
        error_messages={"required": _("Khiếu nại phải có người khiếu nại và nội dung.")},
    )
    content = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Khiếu nại phải có người khiếu nại và nội dung.")},
    )
    received_on = _date_field(_("Ngày nhận"))

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("— không gắn với hộ cụ thể —"))] + [  # type: ignore[attr-defined]
            (e.pk, f"{e.household.code} · {e.household.head_name}") for e in entries
        ]


class ResolveForm(forms.Form):
    recheck_note = forms.CharField(
        label=_("Kết quả phúc tra"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ghi kết quả phúc tra.")},
    )
    new_class = forms.ChoiceField(
        label=_("Loại hộ sau phúc tra"),
        required=False,
        choices=[("", _("Giữ nguyên kết quả")), *CLASS_CHOICES],
    )
    on = _date_field(_("Ngày phúc tra"))


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=_("Số quyết định"),
        max_length=40,
        error_messages={"required": _("Thiếu số quyết định.")},
        widget=forms.TextInput(attrs={"placeholder": "12/QĐ-UBND"}),
    )
    signed_on = _date_field(_("Ngày ký"))
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận ký quyết định công nhận cho các hộ trong danh sách trên"),
        error_messages={"required": _("Hãy đánh dấu xác nhận: ký quyết định không thể hoàn tác.")},
    )

    def clean_signed_on(self) -> dt.date:
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Ngày ký không được sau hôm nay."))
        return day


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Văn bản từ chối phải nêu lý do.")},
    )
    on = _date_field(_("Ngày trả lời"))
