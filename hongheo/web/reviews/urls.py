"""URLs of the reviews surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("ra-soat/", views.board_view, name="review_board"),
    path("ra-soat/tinh/", views.province_view, name="review_province"),
    path("ra-soat/giay-de-nghi/", views.applications_view, name="review_applications"),
    path(
        "ra-soat/giay-de-nghi/<int:pk>/tu-choi/",
        views.application_refuse_view,
        name="review_application_refuse",
    ),
    path(
        "ra-soat/giay-de-nghi/<int:pk>/van-ban-tra-loi.pdf",
        views.refusal_pdf_view,
        name="review_refusal_pdf",
    ),
    path("ra-soat/xa/<str:code>/mo-dot/", views.round_open_view, name="review_round_open"),
    path("ra-soat/dot/<int:pk>/", views.round_detail_view, name="review_round"),
    path("ra-soat/dot/<int:pk>/chuyen-buoc/", views.round_advance_view, name="review_round_advance"),
    path("ra-soat/dot/<int:pk>/huy/", views.round_cancel_view, name="review_round_cancel"),
    path("ra-soat/dot/<int:pk>/danh-sach/", views.entries_view, name="review_entries"),
    path(
        "ra-soat/dot/<int:pk>/ho/<int:entry_pk>/phieu-a/",
        views.screening_view,
        name="review_screening",
    ),
    path("ra-soat/dot/<int:pk>/ho/<int:entry_pk>/phieu-b/", views.survey_view, name="review_survey"),
    path("ra-soat/dot/<int:pk>/hop-dan/<str:village_code>/", views.meeting_view, name="review_meeting"),
    path("ra-soat/hop-dan/<int:pk>/bien-ban.pdf", views.minutes_pdf_view, name="review_minutes_pdf"),
    path("ra-soat/dot/<int:pk>/niem-yet/", views.posting_view, name="review_posting"),
    path("ra-soat/niem-yet/ngay-ket-thuc/", views.posting_end_view, name="review_posting_end"),
    path("ra-soat/niem-yet/<int:pk>/minh-chung/", views.posting_proof_view, name="review_posting_proof"),
    path("ra-soat/dot/<int:pk>/khieu-nai/", views.complaints_view, name="review_complaints"),
    path(
        "ra-soat/khieu-nai/<int:pk>/phuc-tra/",
        views.complaint_resolve_view,
        name="review_complaint_resolve",
    ),
    path("ra-soat/dot/<int:pk>/quyet-dinh/", views.decision_view, name="review_decision"),
    path("ra-soat/quyet-dinh/<int:pk>/mau-02.pdf", views.decision_pdf_view, name="review_decision_pdf"),
    path(
        "ra-soat/quyet-dinh/<int:pk>/giay-chung-nhan.pdf",
        views.certificates_pdf_view,
        name="review_certificates_pdf",
    ),
    path(
        "ra-soat/quyet-dinh/<int:pk>/giay-chung-nhan/in-lo/",
        views.certificates_batch_view,
        name="review_certificates_batch",
    ),
    path(
        "ra-soat/dot/<int:pk>/niem-yet/<str:village_code>/danh-sach.pdf",
        views.posting_list_pdf_view,
        name="review_posting_list_pdf",
    ),
    path(
        "ra-soat/giay-chung-nhan/<int:pk>.pdf",
        views.certificate_pdf_view,
        name="review_certificate_pdf",
    ),
    path("xac-minh/<uuid:token>/", views.certificate_verify_view, name="certificate_verify"),
]
