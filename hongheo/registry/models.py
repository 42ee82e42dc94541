"""The core registry: households (hộ gia đình) and members (nhân khẩu), keyed by the 12-digit
personal ID (số định danh cá nhân); groups, causes of poverty, support needs, support received
and the history of a household (members joining, leaving, moving, dying; splits and merges).

A ``Member`` row is one person's membership of one household. When a person moves to another
household (or a household splits or merges) the old row is closed (``is_active=False``,
``left_at``, ``left_reason``) and a new row opens in the other household with ``previous``
pointing back, so every household keeps its past members. A household's ``code`` never changes;
a merged household is deactivated and keeps its code for history.
"""

from __future__ import annotations

from django.conf import settings
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
SENSITIVE_HOUSEHOLD_FIELDS = ("income_per_capita", "ethnic_minority", "poverty_causes")


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
    head_sort_key = models.CharField(max_length=400, blank=True)  # indexed with commune in Meta
    size = models.PositiveSmallIntegerField(default=0)
    # groups
    ethnic_minority = models.BooleanField(default=False)
    female_head = models.BooleanField(default=False)
    merit = models.BooleanField(default=False, help_text="người có công")
    social_protection = models.BooleanField(default=False, help_text="bảo trợ xã hội")
    no_working_capacity = models.BooleanField(default=False, help_text="không có khả năng lao động")
    # causes of poverty and support needs: lists of codes of code_lists.json
    poverty_causes = models.JSONField(default=list, blank=True, help_text="codes of poverty_cause")
    support_needs = models.JSONField(default=list, blank=True, help_text="codes of support_need")
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    # living conditions
    housing_quality = models.CharField(max_length=20, blank=True)
    wall_material = models.CharField(max_length=20, blank=True, help_text="code of housing_material")
    roof_material = models.CharField(max_length=20, blank=True, help_text="code of housing_material")
    pillar_material = models.CharField(max_length=20, blank=True, help_text="code of housing_material")
    floor_area_m2 = models.FloatField(null=True, blank=True)
    water_source = models.CharField(max_length=20, blank=True)
    toilet = models.CharField(max_length=20, blank=True)
    waste_handling = models.CharField(max_length=20, blank=True)
    internet = models.BooleanField(null=True, blank=True)
    information_devices = models.PositiveSmallIntegerField(null=True, blank=True)
    income_per_capita = models.BigIntegerField(null=True, blank=True, help_text="VND/person/month")
    income_sources = models.JSONField(default=list, blank=True, help_text="codes of income_source")
    is_active = models.BooleanField(default=True)
    provisional = models.BooleanField(
        _("hộ tạm (chưa xác minh)"),
        default=False,
        db_default=False,  # bulk loaders insert households with their own column lists
        help_text="Created from an application (Mẫu 01) of a family not yet in the registry; "
        "confirmed when the commune has verified it",
    )
    # history
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="split_households"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_households"
    )
    closed_at = models.DateField(null=True, blank=True, help_text="Date the household stopped existing")

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
        CHILD_IN_LAW = "child_in_law", _("Con dâu/con rể")
        PARENT = "parent", _("Bố/mẹ")
        GRANDPARENT = "grandparent", _("Ông/bà")
        GRANDCHILD = "grandchild", _("Cháu")
        SIBLING = "sibling", _("Anh/chị/em")
        OTHER = "other", _("Khác")

    class LeftReason(models.TextChoices):
        MOVED_OUT = "moved_out", _("Chuyển sang hộ khác")
        MOVED_AWAY = "moved_away", _("Chuyển đi nơi khác")
        DIED = "died", _("Đã chết")
        SPLIT = "split", _("Tách hộ")
        MERGED = "merged", _("Nhập hộ")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    # Indexes are few on purpose (a province import writes a million rows): personal_id has a
    # plain index in Meta (no pattern-ops twin); search_name is matched with LIKE '%…%', which no
    # b-tree serves; sort_key is only used to sort a household's few members.
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, null=True, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, help_text="Accent-folded name for search")
    sort_key = models.CharField(max_length=400)
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
    employment = models.CharField(max_length=24, blank=True, help_text="code of employment (with contract)")
    status = models.CharField(
        _("tình trạng"), max_length=12, blank=True, help_text="Mẫu 01: code of member_status"
    )
    is_active = models.BooleanField(default=True)
    # history of the membership
    joined_at = models.DateField(null=True, blank=True)
    left_at = models.DateField(null=True, blank=True)
    left_reason = models.CharField(max_length=12, blank=True, choices=LeftReason.choices)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_memberships",
        help_text="The same person's membership of the household they came from",
    )

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("nhân khẩu")
        verbose_name_plural = _("nhân khẩu")
        indexes = [models.Index(fields=["personal_id"], name="member_personal_id_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation_to_head="head", is_active=True),
                name="one_active_head_per_household",
            ),
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=models.Q(is_active=True),
                name="one_active_membership_per_personal_id",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class SupportReceived(TimeStampedModel):
    """A support policy the household (or one member) received (chính sách hỗ trợ đã nhận)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="support_received")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại hỗ trợ"), max_length=32, help_text="code of support_kind")
    year = models.PositiveSmallIntegerField(_("năm"))
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("hỗ trợ đã nhận")
        verbose_name_plural = _("hỗ trợ đã nhận")

    def __str__(self) -> str:
        return f"{self.household.code} {self.kind} {self.year}"


class HouseholdEvent(models.Model):
    """One line of a household's history (biến động của hộ). Both households of a move, split or
    merge get a line. ``details`` holds names and codes for display, never sensitive values."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Đăng ký hộ")
        MEMBER_JOINED = "member_joined", _("Thêm nhân khẩu")
        MEMBER_LEFT = "member_left", _("Nhân khẩu rời hộ")
        MEMBER_MOVED = "member_moved", _("Nhân khẩu chuyển hộ")
        MEMBER_UPDATED = "member_updated", _("Sửa thông tin nhân khẩu")
        DIED = "died", _("Nhân khẩu qua đời")
        MOVED_AWAY = "moved_away", _("Nhân khẩu chuyển đi nơi khác")
        HEAD_CHANGED = "head_changed", _("Đổi chủ hộ")
        SPLIT_FROM = "split_from", _("Tách từ hộ khác")
        SPLIT_INTO = "split_into", _("Tách ra hộ mới")
        MERGED_INTO = "merged_into", _("Nhập vào hộ khác")
        MERGED_FROM = "merged_from", _("Nhận nhập hộ")
        DISSOLVED = "dissolved", _("Hộ không còn nhân khẩu")
        FACTS_CHANGED = "facts_changed", _("Cập nhật thông tin hộ")
        GROUPS_CHANGED = "groups_changed", _("Cập nhật nhóm, nguyên nhân nghèo, nhu cầu")
        SUPPORT_ADDED = "support_added", _("Ghi nhận hỗ trợ đã nhận")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField(help_text="When it happened (as declared), not when it was recorded")
    other_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "-date"])]
        verbose_name = _("biến động của hộ")
        verbose_name_plural = _("biến động của hộ")

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.date}"


