"""An import (lần nhập danh sách) and the saved column mappings (mẫu ghép cột)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel

from .fields import LAYOUTS


class ImportMapping(TimeStampedModel):
    """A named column mapping (and value maps) of a foreign layout, saved for reuse."""

    name = models.CharField(_("tên mẫu ghép cột"), max_length=120)
    layout = models.CharField(max_length=10, choices=list(LAYOUTS.items()))
    columns = models.JSONField(default=dict, help_text="file heading → field key")
    values = models.JSONField(default=dict, blank=True, help_text="field key → {folded value: code}")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "capture"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "name"], name="import_mapping_unique_name")
        ]
        verbose_name = _("mẫu ghép cột")
        verbose_name_plural = _("mẫu ghép cột")

    def __str__(self) -> str:
        return self.name

    def as_mapping(self) -> dict:
        return {"layout": self.layout, "columns": dict(self.columns), "values": dict(self.values or {})}


class ImportBatch(TimeStampedModel):
    """One uploaded file and what became of it. A file is imported at most once per mapping:
    the same bytes (sha256) with the same mapping are recognised and change nothing."""

    class State(models.TextChoices):
        MAPPING = "mapping", _("Chờ ghép cột")
        QUEUED = "queued", _("Đang chờ chạy")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        DUPLICATE = "duplicate", _("Tệp đã nhập trước đây")
        FAILED = "failed", _("Thất bại (không ghi gì)")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    columns = models.JSONField(default=list, blank=True, help_text="The file's headings")
    mapping = models.JSONField(default=dict, blank=True)
    mapping_hash = models.CharField(max_length=64, blank=True)
    saved_mapping = models.ForeignKey(
        ImportMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.MAPPING, db_index=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)
    rejected_file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    # the uploader's area and import options (a digest): "the same file again" is per area (issue 8)
    scope_key = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        app_label = "capture"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_sha256", "mapping_hash", "scope_key"],
                condition=models.Q(state="done"),
                name="import_once_per_file_mapping_area",
            )
        ]
        verbose_name = _("lần nhập danh sách")
        verbose_name_plural = _("lần nhập danh sách")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"
