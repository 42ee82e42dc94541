"""The web app's URLs: shared pages here, each surface's pages in ``web/<surface>/urls.py``.

All names stay in the one ``web`` namespace (``web:household_detail``, ``web:review_round``…)."""

from django.urls import URLPattern, URLResolver, path

from . import views
from .account import urls as account_urls
from .field import urls as field_urls
from .imports import urls as imports_urls
from .linkage import urls as linkage_urls
from .oversight import urls as oversight_urls
from .portal import urls as portal_urls
from .registry import urls as registry_urls
from .reports import urls as reports_urls
from .reviews import urls as reviews_urls
from .standards import urls as standards_urls
from .support import urls as support_urls

app_name = "web"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("doi-mat-khau/", views.password_change_view, name="password_change"),
    path("dia-ban/<str:code>/", views.area_detail_view, name="area_detail"),
    path("tac-vu/", views.job_list_view, name="job_list"),
    path("tac-vu/<str:pk>/", views.job_detail_view, name="job_detail"),
    path("tac-vu/<str:pk>/trang-thai/", views.job_status_view, name="job_status"),
    path("tac-vu/<str:pk>/ket-qua/", views.job_result_view, name="job_result"),
    path("tac-vu/<str:pk>/chay-lai/", views.job_retry_view, name="job_retry"),
    path("nhat-ky/", views.audit_view, name="audit"),
]
urlpatterns += registry_urls.urlpatterns
urlpatterns += standards_urls.urlpatterns
urlpatterns += reviews_urls.urlpatterns
urlpatterns += reports_urls.urlpatterns
urlpatterns += imports_urls.urlpatterns
urlpatterns += account_urls.urlpatterns
urlpatterns += field_urls.urlpatterns
urlpatterns += linkage_urls.urlpatterns
urlpatterns += support_urls.urlpatterns
urlpatterns += portal_urls.urlpatterns
urlpatterns += oversight_urls.urlpatterns
