"""The core registry: households (hộ gia đình) and members (nhân khẩu), keyed by the 12-digit
personal ID (số định danh cá nhân). Later issues extend it (groups, causes, needs, support, history).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel
from hongheo.geography.models import Area

# Fields that are sensitive personal data (Decree 13/2023, Law 91/2025): shown only to users whose
# area covers the household, and every read is logged.
SENSITIVE_MEMBER_FIELDS = (
    "ethnicity",
    "disability",
    "disability_allowance",
    "undernourished",
    "health_insurance",
)
SENSITIVE_HOUSEHOLD_FIELDS = ("income_per_capita", "ethnic_minority")


class Household(TimeStampedModel):
    code = models.CharField(_("mã hộ"), max_length=32, unique=True, help_text="Stable across years")
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="households")
    village = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True, help_text="Path of village or commune (gate)")
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    legacy_address_code = models.CharField(
        max_length=40, blank=True, help_text="Old (pre-1/7/2025) province-district-commune code, if known"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    head_name = models.CharField(max_length=150, blank=True)
    head_sort_key = models.CharField(max_length=400, blank=True, db_index=True)
    size = models.PositiveSmallIntegerField(default=0)
    # groups
    ethnic_minority = models.BooleanField(default=False)
    female_head = models.BooleanField(default=False)
    merit = models.BooleanField(default=False, help_text="người có công")
    social_protection = models.BooleanField(default=False, help_text="bảo trợ xã hội")
    # living conditions
    housing_quality = models.CharField(max_length=20, blank=True)
    floor_area_m2 = models.FloatField(null=True, blank=True)
    water_source = models.CharField(max_length=20, blank=True)
    toilet = models.CharField(max_length=20, blank=True)
    waste_handling = models.CharField(max_length=20, blank=True)
    internet = models.BooleanField(null=True, blank=True)
    information_devices = models.PositiveSmallIntegerField(null=True, blank=True)
    income_per_capita = models.BigIntegerField(null=True, blank=True, help_text="VND/person/month")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        indexes = [models.Index(fields=["commune", "head_sort_key"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.head_name}"


class Member(TimeStampedModel):
    class Sex(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Relation(models.TextChoices):
        HEAD = "head", _("Chủ hộ")
        SPOUSE = "spouse", _("Vợ/chồng")
        CHILD = "child", _("Con")
        PARENT = "parent", _("Bố/mẹ")
        GRANDCHILD = "grandchild", _("Cháu")
        SIBLING = "sibling", _("Anh/chị/em")
        OTHER = "other", _("Khác")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, unique=True, null=True, blank=True
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, db_index=True, help_text="Accent-folded name for search")
    sort_key = models.CharField(max_length=400, db_index=True)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    relation_to_head = models.CharField(_("quan hệ với chủ hộ"), max_length=12, choices=Relation.choices)
    # sensitive
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    disability_allowance = models.BooleanField(default=False)
    undernourished = models.BooleanField(default=False)
    health_insurance = models.BooleanField(_("có thẻ BHYT"), null=True, blank=True)
    # schooling and work
    in_school = models.BooleanField(null=True, blank=True)
    education_level = models.CharField(max_length=20, blank=True)
    has_qualification = models.BooleanField(null=True, blank=True)
    employment = models.CharField(max_length=24, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("nhân khẩu")
        verbose_name_plural = _("nhân khẩu")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation_to_head="head", is_active=True),
                name="one_active_head_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.full_name
