"""Staff users, their role and the areas they are assigned to (địa bàn phụ trách)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.geography.models import Area


class Role(models.TextChoices):
    CENTRAL_ANALYST = "central_analyst", _("Chuyên viên trung ương")
    PROVINCE_OFFICER = "province_officer", _("Cán bộ cấp tỉnh")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    COMMUNE_CHAIRMAN = "commune_chairman", _("Chủ tịch UBND cấp xã")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn/Tổ trưởng tổ dân phố")
    SURVEYOR = "surveyor", _("Rà soát viên")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SURVEYOR)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Printed under the signature of official documents (e.g. "Chủ tịch Ủy ban nhân dân xã …").
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    areas = models.ManyToManyField(Area, through="AreaAssignment", related_name="+", blank=True)  # type: ignore[var-annotated]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class AreaAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "area"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.area}"


class LoginFailure(models.Model):
    """A failed login, kept for throttling (by username and by address)."""

    key = models.CharField(max_length=200, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M}"


class PersonalDataGrant(models.Model):
    """An explicit, named, time-limited permission for a central analyst to read personal data
    (issue 8). Without an active grant the role sees aggregates only. Granted and revoked through
    :mod:`hongheo.users.services`, both audited."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="personal_data_grants")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("lý do (văn bản, nhiệm vụ)"), max_length=500)
    granted_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(_("hiệu lực đến"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quyền xem dữ liệu cá nhân")
        verbose_name_plural = _("quyền xem dữ liệu cá nhân")

    def __str__(self) -> str:
        return f"{self.user} → {self.valid_until:%d/%m/%Y}"
