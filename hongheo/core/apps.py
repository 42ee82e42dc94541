from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hongheo.core"
    label = "core"
    verbose_name = "Hệ thống"
