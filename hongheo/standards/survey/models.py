"""Phiếu B score tables and Phiếu A screening lists as versioned data (app label ``survey_forms``).

Each row is one *version* of a form's data for one standard (``standard_code``, e.g.
``vn-2022-2025``). A draft can be re-imported; once published a version is never changed again
(:meth:`_VersionedForm.save` refuses it) and a later published version of the same ``code``
supersedes it. The content is the pure structure of :mod:`hongheo.standards.rules.scoring` as JSON.

Provenance: ``official`` only when an administrator declared the source to be the official appendix
of the circular and gave the document reference; everything else is ``unofficial`` and is labelled
"không chính thức / mẫu thử" on every page that shows it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.errors import Conflict
from hongheo.standards.rules.scoring import ScoreTable as ScoreTableData
from hongheo.standards.rules.scoring import ScreeningList as ScreeningListData


class Provenance(models.TextChoices):
    OFFICIAL = "official", _("Chính thức")
    UNOFFICIAL = "unofficial", _("Không chính thức / mẫu thử")


class Status(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã công bố")


class _VersionedForm(models.Model):
    code = models.CharField(_("mã"), max_length=64)
    version = models.PositiveIntegerField(_("phiên bản"))
    standard_code = models.CharField(_("chuẩn nghèo"), max_length=64, db_index=True)
    title = models.CharField(_("tên"), max_length=200)
    provenance = models.CharField(
        _("nguồn gốc"), max_length=12, choices=Provenance.choices, default=Provenance.UNOFFICIAL
    )
    document_reference = models.CharField(_("văn bản nguồn"), max_length=300, blank=True)
    source_note = models.TextField(_("ghi chú nguồn"), blank=True)
    is_sample = models.BooleanField(_("tệp mẫu thử"), default=False)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(_("nội dung"))
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["standard_code", "code", "-version"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Published versions are frozen: any save of a row already published raises."""
        if self.pk is not None:
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Status.PUBLISHED:
                raise Conflict(
                    _("%(code)s phiên bản %(version)s đã công bố, không được sửa; hãy nhập phiên bản mới.")
                    % {"code": self.code, "version": self.version},
                    code="published",
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if type(self)._default_manager.filter(pk=self.pk, status=Status.PUBLISHED).exists():
            raise Conflict(
                _("%(code)s phiên bản %(version)s đã công bố, không được xoá.")
                % {"code": self.code, "version": self.version},
                code="published",
            )
        return super().delete(*args, **kwargs)

    @property
    def is_official(self) -> bool:
        return self.provenance == Provenance.OFFICIAL

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class ScoreTable(_VersionedForm):
    """Bảng điểm Phiếu B (one urban and six regional rural forms)."""

    class Meta(_VersionedForm.Meta):
        verbose_name = _("bảng điểm Phiếu B")
        verbose_name_plural = _("bảng điểm Phiếu B")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="score_table_version_unique")]

    def table(self) -> ScoreTableData:
        return ScoreTableData.from_dict(self.data)


class ScreeningList(_VersionedForm):
    """Tiêu chí nhận diện nhanh Phiếu A (answers that exclude a household at once)."""

    class Meta(_VersionedForm.Meta):
        verbose_name = _("danh sách tiêu chí Phiếu A")
        verbose_name_plural = _("danh sách tiêu chí Phiếu A")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="screening_list_version_unique")
        ]

    def screening(self) -> ScreeningListData:
        return ScreeningListData.from_dict(self.data)
