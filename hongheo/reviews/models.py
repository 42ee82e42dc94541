"""The legal review (rà soát) of poor and near-poor households: rounds, applications (Mẫu 01,
Mẫu 04), per-household entries (Phiếu A, Phiếu B, meeting, complaint), community meetings, public
posting, complaints, the commune chairman's decision (Mẫu 02), certificates (Mẫu 03) and the
change ledger (biến động hộ nghèo)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import TimeStampedModel
from hongheo.geography.models import Area
from hongheo.registry.models import Household

from .workflow import STATE_LABELS_VI, EntryState, RoundKind, RoundState

CLASS_CHOICES = [
    ("poor", _("Hộ nghèo")),
    ("near_poor", _("Hộ cận nghèo")),
    ("average", _("Hộ có mức sống trung bình")),
    ("not_poor", _("Hộ không nghèo")),
]
USER = settings.AUTH_USER_MODEL


class ReviewRound(TimeStampedModel):
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="review_rounds")
    kind = models.CharField(max_length=8, choices=[(k.value, k.value) for k in RoundKind])
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=12,
        choices=[(s.value, _(STATE_LABELS_VI[s])) for s in RoundState],
        default=RoundState.LISTING,
    )
    standard_code = models.CharField(max_length=64)
    period_start = models.DateField()
    period_end = models.DateField()
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "-month", "commune__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "kind", "year", "month"],
                condition=~models.Q(state="cancelled"),
                name="one_round_per_period",
            ),
            models.UniqueConstraint(
                fields=["commune", "kind", "year"],
                condition=models.Q(month__isnull=True) & ~models.Q(state="cancelled"),
                name="one_yearly_round",
            ),
        ]
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")

    def __str__(self) -> str:
        if self.kind == RoundKind.YEARLY:
            return f"Rà soát định kỳ năm {self.year} — {self.commune.name}"
        return f"Rà soát thường xuyên tháng {self.month}/{self.year} — {self.commune.name}"


class Application(TimeStampedModel):
    """Giấy đề nghị: Mẫu 01 (review as poor / near-poor) or Mẫu 04 (recognised as escaped)."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Đề nghị rà soát (Mẫu 01)")
        EXIT = "exit", _("Đề nghị công nhận thoát nghèo, thoát cận nghèo (Mẫu 04)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_REVIEW = "in_review", _("Đang rà soát")
        ACCEPTED = "accepted", _("Đã có quyết định")
        REFUSED = "refused", _("Từ chối (có văn bản trả lời)")

    class Channel(models.TextChoices):
        DIRECT = "direct", _("Nộp trực tiếp")
        POST = "post", _("Qua bưu điện")
        ONLINE = "online", _("Cổng dịch vụ công / tự đăng ký")
        PORTAL = "portal", _("Tự đăng ký trên cổng hộ nghèo")
        ASSISTED = "assisted", _("Cán bộ, trưởng thôn đăng ký giúp trên cổng")

    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.DIRECT)
    applicant_name = models.CharField(max_length=150)
    personal_id = models.CharField(max_length=12, blank=True)
    received_on = models.DateField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    refusal_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    received_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("giấy đề nghị")
        verbose_name_plural = _("giấy đề nghị")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.applicant_name} ({self.received_on:%d/%m/%Y})"


class CommunityMeeting(TimeStampedModel):
    """Họp dân of one village: attendance, chair and secretary; minutes as PDF."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    attendees = models.PositiveIntegerField()
    chair_name = models.CharField(max_length=150)
    secretary_name = models.CharField(max_length=150)
    notes = models.TextField(blank=True)
    minutes_pdf = models.FileField(upload_to="reviews/minutes/%Y/", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    votes = models.JSONField(default=dict, blank=True, help_text="household code → agree count, as recorded")
    remeeting_reason = models.TextField(blank=True, help_text="Why this village met again (họp lại)")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"Họp dân {self.village or self.round.commune} {self.held_on:%d/%m/%Y}"


class PublicPosting(TimeStampedModel):
    """Niêm yết công khai: where and from when to when, with proof (photo or record)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="postings")
    posted_from = models.DateField()
    posted_to = models.DateField()
    places = models.TextField()
    proof = models.FileField(upload_to="reviews/posting/%Y/", blank=True)
    proof_note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    early_end_reason = models.TextField(
        blank=True, help_text="Reason given when posting was ended before posted_to (audited override)"
    )

    def __str__(self) -> str:
        return f"Niêm yết {self.posted_from:%d/%m/%Y}–{self.posted_to:%d/%m/%Y}"


