from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "hongheo.support"
    label = "support"
    verbose_name = "Hỗ trợ hộ nghèo, tổ chức giúp đỡ, kiểm tra của tỉnh"
