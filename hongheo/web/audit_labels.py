"""The audit trail in words: Vietnamese names of actions and object types (the codes stay in the
data and in the CSV export; the page shows these)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

ACTIONS_VI = {  # shown in the user's language at display time (|en → catalogue)
    "fieldwork.submission_accept": gettext_noop("Nhận phiếu từ thực địa (chờ ghi)"),
    "registry.membership_apply": gettext_noop("Áp dụng thay đổi nhân khẩu theo quyết định"),
    "reviews.entry_add_found": gettext_noop("Đưa hộ mới phát hiện vào đợt rà soát"),
    "admin.add": gettext_noop("Thêm trong trang quản trị"),
    "admin.change": gettext_noop("Sửa trong trang quản trị"),
    "admin.delete": gettext_noop("Xóa trong trang quản trị"),
    "audit.export": gettext_noop("Xuất nhật ký"),
    "auth.login": gettext_noop("Đăng nhập"),
    "auth.login_failed": gettext_noop("Đăng nhập sai"),
    "capture.import_duplicate": gettext_noop("Nhập lại tệp đã nhập"),
    "capture.import_households": gettext_noop("Nhập danh sách hộ"),
    "capture.import_mapping_save": gettext_noop("Lưu mẫu ghép cột"),
    "capture.import_personal_id_elsewhere": gettext_noop("Số định danh đã thuộc hộ khác (khi nhập)"),
    "capture.import_rejected_download": gettext_noop("Tải các dòng bị từ chối khi nhập"),
    "capture.import_summary": gettext_noop("Kết quả nhập danh sách"),
    "capture.import_upload": gettext_noop("Tải tệp lên để nhập"),
    "capture.portal_complain": gettext_noop("Người dân gửi khiếu nại qua cổng"),
    "capture.portal_process": gettext_noop("Ghi hồ sơ gửi qua cổng vào danh sách của xã"),
    "capture.portal_request_exit": gettext_noop("Người dân đề nghị thoát nghèo qua cổng"),
    "capture.portal_status_view": gettext_noop("Người dân xem tình trạng hồ sơ"),
    "capture.portal_submit": gettext_noop("Người dân gửi hồ sơ qua cổng"),
    "core.job_result_download": gettext_noop("Tải kết quả tác vụ nền"),
    "fieldwork.assignments_download": gettext_noop("Tải danh sách hộ được giao (thực địa)"),
    "fieldwork.conflict_resolve": gettext_noop("Xử lý xung đột phiếu thực địa"),
    "fieldwork.conflict_view": gettext_noop("Xem phiếu thực địa xung đột"),
    "fieldwork.device_token_create": gettext_noop("Tạo mã thiết bị ODK"),
    "fieldwork.device_token_revoke": gettext_noop("Thu hồi mã thiết bị ODK"),
    "fieldwork.new_household_receive": gettext_noop("Nhận hộ mới từ thực địa"),
    "fieldwork.odk_households_csv": gettext_noop("Tải danh sách hộ cho ODK"),
    "fieldwork.photo_receive": gettext_noop("Nhận ảnh từ thực địa"),
    "fieldwork.submission_conflict": gettext_noop("Phiếu thực địa xung đột"),
    "fieldwork.submission_id_reused": gettext_noop("Mã phiếu thực địa bị dùng lại"),
    "fieldwork.submission_receive": gettext_noop("Nhận phiếu thực địa"),
    "geography.commune_set_setting": gettext_noop("Đặt khu vực thành thị/nông thôn"),
    "geography.map_load": gettext_noop("Nạp bản đồ hành chính"),
    "geography.village_create": gettext_noop("Thêm thôn, tổ dân phố"),
    "job.enqueue": gettext_noop("Tạo tác vụ nền"),
    "job.interrupted": gettext_noop("Tác vụ nền bị gián đoạn"),
    "job.retry": gettext_noop("Chạy lại tác vụ nền"),
    "linkage.member_match": gettext_noop("Đối chiếu nhân khẩu mới với dữ liệu dân cư"),
    "linkage.population_links_view": gettext_noop("Xem ứng viên ghép dữ liệu dân cư"),
    "linkage.candidates_bulk_accept": gettext_noop("Chấp nhận hàng loạt cặp ghép"),
    "linkage.extract_import": gettext_noop("Nạp dữ liệu dân cư"),
    "linkage.extract_reject": gettext_noop("Từ chối tệp dữ liệu dân cư"),
    "linkage.extract_upload": gettext_noop("Tải lên tệp dữ liệu dân cư"),
    "linkage.findings_view": gettext_noop("Xem kết quả đối chiếu"),
    "linkage.quality_export": gettext_noop("Xuất kết quả kiểm tra chất lượng"),
    "linkage.quality_members_view": gettext_noop("Xem nhân khẩu cần kiểm tra"),
    "linkage.review_queue_view": gettext_noop("Xem danh sách cặp cần xem xét"),
    "linkage.run_finish": gettext_noop("Kết thúc lần ghép dữ liệu"),
    "linkage.run_start": gettext_noop("Bắt đầu lần ghép dữ liệu"),
    "oversight.dashboard_export": gettext_noop("Xuất số liệu theo dõi"),
    "oversight.designation_set": gettext_noop("Phân loại địa bàn"),
    "oversight.province_key_register": gettext_noop("Đăng ký khoá của tỉnh"),
    "oversight.push_receive": gettext_noop("Nhận báo cáo của tỉnh"),
    "oversight.push_reject": gettext_noop("Từ chối báo cáo của tỉnh"),
    "oversight.push_send": gettext_noop("Gửi báo cáo lên trung ương"),
    "oversight.target_create": gettext_noop("Đặt chỉ tiêu"),
    "oversight.target_retire": gettext_noop("Thôi áp dụng chỉ tiêu"),
    "registry.export_households": gettext_noop("Xuất danh sách hộ (Excel)"),
    "registry.facts_apply": gettext_noop("Áp dụng thông tin từ thực địa"),
    "registry.facts_record": gettext_noop("Ghi thông tin của hộ"),
    "registry.household_change_head": gettext_noop("Đổi chủ hộ"),
    "registry.household_confirm": gettext_noop("Xác nhận hộ tạm"),
    "registry.household_create": gettext_noop("Đăng ký hộ"),
    "registry.household_create_provisional": gettext_noop("Lập hộ tạm"),
    "registry.household_edit_view": gettext_noop("Mở trang sửa thông tin hộ"),
    "registry.household_merge": gettext_noop("Nhập hộ"),
    "registry.household_merge_target": gettext_noop("Nhận nhập hộ"),
    "registry.household_move_village": gettext_noop("Chuyển thôn"),
    "registry.household_split": gettext_noop("Tách hộ"),
    "registry.household_update": gettext_noop("Sửa thông tin hộ"),
    "registry.household_update_groups": gettext_noop("Sửa nhóm, nguyên nhân, nhu cầu"),
    "registry.household_view": gettext_noop("Xem thông tin hộ"),
    "registry.households_bulk_load": gettext_noop("Nạp hàng loạt hộ"),
    "registry.member_add": gettext_noop("Thêm nhân khẩu"),
    "registry.member_edit_view": gettext_noop("Mở trang sửa thông tin nhân khẩu"),
    "registry.member_move": gettext_noop("Chuyển nhân khẩu sang hộ khác"),
    "registry.member_record_death": gettext_noop("Ghi nhận nhân khẩu qua đời"),
    "registry.member_record_move_away": gettext_noop("Ghi nhận nhân khẩu chuyển đi"),
    "registry.member_update": gettext_noop("Sửa thông tin nhân khẩu"),
    "registry.ethnic_groups_load": gettext_noop("Nạp danh mục dân tộc"),
    "support.household_view": gettext_noop("Xem kế hoạch hỗ trợ của hộ"),
    "registry.personal_id_check": gettext_noop("Kiểm tra số định danh"),
    "registry.personal_id_check_refused": gettext_noop("Từ chối kiểm tra số định danh (quá nhiều lần)"),
    "registry.support_received_add": gettext_noop("Ghi nhận hỗ trợ đã nhận"),
    "registry.synth_load": gettext_noop("Nạp dữ liệu mô phỏng"),
    "reports.household_list_export": gettext_noop("Xuất danh sách hộ nghèo, cận nghèo"),
    "reports.submission_record": gettext_noop("Ghi nhận đã nộp báo cáo"),
    "reviews.application_receive": gettext_noop("Tiếp nhận giấy đề nghị"),
    "reviews.application_refuse": gettext_noop("Từ chối giấy đề nghị"),
    "reviews.certificate_print": gettext_noop("In giấy chứng nhận"),
    "reviews.complaint_receive": gettext_noop("Tiếp nhận khiếu nại"),
    "reviews.complaint_resolve": gettext_noop("Ghi kết quả phúc tra"),
    "reviews.decision_pdf_attach": gettext_noop("Lưu bản in quyết định"),
    "reviews.decision_sign": gettext_noop("Ký quyết định công nhận"),
    "reviews.demo_statuses_seed": gettext_noop("Nạp danh sách demo"),
    "reviews.entry_add": gettext_noop("Thêm hộ vào đợt rà soát"),
    "reviews.meeting_minutes_attach": gettext_noop("Lưu biên bản họp"),
    "reviews.meeting_record": gettext_noop("Ghi biên bản họp dân"),
    "reviews.posting_list_print": gettext_noop("In danh sách niêm yết"),
    "reviews.posting_record": gettext_noop("Ghi nhận niêm yết"),
    "reviews.round_advance": gettext_noop("Chuyển bước đợt rà soát"),
    "reviews.round_cancel": gettext_noop("Hủy đợt rà soát"),
    "reviews.round_open": gettext_noop("Mở đợt rà soát"),
    "reviews.screening_record": gettext_noop("Ghi Phiếu A"),
    "reviews.status_baseline_set": gettext_noop("Ghi loại hộ ban đầu"),
    "reviews.status_household_closed": gettext_noop("Đóng loại hộ (hộ không còn)"),
    "reviews.survey_record": gettext_noop("Ghi Phiếu B"),
    "reviews.survey_view": gettext_noop("Xem Phiếu B"),
    "score_table.import": gettext_noop("Nhập bảng điểm Phiếu B"),
    "score_table.publish": gettext_noop("Công bố bảng điểm Phiếu B"),
    "score_table.reimport": gettext_noop("Nhập lại bảng điểm Phiếu B"),
    "screening_list.import": gettext_noop("Nhập tiêu chí Phiếu A"),
    "screening_list.publish": gettext_noop("Công bố tiêu chí Phiếu A"),
    "screening_list.reimport": gettext_noop("Nhập lại tiêu chí Phiếu A"),
    "standards.classification_run": gettext_noop("Xếp loại theo chuẩn"),
    "standards.classify_area": gettext_noop("Xếp loại địa bàn"),
    "standards.draft_create": gettext_noop("Tạo bản nháp chuẩn nghèo"),
    "standards.draft_update": gettext_noop("Sửa bản nháp chuẩn nghèo"),
    "standards.household_classify": gettext_noop("Xếp loại hộ theo chuẩn"),
    "standards.publish": gettext_noop("Công bố chuẩn nghèo"),
    "standards.what_if_run": gettext_noop("Mô phỏng xếp loại"),
    "support.assignment_end": gettext_noop("Kết thúc giúp đỡ hộ"),
    "support.commune_export": gettext_noop("Xuất kế hoạch hỗ trợ của xã"),
    "support.help_list_export.pdf": gettext_noop("Xuất danh sách hộ được giúp đỡ (PDF)"),
    "support.help_list_export.xlsx": gettext_noop("Xuất danh sách hộ được giúp đỡ (Excel)"),
    "support.households_assign": gettext_noop("Giao hộ cho tổ chức giúp đỡ"),
    "support.organisation_create": gettext_noop("Thêm tổ chức giúp đỡ"),
    "support.organisation_update": gettext_noop("Sửa tổ chức giúp đỡ"),
    "support.plan_item_add": gettext_noop("Thêm nội dung hỗ trợ vào kế hoạch"),
    "support.plan_item_follow_up": gettext_noop("Ghi kết quả hỗ trợ"),
    "support.round_send_back": gettext_noop("Trả hộ về bước trước"),
    "system.restore": gettext_noop("Khôi phục dữ liệu từ bản sao lưu"),
    "users.assign_area": gettext_noop("Giao địa bàn"),
    "users.password_change": gettext_noop("Đổi mật khẩu"),
    "users.personal_data_grant": gettext_noop("Cấp quyền xem dữ liệu cá nhân"),
    "users.personal_data_revoke": gettext_noop("Thu hồi quyền xem dữ liệu cá nhân"),
    "users.profile_update": gettext_noop("Sửa hồ sơ người dùng"),
    "users.user_create": gettext_noop("Tạo người dùng"),
}

OBJECTS_VI = {
    "registry.household": gettext_noop("Hộ"),
    "registry.member": gettext_noop("Nhân khẩu"),
    "reviews.reviewround": gettext_noop("Đợt rà soát"),
    "reviews.roundentry": gettext_noop("Hộ trong đợt"),
    "reviews.application": gettext_noop("Giấy đề nghị"),
    "reviews.certificate": gettext_noop("Giấy chứng nhận"),
    "reviews.decision": gettext_noop("Quyết định"),
    "reviews.communitymeeting": gettext_noop("Cuộc họp dân"),
    "reviews.householdstatus": gettext_noop("Loại hộ chính thức"),
    "geography.area": gettext_noop("Địa bàn"),
    "core.job": gettext_noop("Tác vụ nền"),
    "users.user": gettext_noop("Người dùng"),
    "capture.importbatch": gettext_noop("Lần nhập"),
    "standards.classificationrun": gettext_noop("Lần xếp loại"),
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
    """The registry's name, else the model's own (translatable) name, else the code."""
    if object_type in OBJECTS_VI:
        return OBJECTS_VI[object_type]
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


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


def _value(key: str, value: Any) -> str:
    """A stored value as shown: a code of a code list by its label ("none" → "Không có nhà tiêu")."""
    from hongheo.registry import code_lists
    from hongheo.web.i18n_data import display

    if value is None:
        return ""
    if key in code_lists.list_names():
        if isinstance(value, str) and value:
            return str(display(code_lists.label(key, value)))
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ", ".join(str(display(code_lists.label(key, v))) for v in value)
    return str(value)


def changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(field label, before, after) for the fields an event changed or recorded, in the user's
    language (labels and code-list values)."""
    from hongheo.web.i18n_data import display

    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key, ""), after.get(key, "")
        rows.append((str(display(_field_label(key))), _value(key, old), _value(key, new)))
    return rows
