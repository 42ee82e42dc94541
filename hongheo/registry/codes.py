"""Code lists of the registry with their Vietnamese labels (shown in pages and exports)."""

from __future__ import annotations

HOUSING_QUALITY = {
    "durable": "Nhà kiên cố",
    "semi_durable": "Nhà bán kiên cố",
    "non_durable": "Nhà thiếu kiên cố",
    "makeshift": "Nhà đơn sơ",
}
WATER_SOURCE = {
    "piped": "Nước máy",
    "protected_well": "Giếng khoan/giếng đào được bảo vệ",
    "rainwater": "Nước mưa",
    "unprotected_well": "Giếng không được bảo vệ",
    "surface": "Nước sông, suối, ao hồ",
    "purchased": "Nước mua (bình, xe chở)",
}
TOILET = {
    "flush_septic": "Tự hoại/bán tự hoại",
    "improved_pit": "Hố xí cải tiến",
    "unimproved": "Hố xí không hợp vệ sinh",
    "none": "Không có nhà tiêu",
}
WASTE_HANDLING = {
    "collected": "Được thu gom",
    "burned_buried": "Tự đốt/chôn",
    "dumped": "Vứt bỏ tự do",
}
EMPLOYMENT = {
    "wage_with_contract": "Làm công có hợp đồng",
    "wage_no_contract": "Làm công không có hợp đồng",
    "self_employed": "Tự làm",
    "unemployed": "Thất nghiệp",
    "not_in_labour_force": "Không tham gia lao động",
}
EDUCATION_LEVEL = {
    "none": "Chưa đi học",
    "primary": "Tiểu học",
    "lower_secondary": "Trung học cơ sở",
    "upper_secondary": "Trung học phổ thông",
    "vocational": "Trung cấp/nghề",
    "college": "Cao đẳng",
    "university": "Đại học trở lên",
}
ALL = {
    "housing_quality": HOUSING_QUALITY,
    "water_source": WATER_SOURCE,
    "toilet": TOILET,
    "waste_handling": WASTE_HANDLING,
    "employment": EMPLOYMENT,
    "education_level": EDUCATION_LEVEL,
}


def label(list_name: str, code: str | None) -> str:
    if not code:
        return "—"
    return ALL.get(list_name, {}).get(code, code)
