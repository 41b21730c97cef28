from django.apps import AppConfig


class RolesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roles"
    verbose_name = "Organization and roles"

    def ready(self) -> None:
        from django.db.models import Q

        from wholeproduct import jobs

        from .models import ImportJob

        state = ImportJob.State
        # An import a lost worker left queued or running is failed with a reason; its page offers a retry.
        jobs.register(
            jobs.Stuck(
                model=ImportJob,
                task="roles.commit_import",
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
