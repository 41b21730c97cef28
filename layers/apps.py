from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Whole Product layers"

    def ready(self) -> None:
        from django.db.models import Q

        from wholeproduct import jobs

        from .models import ExportJob
        from .services.reports import STUCK_BUILDS

        jobs.register(STUCK_BUILDS)
        state = ExportJob.State
        # An export a lost worker left queued or running is failed with a reason; asking again starts a new one.
        jobs.register(
            jobs.Stuck(
                model=ExportJob,
                task="layers.build_export",
                since="updated_at",
                running=Q(state=state.RUNNING),
                waiting=Q(state=state.QUEUED),
                failed=lambda now, reason: {
                    "state": state.FAILED,
                    "error": reason,
                    "finished_at": now,
                    "updated_at": now,
                },
            )
        )
