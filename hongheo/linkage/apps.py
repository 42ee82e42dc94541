from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "hongheo.linkage"
    label = "linkage"
    verbose_name = "Liên thông dữ liệu dân cư"
    default_auto_field = "django.db.models.BigAutoField"
