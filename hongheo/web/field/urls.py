"""URLs of the field surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("thuc-dia/", views.app_view, name="field_app"),
    path("thuc-dia/sw.js", views.sw_view, name="field_sw"),
    path("thuc-dia/manifest.webmanifest", views.manifest_view, name="field_manifest"),
    path("thuc-dia/icon-<int:size>.png", views.icon_view, name="field_icon"),
    path("thuc-dia/xung-dot/", views.conflicts_view, name="field_conflicts"),
    path("thuc-dia/xung-dot/<int:pk>/", views.conflict_view, name="field_conflict"),
    path("thuc-dia/odk/", views.odk_view, name="field_odk"),
    path("thuc-dia/odk/tao-ma/", views.odk_token_create_view, name="field_odk_token_create"),
    path("thuc-dia/odk/thu-hoi/<int:pk>/", views.odk_token_revoke_view, name="field_odk_token_revoke"),
]
