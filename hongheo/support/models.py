"""Support plans (kế hoạch hỗ trợ) per poor / near-poor household, the mass organisations of a
commune (tổ chức đoàn thể) and the households assigned to them with the member who helps
(hội viên giúp đỡ), and the province's send-backs of a commune's review results.

Codes (support kind, need, programme, organisation kind, follow-up) are codes of
``support/data/support_lists.json`` and the registry's ``code_lists.json``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel
from hongheo.geography.models import Area
from hongheo.registry.models import Household, SupportReceived
from hongheo.reviews.models import ReviewRound

USER = settings.AUTH_USER_MODEL


class Organisation(TimeStampedModel):
    """A mass organisation of one commune (Hội Liên hiệp Phụ nữ, Hội Nông dân…)."""

    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("tên tổ chức"), max_length=200)
    kind = models.CharField(_("loại tổ chức"), max_length=32, help_text="code of organisation_kind")
    contact = models.CharField(_("liên hệ"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="organisation_name_unique_in_commune")
        ]
        verbose_name = _("tổ chức đoàn thể")
        verbose_name_plural = _("tổ chức đoàn thể")

    def __str__(self) -> str:
        return self.name


class Assignment(TimeStampedModel):
    """A household assigned to an organisation, optionally to a named member who helps it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assignments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    helper_name = models.CharField(_("hội viên giúp đỡ"), max_length=150, blank=True)
    assigned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "household__head_sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "household"],
                condition=models.Q(is_active=True),
                name="one_active_assignment_per_organisation",
            )
        ]
        verbose_name = _("hộ được giao giúp đỡ")
        verbose_name_plural = _("hộ được giao giúp đỡ")

    def __str__(self) -> str:
        return f"{self.household_id} → {self.organisation_id}"


class PlanItem(TimeStampedModel):
    """One line of a household's support plan: which support, for which need, from which
    programme or organisation, who is responsible, by when, and what happened."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Chưa thực hiện")
        GIVEN = "given", _("Đã hỗ trợ")
        NOT_GIVEN = "not_given", _("Không hỗ trợ được")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    need = models.CharField(_("nhu cầu"), max_length=32, blank=True, help_text="code of support_need")
    kind = models.CharField(_("loại hỗ trợ"), max_length=32, help_text="code of support_kind")
    programme = models.CharField(_("chương trình, nguồn"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_items"
    )
    responsible = models.CharField(_("người phụ trách"), max_length=150)
    due_on = models.DateField(_("hạn thực hiện"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    outcome_note = models.CharField(_("ghi chú kết quả"), max_length=300, blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    support_received = models.ForeignKey(
        SupportReceived, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["household", "year"]), models.Index(fields=["status", "due_on"])]
        verbose_name = _("mục kế hoạch hỗ trợ")
        verbose_name_plural = _("kế hoạch hỗ trợ")

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.due_on}"


class SendBack(TimeStampedModel):
    """The province sends a commune's review results back (không công nhận kết quả) with a
    reason; the commune's round reopens the affected step."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=12, help_text="the round state reopened")
    state_before = models.CharField(max_length=12)
    reason = models.TextField(_("lý do"))
    checks = models.JSONField(default=list, blank=True, help_text="codes of the flags cited")
    households = models.JSONField(default=list, blank=True, help_text="household codes sent back")
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trả lại kết quả rà soát")
        verbose_name_plural = _("trả lại kết quả rà soát")

    def __str__(self) -> str:
        return f"{self.commune_id} {self.step} {self.created_at:%d/%m/%Y}"
