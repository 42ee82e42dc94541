"""URLs of the registry surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("ho/", views.household_list_view, name="household_list"),
    path("ho/xuat-excel/", views.household_export_view, name="household_export"),
    path("ho/<int:pk>/", views.household_detail_view, name="household_detail"),
    path("ho/danh-muc.json", views.code_lists_view, name="registry_code_lists"),
    path("ho/<int:pk>/sua/", views.household_edit_view, name="household_edit"),
    path("ho/<int:pk>/kiem-tra/", views.household_check_view, name="household_check"),
    path("ho/<int:pk>/doi-chu-ho/", views.household_change_head_view, name="household_change_head"),
    path("ho/<int:pk>/tach-ho/", views.household_split_view, name="household_split"),
    path("ho/<int:pk>/nhap-ho/", views.household_merge_view, name="household_merge"),
    path("ho/<int:pk>/ho-tro/them/", views.support_add_view, name="household_support_add"),
    path("ho/<int:pk>/thanh-vien/them/", views.member_add_view, name="member_add"),
    path("ho/<int:pk>/thanh-vien/kiem-tra/", views.member_check_view, name="member_check"),
    path("ho/<int:pk>/thanh-vien/<int:member_pk>/sua/", views.member_edit_view, name="member_edit"),
    path(
        "ho/<int:pk>/thanh-vien/<int:member_pk>/chuyen-ho/",
        views.member_move_view,
        name="member_move",
    ),
    path(
        "ho/<int:pk>/thanh-vien/<int:member_pk>/<slug:kind>/",
        views.member_leave_view,
        name="member_leave",
    ),
]
