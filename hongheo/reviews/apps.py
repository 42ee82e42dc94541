from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "hongheo.reviews"
    label = "reviews"
    verbose_name = "Rà soát hộ nghèo, hộ cận nghèo"
