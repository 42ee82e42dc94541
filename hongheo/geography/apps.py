from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "hongheo.geography"
    label = "geography"
    verbose_name = "Địa bàn"