class FactRecord(models.Model):
    """Dated facts of a household (thông tin của hộ tại một thời điểm): what a Phiếu B survey, an
    edit, an import, the citizen portal, the field app or the population data said about the household
    and its members on ``observed_on``, and where it came from.

    A classification result names the record it was computed from, so a result can always be shown
    with exactly the facts that decided it. Records are never edited; a survey's record becomes the
    household's facts of record only when the round's decision applies it (``applied_at``)."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Phiếu B (rà soát)")
        FIELD = "field", _("Ứng dụng thực địa")
        ODK = "odk", _("ODK Collect")
        EDIT = "edit", _("Cán bộ cập nhật")
        IMPORT = "import", _("Nhập từ danh sách")
        PORTAL = "portal", _("Người dân tự khai")
        POPULATION = "population", _("Cơ sở dữ liệu dân cư")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="fact_records")
    source = models.CharField(max_length=12, choices=Source.choices)
    source_ref = models.CharField(max_length=200, blank=True, help_text="e.g. the round and its Phiếu B")
    observed_on = models.DateField(help_text="The date the facts describe (the interview, the edit)")
    household_facts = models.JSONField(default=dict, help_text="standards.facts.HOUSEHOLD_FACTS by name")
    member_facts = models.JSONField(
        default=list, help_text="One object per active member: id, name and standards.facts.MEMBER_FACTS"
    )
    membership = models.JSONField(
        default=dict,
        blank=True,
        help_text="Members the survey found joining or leaving, applied with the facts at the decision",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When these facts became the household's facts of record"
    )

    class Meta:
        ordering = ["-observed_on", "-id"]
        indexes = [models.Index(fields=["household", "observed_on"], name="fact_record_hh_date")]
        verbose_name = _("thông tin của hộ (có ngày)")
        verbose_name_plural = _("thông tin của hộ (có ngày)")

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_source_display()} {self.observed_on:%d/%m/%Y}"
