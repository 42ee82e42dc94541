from django.urls import include, path

from . import standards_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("ho/", views.household_list_view, name="household_list"),
    path("ho/xuat-excel/", views.household_export_view, name="household_export"),
    path("ho/<int:pk>/", views.household_detail_view, name="household_detail"),
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
]