class RoundEntry(TimeStampedModel):
    """One household in a round (a row of Phụ lục I), through Phiếu A, Phiếu B, meeting, decision."""

    class Origin(models.TextChoices):
        POOR = "poor", _("Hộ nghèo đang quản lý")
        NEAR_POOR = "near_poor", _("Hộ cận nghèo đang quản lý")
        APPLICATION = "application", _("Hộ có giấy đề nghị (Mẫu 01)")
        EXIT_APPLICATION = "exit_application", _("Hộ đề nghị thoát nghèo (Mẫu 04)")
        FOUND = "found", _("Hộ mới phát hiện khi rà soát thực địa")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="entries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="review_entries")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_class = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    state = models.CharField(
        max_length=12, choices=[(s.value, s.value) for s in EntryState], default=EntryState.LISTED
    )
    # Phiếu A
    screened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    screening_excluded = models.BooleanField(null=True, blank=True)
    screening_reasons = models.JSONField(default=list, blank=True)
    # Phiếu B and classification
    surveyed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    surveyed_at = models.DateTimeField(null=True, blank=True)
    proposed_class = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    income_used = models.BigIntegerField(null=True, blank=True)
    deprived_count = models.PositiveSmallIntegerField(null=True, blank=True)
    deprived = models.CharField(max_length=400, blank=True)
    reason = models.CharField(max_length=400, blank=True)
    facts_record = models.ForeignKey(
        "registry.FactRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The dated facts the Phiếu B recorded; the result is computed from exactly these",
    )
    result = models.ForeignKey(
        "standards.HouseholdClassification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The stored classification result of the Phiếu B",
    )
    # meeting
    meeting = models.ForeignKey(
        CommunityMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    votes_agree = models.PositiveIntegerField(null=True, blank=True)
    meeting_agreed = models.BooleanField(null=True, blank=True)
    # outcome
    final_class = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    rechecked = models.BooleanField(default=False, help_text="Re-checked (phúc tra) after a complaint")

    class Meta:
        ordering = ["household__head_sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="household_once_per_round")
        ]
        verbose_name = _("hộ trong đợt rà soát")
        verbose_name_plural = _("hộ trong đợt rà soát")

    def __str__(self) -> str:
        return f"{self.household.code} in {self.round_id}"

    @property
    def current_class(self) -> str:
        return self.final_class or self.proposed_class


class Complaint(TimeStampedModel):
    """Khiếu nại about a posted result, and its re-check (phúc tra)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang phúc tra")
        RESOLVED = "resolved", _("Đã giải quyết")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="complaints")
    entry = models.ForeignKey(
        RoundEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    complainant = models.CharField(max_length=150)
    received_on = models.DateField()
    content = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    recheck_note = models.TextField(blank=True)
    class_before = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    class_after = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"Khiếu nại của {self.complainant} ({self.received_on:%d/%m/%Y})"


class Decision(TimeStampedModel):
    """Quyết định công nhận (Mẫu 02) by the commune chairman, with its annex lists."""

    round = models.OneToOneField(ReviewRound, on_delete=models.PROTECT, related_name="decision")
    number = models.CharField(max_length=40)
    signed_on = models.DateField()
    signed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to="reviews/decisions/%Y/", blank=True)

    def __str__(self) -> str:
        return f"Quyết định số {self.number} ngày {self.signed_on:%d/%m/%Y}"


class Certificate(TimeStampedModel):
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu 03), numbered, verifiable by its QR code."""

    number = models.CharField(max_length=40)
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(help_text="The year the status applies to")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="certificates")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="certificates")
    classification = models.CharField(max_length=10, choices=CLASS_CHOICES)
    issued_on = models.DateField()
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "number"], name="certificate_number_unique")
        ]
        ordering = ["year", "number"]

    def __str__(self) -> str:
        return f"GCN {self.number} ({self.year})"


class OfficialStatus(models.Model):
    """One period of a household's official class (danh sách hộ nghèo, hộ cận nghèo, hộ có mức sống
    trung bình chính thức), effective-dated: the class holds from ``valid_from`` (inclusive) until
    ``valid_to`` (exclusive; open for the current period), set by a decision or another named source.

    Rows are never updated except to close ``valid_to`` when a later period starts; a household whose
    class a new decision confirms unchanged keeps its row. "The list on date D" is the rows with
    ``valid_from <= D < valid_to``; every report reads this history, so a report for a past date gives
    the same numbers after any later decision."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="status_history")
    classification = models.CharField(max_length=10, choices=CLASS_CHOICES)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Exclusive; empty while current")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=200, blank=True, help_text="e.g. decision number, imported list")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["household_id", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_official_status",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="official_status_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["household", "valid_from"], name="official_status_hh_from")]
        verbose_name = _("trạng thái chính thức")
        verbose_name_plural = _("lịch sử trạng thái chính thức")

    def __str__(self) -> str:
        end = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "nay"
        return f"{self.household_id}: {self.classification} {self.valid_from:%d/%m/%Y}–{end}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class StatusChange(models.Model):
    """The change ledger (biến động): one row per household whose class changed."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="status_changes")
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(db_index=True)
    round = models.ForeignKey(
        ReviewRound, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_class = models.CharField(max_length=10, blank=True)
    to_class = models.CharField(max_length=10)
    kind = models.CharField(max_length=24, db_index=True)
    effective_on = models.DateField(db_index=True)

    class Meta:
        ordering = ["-effective_on", "id"]
        indexes = [models.Index(fields=["commune", "year", "kind"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.effective_on}"
