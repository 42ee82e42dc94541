from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "hongheo.fieldwork"
    label = "fieldwork"
    verbose_name = "Thu thập thực địa"
