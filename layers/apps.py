from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Whole Product layers"

    def ready(self) -> None:
        from roles import hooks
        from wholeproduct import jobs

        from . import tasks  # noqa: F401  registered here: services queue tasks by name (shared.background)
        from .models import ExportJob
        from .readmodel import hooks as readmodel
        from .services.reports import STUCK_BUILDS

        # `roles` never imports `layers`: its writes reach the read model through this listener (DESIGN §9).
        hooks.register(readmodel)

        jobs.register(STUCK_BUILDS)
        # An export a lost worker left queued or running is failed with a reason; asking again starts a new one.
        jobs.register(jobs.job_model(ExportJob, task="layers.build_export"))
        # After every migrate, the suggestion rows are counted by the database (readmodel.suggestioncounts).
        post_migrate.connect(_count_suggestions, sender=self, dispatch_uid="layers.suggestioncounts.install")


def _count_suggestions(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from .readmodel import suggestioncounts

    suggestioncounts.install(using)
