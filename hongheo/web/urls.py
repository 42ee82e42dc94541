from django.urls import include, path

from . import views

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
    path("chuan-ngheo/phieu/", include("hongheo.web.survey_forms.urls")),
]
