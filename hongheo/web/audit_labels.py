"""The audit trail in words: Vietnamese names of actions and object types (the codes stay in the
data and in the CSV export; the page shows these)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

ACTIONS_VI = {
    "admin.delete": "Xóa trong trang quản trị",
    "audit.export": "Xuất nhật ký",
    "auth.login": "Đăng nhập",
    "auth.login_failed": "Đăng nhập sai",
    "capture.import_duplicate": "Nhập lại tệp đã nhập",
    "capture.import_households": "Nhập danh sách hộ",
    "capture.import_mapping_save": "Lưu mẫu ghép cột",
    "capture.import_summary": "Kết quả nhập danh sách",
    "capture.import_upload": "Tải tệp lên để nhập",
    "geography.commune_set_setting": "Đặt khu vực thành thị/nông thôn",
    "geography.map_load": "Nạp bản đồ hành chính",
    "geography.village_create": "Thêm thôn, tổ dân phố",
    "job.enqueue": "Tạo tác vụ nền",
    "job.retry": "Chạy lại tác vụ nền",
    "registry.export_households": "Xuất danh sách hộ (Excel)",
    "registry.household_change_head": "Đổi chủ hộ",
    "registry.household_create": "Đăng ký hộ",
    "registry.household_merge": "Nhập hộ",
    "registry.household_merge_target": "Nhận nhập hộ",
    "registry.household_move_village": "Chuyển thôn",
    "registry.household_split": "Tách hộ",
    "registry.household_update": "Sửa thông tin hộ",
    "registry.household_update_groups": "Sửa nhóm, nguyên nhân, nhu cầu",
    "registry.household_view": "Xem thông tin hộ",
    "registry.households_bulk_load": "Nạp hàng loạt hộ",
    "registry.member_add": "Thêm nhân khẩu",
    "registry.member_move": "Chuyển nhân khẩu sang hộ khác",
    "registry.member_record_death": "Ghi nhận nhân khẩu qua đời",
    "registry.member_record_move_away": "Ghi nhận nhân khẩu chuyển đi",
    "registry.member_update": "Sửa thông tin nhân khẩu",
    "registry.support_received_add": "Ghi nhận hỗ trợ đã nhận",
    "registry.synth_load": "Nạp dữ liệu mô phỏng",
    "reports.household_list_export": "Xuất danh sách hộ nghèo, cận nghèo",
    "reports.submission_record": "Ghi nhận đã nộp báo cáo",
    "reviews.application_receive": "Tiếp nhận giấy đề nghị",
    "reviews.application_refuse": "Từ chối giấy đề nghị",
    "reviews.certificate_print": "In giấy chứng nhận",
    "reviews.complaint_receive": "Tiếp nhận khiếu nại",
    "reviews.complaint_resolve": "Ghi kết quả phúc tra",
    "reviews.decision_pdf_attach": "Lưu bản in quyết định",
    "reviews.decision_sign": "Ký quyết định công nhận",
    "reviews.demo_statuses_seed": "Nạp danh sách demo",
    "reviews.entry_add": "Thêm hộ vào đợt rà soát",
    "reviews.meeting_minutes_attach": "Lưu biên bản họp",
    "reviews.meeting_record": "Ghi biên bản họp dân",
    "reviews.posting_list_print": "In danh sách niêm yết",
    "reviews.posting_record": "Ghi nhận niêm yết",
    "reviews.round_open": "Mở đợt rà soát",
    "reviews.round_advance": "Chuyển bước đợt rà soát",
    "reviews.screening_record": "Ghi Phiếu A",
    "reviews.status_baseline_set": "Ghi loại hộ ban đầu",
    "reviews.status_household_closed": "Đóng loại hộ (hộ không còn)",
    "reviews.survey_record": "Ghi Phiếu B",
    "standards.classification_run": "Xếp loại theo chuẩn",
    "standards.classify_area": "Xếp loại địa bàn",
    "standards.draft_create": "Tạo bản nháp chuẩn nghèo",
    "standards.draft_update": "Sửa bản nháp chuẩn nghèo",
    "standards.publish": "Công bố chuẩn nghèo",
    "standards.what_if_run": "Mô phỏng xếp loại",
    "users.assign_area": "Giao địa bàn",
    "users.user_create": "Tạo người dùng",
}

OBJECTS_VI = {
    "registry.household": "Hộ",
    "registry.member": "Nhân khẩu",
    "reviews.reviewround": "Đợt rà soát",
    "reviews.roundentry": "Hộ trong đợt",
    "reviews.application": "Giấy đề nghị",
    "reviews.certificate": "Giấy chứng nhận",
    "reviews.decision": "Quyết định",
    "reviews.communitymeeting": "Cuộc họp dân",
    "reviews.householdstatus": "Loại hộ chính thức",
    "geography.area": "Địa bàn",
    "core.job": "Tác vụ nền",
    "users.user": "Người dùng",
    "capture.importbatch": "Lần nhập",
    "standards.classificationrun": "Lần xếp loại",
}

#: where an object of the trail can be opened (only pages that check access themselves)
_LINKS = {
    "registry.household": ("web:household_detail", int),
    "reviews.reviewround": ("web:review_round", int),
    "core.job": ("web:job_detail", str),
    "capture.importbatch": ("web:import_detail", int),
    "standards.classificationrun": ("web:run_detail", str),
}


def action_label(action: str) -> str:
    return ACTIONS_VI.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECTS_VI.get(object_type, object_type)


def object_link(object_type: str, object_id: Any) -> str:
    target = _LINKS.get(object_type)
    if target is None or not object_id:
        return ""
    name, cast = target
    try:
        return reverse(name, args=[cast(object_id)])
    except (ValueError, NoReverseMatch):
        return ""


def _field_label(name: str) -> str:
    from hongheo.registry import code_lists
    from hongheo.registry.models import Household, Member
    from hongheo.registry.validation import FIELD_LABELS

    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if name in code_lists.list_names():
        return code_lists.list_label(name)
    for model in (Household, Member):
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
        except Exception:  # noqa: S112  (not a field of this model)
            continue
        if label != name.replace("_", " "):
            return label
    return name


def changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(field label, before, after) for the fields an event changed or recorded."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key, ""), after.get(key, "")
        rows.append((_field_label(key), "" if old is None else str(old), "" if new is None else str(new)))
    return rows
