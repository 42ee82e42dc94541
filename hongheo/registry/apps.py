from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hongheo.registry"
    label = "registry"
    verbose_name = "Sổ hộ"
