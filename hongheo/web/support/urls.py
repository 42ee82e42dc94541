"""URLs of the support surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("ho-tro/", views.index_view, name="support_index"),
    path("ho-tro/xa/<str:code>/", views.commune_view, name="support_commune"),
    path("ho-tro/xa/<str:code>/excel/", views.commune_export_view, name="support_commune_export"),
    path(
        "ho-tro/xa/<str:code>/to-chuc/them/", views.organisation_create_view, name="support_organisation_add"
    ),
    path("ho-tro/to-chuc/<int:pk>/", views.organisation_view, name="support_organisation"),
    path(
        "ho-tro/to-chuc/<int:pk>/giao/<int:assignment_pk>/thoi/",
        views.assignment_end_view,
        name="support_assignment_end",
    ),
    path(
        "ho-tro/to-chuc/<int:pk>/danh-sach.<str:fmt>",
        views.organisation_list_view,
        name="support_organisation_list",
    ),
    path("ho-tro/ho/<int:pk>/", views.household_plan_view, name="support_household"),
    path("ho-tro/ke-hoach/<int:pk>/ket-qua/", views.follow_up_view, name="support_follow_up"),
    path("ho-tro/kiem-tra/", views.checks_view, name="support_checks"),
    path("ho-tro/kiem-tra/<str:code>/tra-lai/", views.send_back_view, name="support_send_back"),
]
