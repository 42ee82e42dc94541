"""URLs of the imports surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("nhap-danh-sach/", views.import_start_view, name="import_start"),
    path("nhap-danh-sach/mau-<slug:layout>.xlsx", views.import_template_view, name="import_template"),
    path("nhap-danh-sach/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("nhap-danh-sach/<int:pk>/ghep-cot/", views.import_mapping_view, name="import_mapping"),
    path(
        "nhap-danh-sach/<int:pk>/dong-bi-tu-choi.xlsx",
        views.import_rejected_view,
        name="import_rejected",
    ),
]
