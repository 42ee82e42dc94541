"""URLs of the standards surface; included by ``hongheo.web.urls`` in the ``web`` namespace."""

from django.urls import URLPattern, URLResolver, include, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("ho/<int:pk>/xep-loai-lai/", views.household_classify_view, name="household_classify"),
    path("ho/<int:pk>/phieu-xep-loai/", views.household_score_card_view, name="household_score_card"),
    path("dia-ban/<str:code>/xep-loai/", views.area_classify_view, name="area_classify"),
    path("xep-loai/<str:pk>/", views.run_detail_view, name="run_detail"),
    path("chuan-ngheo/phieu/", include("hongheo.web.survey_forms.urls")),
    path("chuan-ngheo/", views.standards_list_view, name="standards_list"),
    path("chuan-ngheo/soan-thao/", views.standard_draft_view, name="standard_draft"),
    path("chuan-ngheo/<str:code>/", views.standard_detail_view, name="standard_detail"),
    path("chuan-ngheo/<str:code>/cong-bo/", views.standard_publish_view, name="standard_publish"),
]
