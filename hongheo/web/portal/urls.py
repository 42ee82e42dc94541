"""URLs of the citizen portal (no account needed) and its aggregate page for the province."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("dang-ky/", views.register_view, name="portal_register"),
    path("dang-ky/sw.js", views.sw_view, name="portal_sw"),
    path("dang-ky/tra-cuu/", views.status_view, name="portal_status"),
    path("dang-ky/thong-ke/", views.stats_view, name="portal_stats"),
    path("ho/<int:pk>/xac-nhan-ho-tam/", views.household_confirm_view, name="household_confirm"),
]
