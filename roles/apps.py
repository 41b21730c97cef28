from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RolesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roles"
    verbose_name = "Organization and roles"

    def ready(self) -> None:
        from wholeproduct import jobs

        from . import tasks  # noqa: F401  registered here: services queue tasks by name (shared.background)
        from .models import ImportJob

        # An import a lost worker left queued or running is failed with a reason; its page offers a retry.
        jobs.register(jobs.job_model(ImportJob, task="roles.commit_import"))
        # After every migrate, every table counts its writes into the state version (roles.statecache).
        post_migrate.connect(_watch_writes, sender=self, dispatch_uid="roles.statecache.install")


def _watch_writes(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from . import linkcounts, rowcounts, statecache

    statecache.install(using)
    rowcounts.install(using)  # and the counted tables count their rows (roles.rowcounts)
    linkcounts.install(using)  # and the web's links are summed (roles.linkcounts)
