"""URLs of the oversight surface (dashboards, targets, map, federation); in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("dieu-hanh/", views.dashboard_view, name="oversight_dashboard"),
    path("dieu-hanh/xuat-csv/", views.dashboard_export_view, name="oversight_export"),
    path("dieu-hanh/chi-tieu/", views.targets_view, name="oversight_targets"),
    path(
        "dieu-hanh/chi-tieu/<int:pk>/thoi-ap-dung/", views.target_retire_view, name="oversight_target_retire"
    ),
    path("dieu-hanh/ban-do/", views.map_view, name="oversight_map"),
    path("dieu-hanh/ban-do/du-lieu.json", views.map_data_view, name="oversight_map_data"),
    path("trung-uong/", views.federation_view, name="oversight_federation"),
    path("trung-uong/nhan/", views.federation_receive_view, name="oversight_receive"),
    path("trung-uong/da-nhan/<int:pk>/", views.received_push_view, name="oversight_received_push"),
    path("trung-uong/gui/", views.federation_outbox_view, name="oversight_outbox"),
]
