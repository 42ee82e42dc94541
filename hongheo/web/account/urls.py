"""URLs of the account surface (the user's own profile); included by ``hongheo.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tai-khoan/ho-so/", views.profile_view, name="profile"),
]
