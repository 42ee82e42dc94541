"""The product fields an imported column can be mapped to (one name per idea: the glossary's).

Pure module: no Django. ``heading`` is the column heading of the product's own template (and the
label shown in the mapping step); ``aliases`` are other headings seen in real lists, used by the
auto-suggestion together with the heading (both compared accent-folded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAYOUT_MEMBER = "member"  # one row per member (household code repeated, head marked by relation)
LAYOUT_HOUSEHOLD = "household"  # one row per household (household facts, the head's identity only)
LAYOUTS = {
    LAYOUT_MEMBER: "Mỗi dòng một nhân khẩu",
    LAYOUT_HOUSEHOLD: "Mỗi dòng một hộ (chỉ thông tin chủ hộ)",
}

HOUSEHOLD = "household"
MEMBER = "member"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    heading: str
    level: str  # HOUSEHOLD | MEMBER
    kind: str  # text | date | code | codes | bool | int | float | class
    code_list: str = ""
    required: bool = False
    max_length: int = 0
    aliases: tuple[str, ...] = field(default_factory=tuple)
    head_heading: str = ""  # heading in the per-household layout (the head's identity)
    note: str = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "household_code",
        "Mã hộ",
        HOUSEHOLD,
        "text",
        required=True,
        max_length=32,
        aliases=("mã hộ gia đình", "mã số hộ", "số hộ", "ma ho", "household code", "household_id"),
        note="Mã ổn định của hộ; các dòng cùng mã hộ là nhân khẩu của cùng một hộ.",
    ),
    FieldSpec(
        "commune_code",
        "Mã xã/phường",
        HOUSEHOLD,
        "text",
        max_length=32,
        aliases=("mã xã", "mã phường", "mã đơn vị hành chính", "commune_code"),
        note="Mã xã/phường/đặc khu (5 chữ số). Ghi mã hoặc tên xã.",
    ),
    FieldSpec(
        "commune_name",
        "Xã/phường",
        HOUSEHOLD,
        "text",
        max_length=200,
        aliases=("tên xã", "xã", "phường", "xã/phường/đặc khu", "commune_name"),
        note="Tên xã/phường/đặc khu (khi không ghi mã).",
    ),
    FieldSpec(
        "village_name",
        "Thôn/tổ dân phố",
        HOUSEHOLD,
        "text",
        max_length=200,
        aliases=("thôn", "tổ dân phố", "thôn/bản", "thôn, tổ", "ấp", "bản", "village_name"),
        note="Tên thôn/tổ dân phố; thôn chưa có được tạo mới trong xã (cán bộ xã) và được báo lại.",
    ),
    FieldSpec(
        "address",
        "Địa chỉ",
        HOUSEHOLD,
        "text",
        max_length=300,
        aliases=("địa chỉ thường trú", "nơi ở", "address"),
    ),
    FieldSpec(
        "phone", "Số điện thoại", HOUSEHOLD, "text", max_length=20, aliases=("điện thoại", "sđt", "phone")
    ),
    FieldSpec(
        "official_class",
        "Loại hộ hiện tại",
        HOUSEHOLD,
        "class",
        aliases=("phân loại hộ", "loại hộ", "hộ nghèo/cận nghèo", "diện hộ"),
        note="Hộ nghèo hoặc Hộ cận nghèo theo quyết định công nhận đang có hiệu lực; để trống nếu không.",
    ),
    FieldSpec(
        "decision_no",
        "Số quyết định công nhận",
        HOUSEHOLD,
        "text",
        max_length=60,
        aliases=("số quyết định", "số qđ", "quyết định số"),
    ),
    FieldSpec(
        "decision_date",
        "Ngày quyết định",
        HOUSEHOLD,
        "date",
        aliases=("ngày quyết định công nhận", "ngày qđ", "ngày ký quyết định"),
        note="Bắt buộc khi có Loại hộ hiện tại (ngày bắt đầu của loại hộ).",
    ),
    FieldSpec(
        "ethnic_minority", "Hộ dân tộc thiểu số", HOUSEHOLD, "bool", aliases=("hộ dtts", "dân tộc thiểu số")
    ),
    FieldSpec(
        "merit", "Hộ có người có công", HOUSEHOLD, "bool", aliases=("người có công", "có công cách mạng")
    ),
    FieldSpec(
        "social_protection",
        "Hộ có đối tượng bảo trợ xã hội",
        HOUSEHOLD,
        "bool",
        aliases=("bảo trợ xã hội", "hộ btxh"),
    ),
    FieldSpec(
        "no_working_capacity",
        "Hộ không có khả năng lao động",
        HOUSEHOLD,
        "bool",
        aliases=("không có khả năng lao động", "không có lao động"),
    ),
    FieldSpec(
        "housing_quality", "Loại nhà ở", HOUSEHOLD, "code", "housing_quality", aliases=("nhà ở", "loại nhà")
    ),
    FieldSpec("wall_material", "Vật liệu tường", HOUSEHOLD, "code", "housing_material", aliases=("tường",)),
    FieldSpec("roof_material", "Vật liệu mái", HOUSEHOLD, "code", "housing_material", aliases=("mái",)),
    FieldSpec("pillar_material", "Vật liệu cột", HOUSEHOLD, "code", "housing_material", aliases=("cột",)),
    FieldSpec(
        "floor_area_m2",
        "Diện tích nhà ở (m²)",
        HOUSEHOLD,
        "float",
        aliases=("diện tích nhà", "diện tích ở", "diện tích (m2)"),
    ),
    FieldSpec(
        "water_source",
        "Nguồn nước sinh hoạt",
        HOUSEHOLD,
        "code",
        "water_source",
        aliases=("nguồn nước", "nước sinh hoạt"),
    ),
    FieldSpec("toilet", "Nhà tiêu", HOUSEHOLD, "code", "toilet", aliases=("nhà vệ sinh", "hố xí")),
    FieldSpec("waste_handling", "Xử lý rác thải", HOUSEHOLD, "code", "waste_handling", aliases=("rác thải",)),
    FieldSpec("internet", "Có Internet", HOUSEHOLD, "bool", aliases=("internet", "sử dụng internet")),
    FieldSpec(
        "information_devices",
        "Số thiết bị tiếp cận thông tin",
        HOUSEHOLD,
        "int",
        aliases=("thiết bị tiếp cận thông tin", "số thiết bị"),
    ),
    FieldSpec(
        "income_per_capita",
        "Thu nhập bình quân (đồng/người/tháng)",
        HOUSEHOLD,
        "int",
        aliases=("thu nhập bình quân", "thu nhập bq", "thu nhập bình quân đầu người", "income_per_capita"),
    ),
    FieldSpec(
        "income_sources",
        "Nguồn thu nhập",
        HOUSEHOLD,
        "codes",
        "income_source",
        note="Nhiều giá trị cách nhau bằng dấu chấm phẩy (;).",
    ),
    FieldSpec(
        "poverty_causes",
        "Nguyên nhân nghèo",
        HOUSEHOLD,
        "codes",
        "poverty_cause",
        note="Nhiều giá trị cách nhau bằng dấu chấm phẩy (;).",
    ),
    FieldSpec(
        "support_needs",
        "Nhu cầu hỗ trợ",
        HOUSEHOLD,
        "codes",
        "support_need",
        note="Nhiều giá trị cách nhau bằng dấu chấm phẩy (;).",
    ),
    FieldSpec("latitude", "Vĩ độ", HOUSEHOLD, "float", aliases=("latitude", "lat")),
    FieldSpec("longitude", "Kinh độ", HOUSEHOLD, "float", aliases=("longitude", "lng", "lon")),
    # members
    FieldSpec(
        "full_name",
        "Họ và tên",
        MEMBER,
        "text",
        required=True,
        max_length=150,
        aliases=("họ tên", "tên", "họ và tên nhân khẩu", "full_name"),
        head_heading="Họ và tên chủ hộ",
    ),
    FieldSpec(
        "personal_id",
        "Số định danh cá nhân",
        MEMBER,
        "text",
        max_length=12,
        aliases=(
            "số cccd",
            "cccd",
            "số căn cước",
            "số căn cước công dân",
            "mã định danh",
            "số định danh",
            "personal_id",
        ),
        head_heading="Số định danh của chủ hộ",
        note="12 chữ số; phải khớp năm sinh và giới tính.",
    ),
    FieldSpec(
        "date_of_birth",
        "Ngày sinh",
        MEMBER,
        "date",
        required=True,
        aliases=("ngày tháng năm sinh", "ngày/tháng/năm sinh", "sinh ngày", "date_of_birth"),
        head_heading="Ngày sinh của chủ hộ",
        note="dd/mm/yyyy (ví dụ 05/09/1980) hoặc yyyy-mm-dd.",
    ),
    FieldSpec(
        "sex",
        "Giới tính",
        MEMBER,
        "code",
        "sex",
        required=True,
        aliases=("nam/nữ", "giới", "sex"),
        head_heading="Giới tính của chủ hộ",
    ),
    FieldSpec(
        "relation_to_head",
        "Quan hệ với chủ hộ",
        MEMBER,
        "code",
        "relation_to_head",
        required=True,
        aliases=("quan hệ với chủ hộ", "quan hệ", "qh với chủ hộ", "relation_to_head"),
        note="Đúng một dòng “Chủ hộ” cho mỗi hộ.",
    ),
    FieldSpec(
        "ethnicity",
        "Dân tộc",
        MEMBER,
        "text",
        max_length=40,
        aliases=("ethnicity",),
        head_heading="Dân tộc của chủ hộ",
    ),
    FieldSpec("disability", "Khuyết tật", MEMBER, "bool", aliases=("người khuyết tật",)),
    FieldSpec(
        "disability_allowance", "Hưởng trợ cấp khuyết tật", MEMBER, "bool", aliases=("trợ cấp khuyết tật",)
    ),
    FieldSpec("undernourished", "Trẻ suy dinh dưỡng", MEMBER, "bool", aliases=("suy dinh dưỡng",)),
    FieldSpec("health_insurance", "Có thẻ BHYT", MEMBER, "bool", aliases=("bảo hiểm y tế", "bhyt")),
    FieldSpec("in_school", "Đang đi học", MEMBER, "bool", aliases=("đi học",)),
    FieldSpec(
        "education_level",
        "Trình độ giáo dục",
        MEMBER,
        "code",
        "education_level",
        aliases=("trình độ học vấn", "học vấn", "trình độ văn hóa"),
    ),
    FieldSpec(
        "has_qualification", "Có bằng cấp chuyên môn", MEMBER, "bool", aliases=("bằng cấp", "chuyên môn")
    ),
    FieldSpec(
        "employment", "Việc làm", MEMBER, "code", "employment", aliases=("tình trạng việc làm", "nghề nghiệp")
    ),
    FieldSpec("status", "Tình trạng", MEMBER, "code", "member_status", aliases=("tình trạng nhân khẩu",)),
)

BY_KEY = {f.key: f for f in FIELDS}
HOUSEHOLD_KEYS = tuple(f.key for f in FIELDS if f.level == HOUSEHOLD)
MEMBER_KEYS = tuple(f.key for f in FIELDS if f.level == MEMBER)
#: Household columns that are facts of the household (written to the Household row)
HOUSEHOLD_FACT_KEYS = (
    "ethnic_minority",
    "merit",
    "social_protection",
    "no_working_capacity",
    "housing_quality",
    "wall_material",
    "roof_material",
    "pillar_material",
    "floor_area_m2",
    "water_source",
    "toilet",
    "waste_handling",
    "internet",
    "information_devices",
    "income_per_capita",
    "income_sources",
    "poverty_causes",
    "support_needs",
)
MEMBER_FACT_KEYS = (
    "ethnicity",
    "disability",
    "disability_allowance",
    "undernourished",
    "health_insurance",
    "in_school",
    "education_level",
    "has_qualification",
    "employment",
    "status",
)
#: official class values accepted in the class column (what a commune list says)
CLASS_CODES = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}


def layout_fields(layout: str) -> tuple[FieldSpec, ...]:
    """The fields a layout may map (the per-household layout has no relation column)."""
    if layout == LAYOUT_HOUSEHOLD:
        return tuple(f for f in FIELDS if f.key != "relation_to_head")
    return FIELDS


def heading(spec: FieldSpec, layout: str) -> str:
    if layout == LAYOUT_HOUSEHOLD and spec.head_heading:
        return spec.head_heading
    return spec.heading


def required_keys(layout: str) -> tuple[str, ...]:
    return tuple(f.key for f in layout_fields(layout) if f.required)
