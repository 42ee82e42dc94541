from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hongheo.registry"
    label = "registry"
    verbose_name = "Sổ hộ"

    def ready(self) -> None:
        from django.conf import settings

        from . import ethnicity

        # an administrator's corrected ethnicity list (manage.py ethnic_groups --load), if any
        ethnicity.set_override_path(settings.HONGHEO_REFERENCE_DIR / "ethnic_groups.json")
