"""Population extracts, linkage runs, candidate pairs, findings and quality snapshots.

An extract is stored apart from the registry: importing one never changes a household or a member.
A linkage run links the active members of the households of an area with the current extract;
its candidates wait for a person's decision (``auto`` ones are accepted by the run itself, and
nothing in the registry changes unless an officer takes the population's values).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongheo.core.models import Job, TimeStampedModel
from hongheo.geography.models import Area


class PopulationExtract(TimeStampedModel):
    """One version of a province's population extract (bản trích dữ liệu dân cư)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        IMPORTING = "importing", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        REJECTED = "rejected", _("Bị từ chối")

    province = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="population_extracts")
    version = models.PositiveIntegerField()
    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="linkage/extracts/")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    is_current = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    differences = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["province", "version"], name="extract_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.province} v{self.version}"


class PopulationPerson(models.Model):
    """A person of an extract, with the normalised keys the incremental matcher looks up."""

    class Status(models.TextChoices):
        ALIVE = "alive", _("Đang cư trú")
        DECEASED = "deceased", _("Đã chết")
        MOVED = "moved", _("Đã chuyển đi")

    extract = models.ForeignKey(PopulationExtract, on_delete=models.CASCADE, related_name="persons")
    person_id = models.CharField(max_length=64)
    personal_id = models.CharField(max_length=20, blank=True)
    full_name = models.CharField(max_length=150)
    dob = models.CharField(max_length=10, blank=True, help_text="YYYY-MM-DD or YYYY as read")
    dob_y = models.IntegerField(null=True)
    dob_m = models.IntegerField(null=True)
    dob_d = models.IntegerField(null=True)
    sex = models.CharField(max_length=6, blank=True)
    commune_code = models.CharField(max_length=16, blank=True)
    residence_household_no = models.CharField(max_length=64, blank=True)
    relation_to_head = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ALIVE)
    # normalised keys (see hongheo.linkage.engine.prepare)
    pid_head = models.CharField(max_length=6, blank=True)
    pid_tail = models.CharField(max_length=6, blank=True)
    name_sorted = models.CharField(max_length=150, blank=True)
    name_fg = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["extract", "person_id"], name="person_unique_in_extract"),
        ]
        indexes = [
            models.Index(fields=["extract", "personal_id"], name="pop_pid"),
            models.Index(fields=["extract", "pid_tail"], name="pop_pid_tail"),
            models.Index(fields=["extract", "name_sorted", "dob_y"], name="pop_name_year"),
            models.Index(fields=["extract", "name_fg", "dob_y", "commune_code"], name="pop_fg_year"),
            models.Index(
                fields=["extract", "commune_code", "dob_y", "dob_m", "dob_d"], name="pop_commune_dob"
            ),
            models.Index(
                fields=["extract", "pid_head", "dob_m", "dob_d", "commune_code"], name="pop_head_md"
            ),
            models.Index(fields=["extract", "name_sorted", "commune_code"], name="pop_name_commune"),
            models.Index(fields=["extract", "name_fg", "dob_m", "dob_d"], name="pop_fg_md"),
        ]

    def __str__(self) -> str:
        return self.full_name


