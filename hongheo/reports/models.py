"""The one thing reports keep: a record that a report was exported "as submitted" (đã nộp), so the
reporting calendar can tell produced, late and missing reports apart. The numbers themselves are
never stored: they are recomputed from the ledger for any date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.geography.models import Area


class ReportSubmission(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    calendar_code = models.CharField(max_length=20, help_text="monthly / preliminary / official")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Due month (monthly reports)")
    period_start = models.DateField()
    period_end = models.DateField()
    reports = models.JSONField(default=list, help_text="Catalog codes of the tables in the file")
    catalog_version = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64, help_text="Of the exported workbook")
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["area", "year", "calendar_code"])]
        verbose_name = _("báo cáo đã nộp")
        verbose_name_plural = _("báo cáo đã nộp")

    def __str__(self) -> str:
        month = f" tháng {self.month}" if self.month else ""
        return f"{self.calendar_code}{month}/{self.year} — {self.area_id}"
