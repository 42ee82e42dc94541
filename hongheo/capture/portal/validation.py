"""Checks of a portal submission, field by field, with Vietnamese messages keyed by the field's
path (``declarant.personal_id``, ``members.2.date_of_birth``, ``incomes.0.amount``…) so a page or
another front end can show each message on its field. Nothing is written here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from hongheo.core.errors import ValidationError
from hongheo.core.ids import InvalidPersonalId, validate_personal_id
from hongheo.geography.models import Area
from hongheo.registry import code_lists
from hongheo.registry.validation import (
    PERSONAL_ID_MESSAGES,
    PHONE_RE,
    clean_household_facts,
    clean_member,
    normalise_phone,
)

from .assessment import MAX_SOURCE_PER_MONTH, PERIODS, income_per_person_month

MAX_MEMBERS = 30
MAX_INCOMES = 30
MAX_TEXT = 1000
MAX_ADDRESS = 300
LIVING_KEYS = (
    "housing_quality",
    "floor_area_m2",
    "water_source",
    "toilet",
    "waste_handling",
    "internet",
    "information_devices",
)
MEMBER_KEYS = (
    "full_name",
    "date_of_birth",
    "sex",
    "relation_to_head",
    "personal_id",
    "in_school",
    "education_level",
    "has_qualification",
    "health_insurance",
    "disability",
    "employment",
)
MEMBER_BOOLS = ("in_school", "has_qualification", "health_insurance", "disability")


@dataclass
class Cleaned:
    commune: Area
    village: Area | None
    address: str
    declarant: dict[str, Any]
    phone: str
    members: list[dict[str, Any]]
    living: dict[str, Any]
    incomes: list[dict[str, Any]]
    income_per_capita: int
    reason: str
    errors: dict[str, str] = field(default_factory=dict)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _bool(value: Any) -> bool | None:
    if value in (True, False, None):
        return value  # type: ignore[return-value]
    text = str(value).strip().lower()
    if text in ("1", "true", "co", "có", "yes"):
        return True
    if text in ("0", "false", "khong", "không", "no"):
        return False
    if text == "":
        return None
    raise ValueError(text)


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[: limit + 1]


def find_commune(code: Any) -> Area | None:
    code = str(code or "").strip()
    if not code or len(code) > 16:
        return None
    return Area.objects.filter(code=code, level=Area.Level.COMMUNE, is_active=True).first()


def find_village(commune: Area, code: str) -> Area | None:
    return Area.objects.filter(
        code=code[:16], parent=commune, level=Area.Level.VILLAGE, is_active=True
    ).first()


# Every submission names a commune and a village of the map, which changes a few times a year: the
# places found are kept per process for PORTAL_CACHE_SECONDS (only places that exist, so the cache
# holds at most the map). A place removed from the map is still accepted for that long; the worker's
# registry work then checks it again.
_PLACES: dict[tuple[str, str], tuple[float, Area, Area | None]] = {}
_PLACES_MAX = 50_000


def places_cache_clear() -> None:
    _PLACES.clear()


def find_place(commune_code: Any, village_code: Any) -> tuple[Area | None, Area | None, bool]:
    """(commune, village, village_ok): the commune on the current map and the village of it."""
    key = (str(commune_code or "").strip(), str(village_code or "").strip())
    ttl = float(getattr(settings, "PORTAL_CACHE_SECONDS", 60))
    now = time.monotonic()
    hit = _PLACES.get(key) if ttl > 0 else None
    if hit is not None and now - hit[0] < ttl:
        return hit[1], hit[2], True
    commune = find_commune(key[0])
    if commune is None:
        return None, None, False
    village = find_village(commune, key[1]) if key[1] else None
    if key[1] and village is None:
        return commune, None, False
    if ttl > 0:
        if len(_PLACES) >= _PLACES_MAX:
            _PLACES.clear()
        _PLACES[key] = (now, commune, village)
    return commune, village, True


def clean_members(raw: Any, errors: dict[str, str], *, today: dt.date) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors["members"] = "Khai ít nhất một người trong hộ (chủ hộ)."
        return []
    if len(raw) > MAX_MEMBERS:
        errors["members"] = f"Tối đa {MAX_MEMBERS} người trong một hộ."
        return []
    out: list[dict[str, Any]] = []
    for n, row in enumerate(raw):
        prefix = f"members.{n}."
        if not isinstance(row, dict):
            errors[f"members.{n}"] = "Dòng không hợp lệ."
            continue
        fields: dict[str, Any] = {}
        for key in ("full_name", "sex", "relation_to_head", "education_level", "employment", "personal_id"):
            fields[key] = _text(row.get(key), 200)
        dob = _date(row.get("date_of_birth"))
        if dob is None:
            errors[prefix + "date_of_birth"] = "Ngày sinh không hợp lệ."
            dob = dt.date(1900, 1, 1)
        fields["date_of_birth"] = dob
        for key in MEMBER_BOOLS:
            try:
                fields[key] = _bool(row.get(key))
            except ValueError:
                errors[prefix + key] = "Chọn Có hoặc Không."
        if fields.get("disability") is None:
            fields["disability"] = False
        fields["personal_id"] = fields["personal_id"] or None
        # a prefix in neither list (a birth registered abroad) is not refused here: the ID is kept on
        # the submission and put on the registry only when an officer accepts it
        cleaned, member_errors = clean_member(fields, today=today, accept_unknown_id_prefix=True)
        for key, message in member_errors.items():
            errors.setdefault(prefix + key, message)
        out.append(cleaned)
    heads = [m for m in out if m.get("relation_to_head") == "head"]
    if out and len(heads) != 1:
        errors["members"] = (
            "Hộ chưa có chủ hộ: chọn một người là chủ hộ."
            if not heads
            else "Mỗi hộ chỉ có đúng một chủ hộ: đang có " + str(len(heads)) + " người là chủ hộ."
        )
    ids = [m["personal_id"] for m in out if m.get("personal_id")]
    if len(ids) != len(set(ids)):
        errors["members"] = "Hai người trong hộ trùng số định danh."
    return out


def clean_incomes(raw: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        errors["incomes"] = "Khai các nguồn thu nhập của hộ (có thể để trống nếu không có)."
        return []
    if len(raw) > MAX_INCOMES:
        errors["incomes"] = f"Tối đa {MAX_INCOMES} nguồn thu nhập."
        return []
    sources = code_lists.labels("income_source")
    out = []
    for n, row in enumerate(raw):
        prefix = f"incomes.{n}."
        if not isinstance(row, dict):
            errors[f"incomes.{n}"] = "Dòng không hợp lệ."
            continue
        source = str(row.get("source") or "")
        period = str(row.get("period") or "")
        if source not in sources:
            errors[prefix + "source"] = "Chọn nguồn thu nhập trong danh sách."
        if period not in PERIODS:
            errors[prefix + "period"] = "Chọn theo tháng hoặc theo năm."
            period = "month"
        amount = row.get("amount")
        try:
            if isinstance(amount, bool):
                raise ValueError
            value = int(str(amount).replace(".", "").replace(",", "").strip()) if amount != "" else 0
        except (TypeError, ValueError):
            errors[prefix + "amount"] = "Số tiền phải là số nguyên (đồng)."
            continue
        if value < 0:
            errors[prefix + "amount"] = "Số tiền không được âm."
        elif value / PERIODS[period] > MAX_SOURCE_PER_MONTH:
            errors[prefix + "amount"] = "Số tiền quá lớn: kiểm tra lại (đồng, theo tháng hoặc theo năm)."
        out.append({"source": source, "amount": value, "period": period})
    return out


def clean_living(raw: Any, errors: dict[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors["living"] = "Thiếu điều kiện sống của hộ."
        return {}
    facts: dict[str, Any] = {}
    for key in LIVING_KEYS:
        value = raw.get(key)
        if value in ("", None):
            continue
        if key == "internet":
            try:
                value = _bool(value)
            except ValueError:
                errors["living.internet"] = "Chọn Có hoặc Không."
                continue
        elif key in ("floor_area_m2", "information_devices"):
            try:
                value = float(value) if key == "floor_area_m2" else int(value)
            except (TypeError, ValueError):
                errors["living." + key] = "Phải là số."
                continue
        facts[key] = value
    cleaned, facts_errors = clean_household_facts(facts)
    for key, message in facts_errors.items():
        errors["living." + key] = message
    return cleaned


def clean_declarant(raw: Any, errors: dict[str, str], *, today: dt.date) -> tuple[dict[str, Any], str]:
    if not isinstance(raw, dict):
        errors["declarant"] = "Thiếu thông tin người khai."
        return {}, ""
    name = _text(raw.get("full_name"), 150)
    if not name:
        errors["declarant.full_name"] = "Nhập họ và tên người khai."
    elif len(name) > 150:
        errors["declarant.full_name"] = "Họ và tên quá dài (tối đa 150 ký tự)."
    pid = _text(raw.get("personal_id"), 12).replace(" ", "")
    dob = _date(raw.get("date_of_birth"))
    sex = str(raw.get("sex") or "")
    if dob is None or dob > today or dob.year < 1900:
        errors["declarant.date_of_birth"] = "Ngày sinh không hợp lệ."
    if sex not in ("male", "female"):
        errors["declarant.sex"] = "Chọn giới tính."
    try:
        validate_personal_id(
            pid,
            date_of_birth=dob if "declarant.date_of_birth" not in errors else None,
            sex=sex if sex in ("male", "female") else None,
            allow_unknown_prefix=True,
        )
    except InvalidPersonalId as exc:
        errors["declarant.personal_id"] = (
            f"Số định danh: {PERSONAL_ID_MESSAGES.get(exc.reason_code, exc.message)}."
        )
    phone = normalise_phone(str(raw.get("phone") or ""))[:21]
    if phone and not PHONE_RE.match(phone):
        errors["declarant.phone"] = "Số điện thoại: 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84."
    return {"full_name": name, "personal_id": pid, "date_of_birth": dob, "sex": sex}, phone


def clean_submission(payload: dict[str, Any], *, today: dt.date, need_income: bool = True) -> Cleaned:
    """Every check of the form; raises :class:`ValidationError` with ``details["fields"]``."""
    errors: dict[str, str] = {}
    commune, village, village_ok = find_place(payload.get("commune"), payload.get("village"))
    if commune is None:
        errors["commune"] = "Chọn xã, phường trên bản đồ hành chính hiện hành."
    elif not village_ok:
        errors["village"] = "Thôn, tổ dân phố không thuộc xã đã chọn."
    address = _text(payload.get("address"), MAX_ADDRESS)
    if len(address) > MAX_ADDRESS:
        errors["address"] = f"Địa chỉ quá dài (tối đa {MAX_ADDRESS} ký tự)."
    reason = str(payload.get("reason") or "").strip()
    if len(reason) > MAX_TEXT:
        errors["reason"] = f"Lý do đề nghị quá dài (tối đa {MAX_TEXT} ký tự)."
    declarant, phone = clean_declarant(payload.get("declarant"), errors, today=today)
    members = clean_members(payload.get("members"), errors, today=today)
    pid = declarant.get("personal_id")
    if (
        pid
        and members
        and "declarant.personal_id" not in errors
        and not any(m.get("personal_id") == pid for m in members)
    ):
        errors.setdefault(
            "members", "Người khai phải có tên trong danh sách người trong hộ (cùng số định danh)."
        )
    living = clean_living(payload.get("living"), errors)
    incomes = clean_incomes(payload.get("incomes"), errors)
    if not address and "address" not in errors and need_income:
        errors["address"] = "Nhập địa chỉ nơi ở (số nhà, xóm, đường…)."
    income = (
        income_per_person_month(incomes, len(members))
        if members and not any(k.startswith("incomes") for k in errors)
        else 0
    )
    if errors:
        raise ValidationError(_summary(errors), code="invalid", details={"fields": errors})
    assert commune is not None
    return Cleaned(commune, village, address, declarant, phone, members, living, incomes, income, reason)


def _summary(errors: dict[str, str]) -> str:
    first = next(iter(errors.values()))
    if len(errors) == 1:
        return first
    return f"Có {len(errors)} chỗ cần sửa. Ví dụ: {first}"
