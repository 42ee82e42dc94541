"""URLs of the reports surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("bao-cao/", views.reports_view, name="reports"),
    path("bao-cao/xuat-excel/", views.reports_export_view, name="reports_export"),
    path("bao-cao/nop/", views.reports_submit_view, name="reports_submit"),
    path("bao-cao/lich/", views.reports_calendar_view, name="reports_calendar"),
    path("bao-cao/danh-sach-ho/", views.household_list_export_view, name="reports_household_list"),
]
