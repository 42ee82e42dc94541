from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hongheo.web"
    label = "web"
    verbose_name = "Giao diện web"
