"""A snapshot's gaps stored packed (zstd-compressed JSON Lines, shared/packed.py) instead of jsonb.

At 5,000 functions a build wrote 3 MB of gaps that PostgreSQL parsed into jsonb and compressed:
about 90 ms of each build. Packed, they are some 250 KB of bytes stored as they come. The column
is stored EXTERNAL on PostgreSQL (out of line, uncompressed: it is compressed already).

Existing snapshots are converted in batches of `BATCH` (a 5,000-function snapshot in some 50 ms),
and any whose `totals` lacks the gap counts (snapshots built before they were counted) gets them
from its list, which the report page then reads instead of the list's length. Reversible.
"""

from django.db import migrations

import shared.packed

BATCH = 20
SEVERITIES = ("high", "medium", "low")


def _counted(totals: dict, gaps: list) -> dict:
    if "gaps" in totals:
        return totals
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for gap in gaps:
        severity = str(gap.get("severity"))
        by_severity[severity] = by_severity.get(severity, 0) + 1
    return totals | {"gaps": len(gaps)} | {f"gaps_{severity}": n for severity, n in by_severity.items()}


def _ids(Report):
    return list(Report.objects.order_by("pk").values_list("pk", flat=True))


def pack_gaps(apps, schema_editor):
    Report = apps.get_model("layers", "CoverageReport")
    ids = _ids(Report)
    for start in range(0, len(ids), BATCH):
        rows = Report.objects.filter(pk__in=ids[start : start + BATCH]).values_list("pk", "gaps", "totals")
        for pk, gaps, totals in rows:
            gaps = gaps or []
            Report.objects.filter(pk=pk).update(gaps_packed=gaps, totals=_counted(totals or {}, gaps))


def unpack_gaps(apps, schema_editor):
    Report = apps.get_model("layers", "CoverageReport")
    ids = _ids(Report)
    for start in range(0, len(ids), BATCH):
        for pk, gaps in Report.objects.filter(pk__in=ids[start : start + BATCH]).values_list("pk", "gaps_packed"):
            Report.objects.filter(pk=pk).update(gaps=gaps or [])


def _storage(method: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("layers", "CoverageReport")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name('gaps')} SET STORAGE {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [("layers", "0014_snapshot_data_help")]

    operations = [
        migrations.AddField(
            model_name="coveragereport",
            name="gaps_packed",
            field=shared.packed.PackedJSONListField(default=list),
        ),
        migrations.RunPython(pack_gaps, unpack_gaps, elidable=False),
        migrations.RemoveField(model_name="coveragereport", name="gaps"),
        migrations.RenameField(model_name="coveragereport", old_name="gaps_packed", new_name="gaps"),
        migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED")),
    ]
