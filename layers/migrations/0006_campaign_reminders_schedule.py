"""The daily review campaign run (issue 4): a django-celery-beat PeriodicTask, "campaign reminders".

Every day at 08:00 it closes campaigns whose deadline has passed (with their summary) and
reminds the people of open ones who still have something to review. It is idempotent per
day, so an admin may move it or add a second time in the admin without double emails.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

NAME = "campaign reminders"
TASK = "layers.campaigns_daily"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
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
                "Closes review campaigns whose deadline has passed and reminds everyone with a pending or "
                "stale review (at most every 3 days each; one email per person and day however often it runs)."
            ),
        },
    )
    # The database scheduler reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0005_nightly_report_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
