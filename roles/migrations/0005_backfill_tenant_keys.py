"""Backfill `PartnershipCheckIn.organization` (batched, as layers 0008) and `Disruption.applied_at`.

A disruption whose moment has come took effect when it was logged (the old rule read its
`effective_at` against "now"); a planned one stays unapplied for the beat task to apply on
its date. Reverse: nothing to undo (going back past 0004 drops the columns).
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import F
from django.utils import timezone


def forwards(apps, schema_editor) -> None:
    backfill = __import__("layers.migrations.0008_backfill_tenant_keys", fromlist=["backfill"]).backfill
    backfill("roles_partnershipcheckin", "roles_partnership", "partnership_id")
    Disruption = apps.get_model("roles", "Disruption")
    Disruption.objects.filter(applied_at__isnull=True, effective_at__lte=timezone.now()).update(
        applied_at=F("effective_at")
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("roles", "0004_tenant_keys_and_applied_disruptions"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
