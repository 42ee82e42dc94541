from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hongheo.web"
    label = "web"
    verbose_name = "Giao diện web"

    def ready(self) -> None:
        import hongheo.jobs  # noqa: F401  (job kinds must be known where jobs are enqueued)
