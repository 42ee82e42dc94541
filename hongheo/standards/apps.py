from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "hongheo.standards"
    label = "standards"
    verbose_name = "Chuẩn nghèo"
