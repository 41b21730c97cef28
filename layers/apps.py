from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Whole Product layers"

    def ready(self) -> None:
        from wholeproduct import jobs

        from .services.reports import STUCK_BUILDS

        jobs.register(STUCK_BUILDS)
