from django.contrib import admin
from django.urls import include, path

from config.api import api
from hongheo.api import openrosa
from hongheo.web.views import admin_login_redirect

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("odk/v1/key/<str:token>/projects/<str:commune_code>/", include(openrosa.urlpatterns)),
    path("odk/v1/projects/<str:commune_code>/", include(openrosa.basic_urlpatterns)),
    path("", include("hongheo.web.urls")),
]

handler404 = "hongheo.web.errors.not_found"
