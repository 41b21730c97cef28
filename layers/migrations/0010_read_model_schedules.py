"""Two beat entries for the read model (issue 13): django-celery-beat PeriodicTasks.

- "apply due disruptions" (every 5 minutes): a disruption dated in the future takes effect on
  its date (roles.apply_due_disruptions; idempotent, claimed with skip_locked).
- "read model check" (nightly at 03:30): live coverage against the oracle on a sample of
  products; any drift is logged (layers.check_read_model).
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

ENTRIES = (
    ("apply due disruptions", "roles.apply_due_disruptions"),
    ("read model check", "layers.check_read_model"),
)


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=ENTRIES[0][0],
        defaults={
            "task": ENTRIES[0][1],
            "interval": every,
            "args": "[]",
            "kwargs": "{}",
            "enabled": True,
            "description": "Applies the disruptions whose date has come: their reviews need re-confirming from then.",
        },
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=ENTRIES[1][0],
        defaults={
            "task": ENTRIES[1][1],
            "crontab": nightly,
            "args": "[]",
            "kwargs": "{}",
            "enabled": True,
            "description": "Checks live coverage against a recomputation on a sample of products; logs any drift.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task in ENTRIES:
        PeriodicTask.objects.filter(name=name, task=task).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0009_tenant_keys_not_null"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
