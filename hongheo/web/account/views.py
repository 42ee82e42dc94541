"""The user's own profile: full name and position, printed under their signature on documents."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongheo.core.errors import DomainError
from hongheo.users.models import User
from hongheo.users.services import user_profile_update


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150)
    position = forms.CharField(
        label=gettext_lazy("Chức vụ"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("In dưới chữ ký trên văn bản, ví dụ: Chủ tịch Ủy ban nhân dân xã."),
    )


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    form = ProfileForm(
        request.POST or None,
        initial={"full_name": getattr(user, "full_name", ""), "position": getattr(user, "position", "")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user_profile_update(
                    actor=user,
                    user=user,
                    full_name=form.cleaned_data["full_name"],
                    position=form.cleaned_data["position"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã lưu hồ sơ."))
                return redirect("web:profile")
        status = 400
    return render(request, "web/account/profile.html", {"form": form}, status=status)
