"""Field rules of the registry, shared by the services (which raise) and the forms' "check as you
type" endpoints (which return the messages). One function per record kind; each returns the
cleaned values and a dict ``field → Vietnamese message``. No database access here: the
uniqueness of personal IDs is checked by the services.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hongheo.core.ids import InvalidPersonalId, prefix_kind, validate_personal_id

from . import ethnicity
from .code_lists import UnknownCode, check_code, check_codes

GROUP_FIELDS = ("ethnic_minority", "merit", "social_protection", "no_working_capacity", "female_head")
LIVING_FIELDS = (
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
    "phone",
)
#: single-choice household fields → their code list
HOUSEHOLD_CODED = {
    "housing_quality": "housing_quality",
    "wall_material": "housing_material",
    "roof_material": "housing_material",
    "pillar_material": "housing_material",
    "water_source": "water_source",
    "toilet": "toilet",
    "waste_handling": "waste_handling",
}
MEMBER_CODED = {
    "sex": "sex",
    "relation_to_head": "relation_to_head",
    "status": "member_status",
    "employment": "employment",
    "education_level": "education_level",
}
MEMBER_BOOL_FIELDS = (
    "disability",
    "disability_allowance",
    "undernourished",
)
MEMBER_NULLABLE_BOOL_FIELDS = ("health_insurance", "in_school", "has_qualification")
MAX_FLOOR_AREA_M2 = 10_000
MAX_DEVICES = 50
MAX_INCOME = 10_000_000_000
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
OLDEST_BIRTH = dt.date(1900, 1, 1)
#: Vietnamese wording of the personal-ID checks (``hongheo.core.ids`` reasons are English)
PERSONAL_ID_MESSAGES = {
    "length": "phải gồm đúng 12 chữ số",
    "non_digit": "chỉ được gồm chữ số",
    "unknown_province_code": "3 chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh",
    "century_mismatch": "chữ số thứ 4 (thế kỷ sinh, giới tính) không khớp với năm sinh",
    "birth_year_mismatch": "chữ số thứ 5–6 không khớp với năm sinh",
    "sex_mismatch": "chữ số thứ 4 không khớp với giới tính",
}

FIELD_LABELS = {
    "housing_quality": "Loại nhà ở",
    "wall_material": "Vật liệu tường",
    "roof_material": "Vật liệu mái",
    "pillar_material": "Vật liệu cột",
    "floor_area_m2": "Diện tích nhà ở",
    "water_source": "Nguồn nước",
    "toilet": "Nhà tiêu",
    "waste_handling": "Rác thải",
    "internet": "Internet",
    "information_devices": "Số thiết bị tiếp cận thông tin",
    "income_per_capita": "Thu nhập bình quân",
    "income_sources": "Nguồn thu nhập",
    "phone": "Số điện thoại",
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "personal_id": "Số định danh cá nhân",
    "ethnicity": "Dân tộc",
}


def _number(name: str, value: Any, *, lo: float, hi: float, integer: bool, errors: dict[str, str]) -> Any:
    if value is None or value == "":
        return None
    label = FIELD_LABELS[name]
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        errors[name] = f"{label}: phải là số{' nguyên' if integer else ''}."
        return value
    if integer and isinstance(value, float) and not value.is_integer():
        errors[name] = f"{label}: phải là số nguyên."
        return value
    if not lo <= number <= hi:
        errors[name] = f"{label}: phải từ {lo:g} đến {hi:g}."
    return number


def _nullable_bool(name: str, value: Any, errors: dict[str, str], *, nullable: bool = True) -> Any:
    if value is None and nullable:
        return None
    if not isinstance(value, bool):
        errors[name] = f"{FIELD_LABELS.get(name, name)}: phải là Có hoặc Không."
    return value


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-()]", "", value or "")


def clean_household_facts(facts: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the Phiếu B living facts and the group flags of a household."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in facts.items():
        if name in HOUSEHOLD_CODED:
            try:
                cleaned[name] = check_code(HOUSEHOLD_CODED[name], value)
            except UnknownCode as exc:
                errors[name] = f"{FIELD_LABELS[name]}: mã không hợp lệ “{exc.value}”."
        elif name == "floor_area_m2":
            cleaned[name] = _number(name, value, lo=0.5, hi=MAX_FLOOR_AREA_M2, integer=False, errors=errors)
        elif name == "information_devices":
            cleaned[name] = _number(name, value, lo=0, hi=MAX_DEVICES, integer=True, errors=errors)
        elif name == "income_per_capita":
            cleaned[name] = _number(name, value, lo=0, hi=MAX_INCOME, integer=True, errors=errors)
        elif name == "internet":
            cleaned[name] = _nullable_bool(name, value, errors)
        elif name == "income_sources":
            try:
                cleaned[name] = check_codes("income_source", value)
            except UnknownCode as exc:
                errors[name] = exc.message
        elif name == "phone":
            phone = normalise_phone(value)
            if phone and not PHONE_RE.match(phone):
                errors[name] = "Số điện thoại: 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84."
            cleaned[name] = phone
        elif name in GROUP_FIELDS:
            cleaned[name] = _nullable_bool(name, value, errors, nullable=False)
        else:
            errors[name] = f"Trường không hợp lệ: {name}"
    return cleaned, errors


def clean_causes_needs(
    poverty_causes: Any, support_needs: Any
) -> tuple[dict[str, list[str]], dict[str, str]]:
    cleaned: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for name, list_name, value in (
        ("poverty_causes", "poverty_cause", poverty_causes),
        ("support_needs", "support_need", support_needs),
    ):
        if value is None:
            continue
        try:
            cleaned[name] = check_codes(list_name, value)
        except UnknownCode as exc:
            errors[name] = exc.message
    return cleaned, errors


def clean_member(
    fields: dict[str, Any], *, today: dt.date | None = None, accept_unknown_id_prefix: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a member's fields (a full set on creation, a partial set on update: the caller merges
    the current values in first so the personal ID is checked against date of birth and sex).

    A personal ID whose first 3 digits are in neither the province list nor the country list is a
    warning, reported as the error :data:`UNKNOWN_ID_PREFIX` until an officer accepts it
    (``accept_unknown_id_prefix``): a birth registered abroad carries a country code, and the
    country list was not found (Decree 137/2015 Art. 13)."""
    today = today or dt.date.today()
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        if name == "full_name":
            name_value = " ".join(str(value or "").split())
            if not name_value:
                errors[name] = "Họ và tên không được để trống."
            elif len(name_value) > 150:
                errors[name] = "Họ và tên quá dài (tối đa 150 ký tự)."
            cleaned[name] = name_value
        elif name == "date_of_birth":
            if not isinstance(value, dt.date):
                errors[name] = "Ngày sinh không hợp lệ."
            elif value > today:
                errors[name] = "Ngày sinh không được sau ngày hôm nay."
            elif value < OLDEST_BIRTH:
                errors[name] = "Ngày sinh không được trước năm 1900."
            cleaned[name] = value
        elif name in MEMBER_CODED:
            try:
                cleaned[name] = check_code(
                    MEMBER_CODED[name], value, blank=name not in {"sex", "relation_to_head"}
                )
            except UnknownCode as exc:
                errors[name] = exc.message
        elif name == "personal_id":
            cleaned[name] = (str(value).strip() if value else "") or None
        elif name == "ethnicity":  # one of the 54 official groups (issue 8)
            try:
                cleaned[name] = ethnicity.canonical(value)
            except ethnicity.UnknownEthnicity as exc:
                errors[name] = exc.message
                cleaned[name] = " ".join(str(value or "").split())[:40]
        elif name in MEMBER_BOOL_FIELDS:
            cleaned[name] = _nullable_bool(name, value, errors, nullable=False)
        elif name in MEMBER_NULLABLE_BOOL_FIELDS:
            cleaned[name] = _nullable_bool(name, value, errors)
        else:
            errors[name] = f"Trường không hợp lệ: {name}"
    pid = cleaned.get("personal_id")
    if pid and "personal_id" not in errors:
        dob = cleaned.get("date_of_birth")
        sex = cleaned.get("sex")
        try:
            validate_personal_id(
                pid,
                date_of_birth=dob if "date_of_birth" not in errors else None,
                sex=sex if sex and "sex" not in errors else None,
                allow_unknown_prefix=True,
            )
        except InvalidPersonalId as exc:
            reason = PERSONAL_ID_MESSAGES.get(exc.reason_code, exc.message)
            errors["personal_id"] = f"Số định danh {pid}: {reason}."
        else:
            if not accept_unknown_id_prefix and prefix_kind(pid) == "unknown":
                errors["personal_id"] = unknown_prefix_message(pid)
    return cleaned, errors


#: Start of the warning about a prefix in neither list (forms look for it to offer "accept").
UNKNOWN_ID_PREFIX = "chưa có trong danh sách mã nơi đăng ký khai sinh"


def unknown_prefix_message(pid: str) -> str:
    return (
        f"Số định danh {pid}: 3 chữ số đầu “{pid[:3]}” {UNKNOWN_ID_PREFIX} (63 mã tỉnh và các mã quốc gia "
        "đã khai báo). Nếu người này đăng ký khai sinh ở nước ngoài (mã quốc gia) và số đúng như trên "
        "giấy tờ, đánh dấu “Xác nhận số định danh” rồi lưu lại."
    )


def message(errors: dict[str, str]) -> str:
    """All messages in one sentence, for the ValidationError raised by a service."""
    return " ".join(dict.fromkeys(errors.values()))
