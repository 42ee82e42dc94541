"""Database side of the poverty standards.

- :class:`PublishedStandard`: a standard document (usually provincial) that an administrator
  drafted and published. Shipped national standards live in ``rules/data`` and are not copied
  here. A published document is never edited; a new version gets a new code.
- :class:`ClassificationRun` and :class:`HouseholdClassification`: the results of classifying
  households (xếp loại hộ) with the standard version, the income or score used, the threshold and
  the per-indicator outcome of each household.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import Job, TimeStampedModel
from hongheo.geography.models import Area
from hongheo.registry.models import Household


class PublishedStandard(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã công bố")
        WITHDRAWN = "withdrawn", _("Đã thu hồi")

    code = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    scope = models.CharField(max_length=10, default="province")
    province = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    based_on = models.CharField(max_length=64, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField()
    document = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "code"]
        verbose_name = _("chuẩn nghèo do tỉnh công bố")
        verbose_name_plural = _("chuẩn nghèo do tỉnh công bố")

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"


class ClassificationRun(models.Model):
    """One classification of the households of an area under one standard (một lần xếp loại)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Xếp loại")
        WHAT_IF = "what_if", _("Mô phỏng (không chính thức)")

    class State(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Thất bại")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    standard_code = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFFICIAL)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    reference_date = models.DateField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    households = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True, help_text="Per commune: counts per class")
    changes = models.JSONField(default=dict, blank=True, help_text="Per commune: 'from→to' counts")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("lần xếp loại")
        verbose_name_plural = _("lần xếp loại")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area} {self.standard_code} {self.started_at:%d/%m/%Y}"


class HouseholdClassification(models.Model):
    """The class of one household in one run, with what decided it."""

    class Class(models.TextChoices):
        POOR = "poor", _("Hộ nghèo")
        NEAR_POOR = "near_poor", _("Hộ cận nghèo")
        AVERAGE = "average", _("Hộ có mức sống trung bình")
        NOT_POOR = "not_poor", _("Hộ không nghèo")

    # Few indexes on purpose: a province run writes and flips hundreds of thousands of rows.
    # (run, household) is covered by the unique constraint, household by (household, is_current).
    run = models.ForeignKey(
        ClassificationRun,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="results",
        db_index=False,
        help_text="The batch run; empty for a single household's result (Phiếu B, classify again)",
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="classifications", db_index=False
    )
    standard_code = models.CharField(max_length=64)
    classification = models.CharField(max_length=10, choices=Class.choices)
    area_setting = models.CharField(max_length=5)
    basis = models.CharField(max_length=10, default="income")
    income_used = models.BigIntegerField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    deprived_count = models.PositiveSmallIntegerField(default=0)
    deprived = models.CharField(
        max_length=400, blank=True, help_text="Deprived indicator codes, ';'-separated"
    )
    reason = models.CharField(max_length=400)
    is_current = models.BooleanField(default=False)
    classified_at = models.DateTimeField(auto_now_add=True)
    # A single household's result keeps everything needed to show it again exactly as computed:
    # the dated facts it read, the reference date and the per-indicator explanation.
    source = models.CharField(
        max_length=10, default="run", db_default="run", help_text="run | survey | single"
    )
    reference_date = models.DateField(null=True, blank=True)
    facts_record = models.ForeignKey(
        "registry.FactRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.JSONField(null=True, blank=True, help_text="Per indicator: deprived and facts")

    class Meta:
        ordering = ["-classified_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="one_result_per_household_per_run"),
        ]
        indexes = [models.Index(fields=["household", "is_current"])]
        verbose_name = _("kết quả xếp loại hộ")
        verbose_name_plural = _("kết quả xếp loại hộ")

    def __str__(self) -> str:
        return f"{self.household_id}: {self.classification}"

    @property
    def deprived_codes(self) -> list[str]:
        return [c for c in self.deprived.split(";") if c]

    @property
    def reference_day(self) -> Any:
        """The date the standard was applied at (the run's, or the result's own)."""
        if self.reference_date is not None:
            return self.reference_date
        return self.run.reference_date if self.run is not None else None
