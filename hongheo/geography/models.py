"""The area tree (đơn vị hành chính): centre → province → commune → village.

Historical units (the 63-province map and its districts, before 1/7/2025) live in the same table
with ``historical=True`` so a household's old address codes can be stored and mapped later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel


class Area(TimeStampedModel):
    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCE = "province", _("Tỉnh/Thành phố")
        DISTRICT = "district", _("Huyện (trước 1/7/2025)")
        COMMUNE = "commune", _("Xã/Phường/Đặc khu")
        VILLAGE = "village", _("Thôn/Tổ dân phố")

    class Kind(models.TextChoices):
        TINH = "tinh", _("Tỉnh")
        THANH_PHO = "thanh_pho", _("Thành phố trực thuộc trung ương")
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")
        DAC_KHU = "dac_khu", _("Đặc khu")
        THON = "thon", _("Thôn")
        TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
        BAN = "ban", _("Bản")
        AP = "ap", _("Ấp")
        BUON = "buon", _("Buôn")
        OTHER = "other", _("Khác")

    class Setting(models.TextChoices):
        """Khu vực: decides which income line applies."""

        RURAL = "rural", _("Nông thôn")
        URBAN = "urban", _("Thành thị/Đô thị")

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Official code (province 2 digits, commune 5 digits) or generated",
    )
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, help_text="Materialised path, e.g. /VN/46/19900/")
    setting = models.CharField(
        max_length=5, choices=Setting.choices, blank=True, help_text="Urban/rural class (communes)"
    )
    setting_source = models.CharField(
        max_length=200, blank=True, help_text="Where the urban/rural class came from"
    )
    historical = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)

    @property
    def province_code(self) -> str:
        parts = [p for p in self.path.split("/") if p]
        return parts[1] if len(parts) > 1 else ""


class LegacyAreaCode(models.Model):
    """An address code of the pre-2025 map (63 provinces, districts, old communes) and, once known,
    the current unit it maps to. Keeps old household addresses storable and mappable."""

    level = models.CharField(max_length=10, choices=Area.Level.choices)
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200, blank=True)
    parent_code = models.CharField(max_length=16, blank=True)
    current_area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="legacy_area_code_unique")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.code} {self.name}"
