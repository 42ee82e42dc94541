from django.urls import include, path

from hongheo.web import household_views

from . import review_views, standards_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("ho/", views.household_list_view, name="household_list"),
    path("ho/xuat-excel/", views.household_export_view, name="household_export"),
    path("ho/<int:pk>/", views.household_detail_view, name="household_detail"),
    path("ho/danh-muc.json", household_views.code_lists_view, name="registry_code_lists"),
    path("ho/<int:pk>/sua/", household_views.household_edit_view, name="household_edit"),
    path("ho/<int:pk>/kiem-tra/", household_views.household_check_view, name="household_check"),
    path("ho/<int:pk>/doi-chu-ho/", household_views.household_change_head_view, name="household_change_head"),
    path("ho/<int:pk>/tach-ho/", household_views.household_split_view, name="household_split"),
    path("ho/<int:pk>/nhap-ho/", household_views.household_merge_view, name="household_merge"),
    path("ho/<int:pk>/ho-tro/them/", household_views.support_add_view, name="household_support_add"),
    path("ho/<int:pk>/thanh-vien/them/", household_views.member_add_view, name="member_add"),
    path("ho/<int:pk>/thanh-vien/kiem-tra/", household_views.member_check_view, name="member_check"),
    path("ho/<int:pk>/thanh-vien/<int:member_pk>/sua/", household_views.member_edit_view, name="member_edit"),
    path(
        "ho/<int:pk>/thanh-vien/<int:member_pk>/chuyen-ho/",
        household_views.member_move_view,
        name="member_move",
    ),
    path(
        "ho/<int:pk>/thanh-vien/<int:member_pk>/<slug:kind>/",
        household_views.member_leave_view,
        name="member_leave",
    ),
    path("dia-ban/<str:code>/", views.area_detail_view, name="area_detail"),
    path("tac-vu/", views.job_list_view, name="job_list"),
    path("tac-vu/<str:pk>/", views.job_detail_view, name="job_detail"),
    path("tac-vu/<str:pk>/trang-thai/", views.job_status_view, name="job_status"),
    path("tac-vu/<str:pk>/ket-qua/", views.job_result_view, name="job_result"),
    path("tac-vu/<str:pk>/chay-lai/", views.job_retry_view, name="job_retry"),
    path("nhat-ky/", views.audit_view, name="audit"),
    path(
        "ho/<int:pk>/phieu-xep-loai/", standards_views.household_score_card_view, name="household_score_card"
    ),
    path("dia-ban/<str:code>/xep-loai/", standards_views.area_classify_view, name="area_classify"),
    path("xep-loai/<str:pk>/", standards_views.run_detail_view, name="run_detail"),
    path("chuan-ngheo/phieu/", include("hongheo.web.survey_forms.urls")),
    path("chuan-ngheo/", standards_views.standards_list_view, name="standards_list"),
    path("chuan-ngheo/soan-thao/", standards_views.standard_draft_view, name="standard_draft"),
    path("chuan-ngheo/<str:code>/", standards_views.standard_detail_view, name="standard_detail"),
    path("chuan-ngheo/<str:code>/cong-bo/", standards_views.standard_publish_view, name="standard_publish"),
    path("ra-soat/", review_views.board_view, name="review_board"),
    path("ra-soat/tinh/", review_views.province_view, name="review_province"),
    path("ra-soat/giay-de-nghi/", review_views.applications_view, name="review_applications"),
    path(
        "ra-soat/giay-de-nghi/<int:pk>/tu-choi/",
        review_views.application_refuse_view,
        name="review_application_refuse",
    ),
    path(
        "ra-soat/giay-de-nghi/<int:pk>/van-ban-tra-loi.pdf",
        review_views.refusal_pdf_view,
        name="review_refusal_pdf",
    ),
    path("ra-soat/xa/<str:code>/mo-dot/", review_views.round_open_view, name="review_round_open"),
    path("ra-soat/dot/<int:pk>/", review_views.round_detail_view, name="review_round"),
    path("ra-soat/dot/<int:pk>/chuyen-buoc/", review_views.round_advance_view, name="review_round_advance"),
    path("ra-soat/dot/<int:pk>/danh-sach/", review_views.entries_view, name="review_entries"),
    path(
        "ra-soat/dot/<int:pk>/ho/<int:entry_pk>/phieu-a/",
        review_views.screening_view,
        name="review_screening",
    ),
    path("ra-soat/dot/<int:pk>/ho/<int:entry_pk>/phieu-b/", review_views.survey_view, name="review_survey"),
    path(
        "ra-soat/dot/<int:pk>/hop-dan/<str:village_code>/", review_views.meeting_view, name="review_meeting"
    ),
    path("ra-soat/hop-dan/<int:pk>/bien-ban.pdf", review_views.minutes_pdf_view, name="review_minutes_pdf"),
    path("ra-soat/dot/<int:pk>/niem-yet/", review_views.posting_view, name="review_posting"),
    path("ra-soat/niem-yet/ngay-ket-thuc/", review_views.posting_end_view, name="review_posting_end"),
    path(
        "ra-soat/niem-yet/<int:pk>/minh-chung/", review_views.posting_proof_view, name="review_posting_proof"
    ),
    path("ra-soat/dot/<int:pk>/khieu-nai/", review_views.complaints_view, name="review_complaints"),
    path(
        "ra-soat/khieu-nai/<int:pk>/phuc-tra/",
        review_views.complaint_resolve_view,
        name="review_complaint_resolve",
    ),
    path("ra-soat/dot/<int:pk>/quyet-dinh/", review_views.decision_view, name="review_decision"),
    path(
        "ra-soat/quyet-dinh/<int:pk>/mau-02.pdf", review_views.decision_pdf_view, name="review_decision_pdf"
    ),
    path(
        "ra-soat/quyet-dinh/<int:pk>/giay-chung-nhan.pdf",
        review_views.certificates_pdf_view,
        name="review_certificates_pdf",
    ),
    path(
        "ra-soat/giay-chung-nhan/<int:pk>.pdf",
        review_views.certificate_pdf_view,
        name="review_certificate_pdf",
    ),
    path("xac-minh/<uuid:token>/", review_views.certificate_verify_view, name="certificate_verify"),
]

from . import report_views  # noqa: E402

urlpatterns += [
    path("bao-cao/", report_views.reports_view, name="reports"),
    path("bao-cao/xuat-excel/", report_views.reports_export_view, name="reports_export"),
    path("bao-cao/nop/", report_views.reports_submit_view, name="reports_submit"),
    path("bao-cao/danh-sach-ho/", report_views.household_list_export_view, name="reports_household_list"),
    path("bao-cao/lich/", report_views.reports_calendar_view, name="reports_calendar"),
]

from . import import_views  # noqa: E402

urlpatterns += [
    path("nhap-danh-sach/", import_views.import_start_view, name="import_start"),
    path("nhap-danh-sach/mau-<slug:layout>.xlsx", import_views.import_template_view, name="import_template"),
    path("nhap-danh-sach/<int:pk>/", import_views.import_detail_view, name="import_detail"),
    path("nhap-danh-sach/<int:pk>/ghep-cot/", import_views.import_mapping_view, name="import_mapping"),
    path(
        "nhap-danh-sach/<int:pk>/dong-bi-tu-choi.xlsx",
        import_views.import_rejected_view,
        name="import_rejected",
    ),
]