class LinkageRun(TimeStampedModel):
    """One run of the linkage of an area's registry with an extract (lần ghép)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Thất bại")

    extract = models.ForeignKey(PopulationExtract, on_delete=models.PROTECT, related_name="runs")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    summary = models.JSONField(default=dict, blank=True)
    model = models.JSONField(default=dict, blank=True, help_text="The trained Splink model of the run")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.area} {self.created_at:%d/%m/%Y %H:%M}"


class LinkCandidate(TimeStampedModel):
    """A registry member and the population person the run proposes for them."""

    class Decision(models.TextChoices):
        AUTO = "auto", _("Tự động")
        REVIEW = "review", _("Cần xem xét")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        REJECTED = "rejected", _("Đã bác bỏ")
        FIELD_CHECK = "field_check", _("Chuyển kiểm tra thực địa")

    run = models.ForeignKey(
        LinkageRun,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="candidates",
        help_text="Empty for a candidate found when the person was registered (incremental matching)",
    )
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True)
    person = models.ForeignKey(PopulationPerson, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField(null=True)
    method = models.CharField(max_length=16)  # exact | probabilistic
    decision = models.CharField(max_length=6, choices=Decision.choices)
    weights = models.JSONField(default=dict, blank=True, help_text="{comparison: {label, weight}}")
    differences = models.JSONField(default=list, blank=True, help_text="fields that differ")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    taken_fields = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        indexes = [
            models.Index(fields=["run", "decision", "status"], name="cand_run_decision"),
            models.Index(fields=["member", "created_at"], name="cand_member"),
        ]


class LinkFinding(models.Model):
    """A finding of a run about one registry member (đúng, đủ, sạch, sống)."""

    class Kind(models.TextChoices):
        NOT_FOUND = "not_found", _("Không tìm thấy trong dữ liệu dân cư")
        DECEASED = "deceased", _("Đã chết nhưng còn trong sổ hộ")
        MOVED = "moved", _("Đã chuyển đi nhưng còn trong sổ hộ")
        DECEASED_LISTED = (
            "deceased_listed",
            _("Đã chết nhưng còn trong danh sách nghèo, cận nghèo hoặc nhận hỗ trợ"),
        )
        MOVED_LISTED = (
            "moved_listed",
            _("Đã chuyển đi nhưng còn trong danh sách nghèo, cận nghèo hoặc nhận hỗ trợ"),
        )
        SEVERAL_HOUSEHOLDS = "several_households", _("Một người ở nhiều hộ")
        SEVERAL_COMMUNES = "several_communes", _("Một người ở nhiều xã")
        DIFFERS = "differs", _("Khớp nhưng khác thông tin")
        INVALID_ID = "invalid_id", _("Số định danh sai hoặc không khớp ngày sinh, giới tính")
        RESIDENCE_MISMATCH = "residence_mismatch", _("Thành viên không cùng hộ cư trú")

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True)
    person = models.ForeignKey(PopulationPerson, null=True, on_delete=models.CASCADE, related_name="+")
    detail = models.CharField(max_length=200, blank=True)
    official_class = models.CharField(
        max_length=10,
        blank=True,
        help_text="The household's official class on the run's day (deceased/moved)",
    )
    support_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Latest year of support received by the household (deceased/moved)"
    )

    class Meta:
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["run", "kind", "commune"], name="finding_run_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id}"


GONE_KINDS = (
    LinkFinding.Kind.DECEASED,
    LinkFinding.Kind.MOVED,
    LinkFinding.Kind.DECEASED_LISTED,
    LinkFinding.Kind.MOVED_LISTED,
)
LISTED_KINDS = (LinkFinding.Kind.DECEASED_LISTED, LinkFinding.Kind.MOVED_LISTED)


class MatchCheck(models.Model):
    """One new person checked against a province's current extract when registered (đối chiếu ngay
    khi đăng ký): whether a candidate was found (kept as a :class:`LinkCandidate` without a run)."""

    class Outcome(models.TextChoices):
        CANDIDATE = "candidate", _("Có người khớp trong dữ liệu dân cư")
        NONE = "none", _("Không tìm thấy trong dữ liệu dân cư")
        UNREADABLE = "unreadable", _("Thông tin không đủ để đối chiếu")

    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="+")
    extract = models.ForeignKey(PopulationExtract, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, help_text="officer | portal | fieldwork | page")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    candidate = models.ForeignKey(
        LinkCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "extract"], name="match_check_once_per_extract"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.outcome}"


class QualitySnapshot(models.Model):
    """Data-quality figures of a commune at a moment (for the trend)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(auto_now_add=True)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.area} {self.taken_at}"
