from django.urls import path

from . import views

app_name = "survey_forms"
urlpatterns = [
    path("", views.index, name="index"),
    path("mau-nhap.xlsx", views.template_download, name="template"),
    path("mau-thu.xlsx", views.sample_download, name="sample"),
    path("bang-diem/nhap/", views.upload, {"kind": "b"}, name="score_table_import"),
    path("bang-diem/<int:pk>/", views.score_table_detail, name="score_table_detail"),
    path("bang-diem/<int:pk>/nhap-lai/", views.upload, {"kind": "b"}, name="score_table_reimport"),
    path("bang-diem/<int:pk>/cong-bo/", views.publish, {"kind": "b"}, name="score_table_publish"),
    path("phieu-a/nhap/", views.upload, {"kind": "a"}, name="screening_list_import"),
    path("phieu-a/<int:pk>/", views.screening_list_detail, name="screening_list_detail"),
    path("phieu-a/<int:pk>/nhap-lai/", views.upload, {"kind": "a"}, name="screening_list_reimport"),
    path("phieu-a/<int:pk>/cong-bo/", views.publish, {"kind": "a"}, name="screening_list_publish"),
]
