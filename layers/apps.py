from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Whole Product layers"

    def ready(self) -> None:
        from wholeproduct import jobs

        from .models import ExportJob
        from .services.reports import STUCK_BUILDS

        jobs.register(STUCK_BUILDS)
        # An export a lost worker left queued or running is failed with a reason; asking again starts a new one.
        jobs.register(jobs.job_model(ExportJob, task="layers.build_export"))
