from django import forms
from django.utils.translation import gettext_lazy as _

from hongheo.geography.models import Area


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput)


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Tên thôn/tổ dân phố"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[
            (k, v) for k, v in Area.Kind.choices if k in {"thon", "to_dan_pho", "ban", "ap", "buon", "other"}
        ],
    )


class CommuneSettingForm(forms.Form):
    setting = forms.ChoiceField(label=_("Khu vực"), choices=Area.Setting.choices)
    source = forms.CharField(label=_("Căn cứ"), max_length=200)


class AuditSearchForm(forms.Form):
    person = forms.CharField(label=_("Số định danh"), required=False, max_length=12)
    household = forms.CharField(label=_("Mã hộ"), required=False, max_length=32)
    user = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
