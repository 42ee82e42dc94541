from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "hongheo.capture"
    label = "capture"
    verbose_name = "Thu nhận dữ liệu"
