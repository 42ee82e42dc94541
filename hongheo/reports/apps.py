from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hongheo.reports"
    label = "reports"
    verbose_name = "Báo cáo"
