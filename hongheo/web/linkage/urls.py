"""URLs of the linkage surface (liên thông dữ liệu dân cư); included by ``hongheo.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lien-thong/", views.linkage_home_view, name="linkage_home"),
    path("lien-thong/ban-trich/<int:pk>/", views.extract_detail_view, name="linkage_extract"),
    path("lien-thong/lan-ghep/<int:pk>/", views.run_detail_view, name="linkage_run"),
    path("lien-thong/lan-ghep/<int:pk>/phat-hien/", views.findings_view, name="linkage_findings"),
    path("lien-thong/lan-ghep/<int:pk>/xem-xet/", views.review_queue_view, name="linkage_review"),
    path(
        "lien-thong/lan-ghep/<int:pk>/chap-nhan-hang-loat/",
        views.bulk_accept_view,
        name="linkage_bulk_accept",
    ),
    path("lien-thong/cap-ghep/<int:pk>/quyet-dinh/", views.decide_view, name="linkage_decide"),
    path("lien-thong/chat-luong/", views.quality_view, name="linkage_quality"),
    path("lien-thong/chat-luong/danh-sach/", views.quality_members_view, name="linkage_quality_members"),
    path("lien-thong/chat-luong.xlsx", views.quality_export_view, name="linkage_quality_export"),
]
