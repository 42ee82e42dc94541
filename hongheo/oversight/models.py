"""Oversight data: targets (chỉ tiêu giảm nghèo) as data, area designations the map does not carry
(miền núi), and the two sides of federation (a province's outgoing pushes, the centre's registered
keys and every received version).

Nothing here stores household data: a push and a roll-up hold aggregate counts only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel
from hongheo.geography.models import Area


class AreaDesignation(TimeStampedModel):
    """A designation of a commune the area tree does not carry, e.g. mountainous (miền núi).

    Urban/rural comes from ``Area.setting``; mountain areas are designated by decision of the
    competent authority and entered here with their source."""

    class Kind(models.TextChoices):
        MOUNTAIN = "mountain", _("Miền núi")

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.CharField(max_length=300, blank=True, help_text="The decision designating it")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "kind"], name="designation_unique")]
        verbose_name = _("phân loại địa bàn")
        verbose_name_plural = _("phân loại địa bàn")

    def __str__(self) -> str:
        return f"{self.area_id} {self.kind}"


class Target(TimeStampedModel):
    """One target (chỉ tiêu) set by the level that owns ``area``; inherited by every area below
    unless a lower level sets a target of the same kind (same metric, class, area type, group and
    scope) for the same years."""

    class Metric(models.TextChoices):
        RATE = "rate", _("Tỷ lệ (%)")
        COUNT = "count", _("Số hộ")
        REDUCTION = "reduction", _("Mức giảm tỷ lệ mỗi năm (điểm %)")

    class Op(models.TextChoices):
        AT_MOST = "at_most", "≤"
        BELOW = "below", "<"
        AT_LEAST = "at_least", "≥"
        ABOVE = "above", ">"

    class Klass(models.TextChoices):
        POOR = "poor", _("Hộ nghèo")
        NEAR_POOR = "near_poor", _("Hộ cận nghèo")
        LISTED = "listed", _("Hộ nghèo và cận nghèo")

    class AreaType(models.TextChoices):
        ALL = "", _("Mọi địa bàn")
        URBAN = "urban", _("Thành thị (phường)")
        RURAL = "rural", _("Nông thôn (xã)")
        MOUNTAIN = "mountain", _("Miền núi")

    class Group(models.TextChoices):
        ALL = "", _("Mọi hộ")
        ETHNIC_MINORITY = "ethnic_minority", _("Hộ dân tộc thiểu số")
        MERIT = "merit", _("Hộ có người có công")
        NO_WORKING_CAPACITY = "no_working_capacity", _("Hộ không có khả năng lao động")

    class Scope(models.TextChoices):
        WHOLE = "whole", _("Toàn địa bàn")
        EACH_COMMUNE = "each_commune", _("Từng xã/phường")

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    year_from = models.PositiveSmallIntegerField(help_text="First year the target applies")
    year_to = models.PositiveSmallIntegerField(help_text="Last year (the 'by' year)")
    metric = models.CharField(max_length=10, choices=Metric.choices)
    op = models.CharField(max_length=10, choices=Op.choices)
    value = models.DecimalField(max_digits=9, decimal_places=2)
    value_high = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="Upper end of a range (3.5–4)"
    )
    klass = models.CharField(max_length=10, choices=Klass.choices, default=Klass.POOR)
    area_type = models.CharField(max_length=10, choices=AreaType.choices, blank=True, default="")
    group = models.CharField(max_length=24, choices=Group.choices, blank=True, default="")
    except_group = models.CharField(
        max_length=24, choices=Group.choices, blank=True, default="", help_text="Households not counted"
    )
    scope = models.CharField(max_length=14, choices=Scope.choices, default=Scope.WHOLE)
    min_base_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Only communes whose rate at the start of the year is above this (each-commune scope)",
    )
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=300, blank=True, help_text="The resolution or plan setting it")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["area__path", "year_to", "id"]
        indexes = [models.Index(fields=["area", "is_active"])]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.title

    @property
    def kind_key(self) -> tuple[str, str, str, str, str, str]:
        """What a lower level's target overrides: the same metric of the same households."""
        return (self.metric, self.klass, self.area_type, self.group, self.except_group, self.scope)


class Rollup(models.Model):
    """Pre-computed dashboard figures of an area at a date (aggregates only). Figures of a past
    date are kept; today's are recomputed when older than ``OVERSIGHT_ROLLUP_MAX_AGE_SECONDS``."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    computed_at = models.DateTimeField()
    figures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "on"], name="rollup_unique")]

    def __str__(self) -> str:
        return f"{self.area_id} @ {self.on}"


# --- federation: the centre's side --------------------------------------------------------------


class ProvinceKey(TimeStampedModel):
    """The Ed25519 public key a province signs its pushes with, registered at the centre."""

    province = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    public_key = models.CharField(max_length=64, help_text="Raw Ed25519 public key, base64")
    is_active = models.BooleanField(default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["province__code", "-created_at"]
        verbose_name = _("khoá công khai của tỉnh")
        verbose_name_plural = _("khoá công khai của tỉnh")

    def __str__(self) -> str:
        return f"{self.province_id}: {self.public_key[:12]}…"


class ReceivedPush(models.Model):
    """Every push the centre received, accepted or not (every version is kept)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Đã nhận")
        SUPERSEDED = "superseded", _("Đã nhận, không mới hơn bản đang dùng")
        REJECTED = "rejected", _("Bị từ chối")

    province = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=8, blank=True)
    report_id = models.CharField(max_length=64, blank=True)
    sequence = models.BigIntegerField(null=True, blank=True)
    on = models.DateField(null=True, blank=True, help_text="Date of the figures")
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64)
    payload = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["province", "status", "on"]),
            models.Index(fields=["province_code", "report_id"]),
        ]
        verbose_name = _("báo cáo tỉnh gửi lên")
        verbose_name_plural = _("báo cáo tỉnh gửi lên")

    def __str__(self) -> str:
        return f"{self.province_code} #{self.sequence} {self.status}"


# --- federation: the province's side ------------------------------------------------------------


class OutgoingPush(models.Model):
    """A push this province sent (or tried to send) to the centre, and what the centre answered."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Trung ương đã nhận")
        SUPERSEDED = "superseded", _("Trung ương đã có bản mới hơn")
        DUPLICATE = "duplicate", _("Trung ương đã nhận bản này trước đó")
        REJECTED = "rejected", _("Trung ương từ chối")
        FAILED = "failed", _("Không gửi được")

    province = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    report_id = models.CharField(max_length=64)
    sequence = models.BigIntegerField()
    on = models.DateField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.province_id} #{self.sequence} {self.status}"
