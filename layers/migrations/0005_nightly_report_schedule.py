"""The nightly coverage report run (DESIGN §1, §7): a django-celery-beat PeriodicTask.

It is data, not code, so an admin can move it, pause it or add another time in the admin;
`build_all_reports` names each run by its hour, so another time of day gets its own snapshots.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

NAME = "Nightly coverage reports"
TASK = "layers.build_all_reports"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "args": "[]",
            "kwargs": "{}",
            "enabled": True,
            "description": (
                "Builds a coverage report for every product of every organization. "
                "Runs at the same hour on the same day build once, even if dispatched twice; "
                "to run it more often, add another schedule at another hour."
            ),
        },
    )
    # The database scheduler reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0004_campaigns_and_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
