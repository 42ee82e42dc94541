from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "hongheo.oversight"
    label = "oversight"
    verbose_name = "Chỉ tiêu, bảng điều hành, bản đồ và liên thông"
