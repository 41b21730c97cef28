"""Backfill the tenant key `organization` of rows that reached their tenant only through joins.

In id-range batches of BATCH rows, each its own transaction (the migration is not atomic),
with one UPDATE … FROM join per batch on PostgreSQL (a correlated subquery elsewhere), so
600,000 reviews take seconds, not a long lock. Parents before children: reviews read the
assignments' new column. Re-running it is harmless (only NULL keys are written).

Reverse: nothing to undo. Going back past 0007 drops the columns themselves.
"""

from __future__ import annotations

from django.db import connection, migrations, transaction

BATCH = 50_000

# (table, its parent table, the column naming the parent), parents first.
CHAIN = (
    ("layers_assignment", "layers_product", "product_id"),
    ("layers_assignmentchange", "layers_product", "product_id"),
    ("layers_dismissedsuggestion", "layers_product", "product_id"),
    ("layers_reviewcampaign", "layers_product", "product_id"),
    ("layers_review", "layers_assignment", "assignment_id"),
    ("layers_campaignreminder", "layers_reviewcampaign", "campaign_id"),
)


def backfill(table: str, parent: str, column: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table} WHERE organization_id IS NULL")
        low, high = cursor.fetchone()
    if low is None:
        return 0
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} AS t SET organization_id = p.organization_id FROM {parent} AS p "
            f"WHERE p.id = t.{column} AND t.id >= %s AND t.id < %s AND t.organization_id IS NULL"
        )
    else:
        sql = (
            f"UPDATE {table} SET organization_id = (SELECT p.organization_id FROM {parent} AS p "
            f"WHERE p.id = {table}.{column}) WHERE id >= %s AND id < %s AND organization_id IS NULL"
        )
    written = 0
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + BATCH])
            written += max(cursor.rowcount, 0)
    return written


def forwards(apps, schema_editor) -> None:
    for table, parent, column in CHAIN:
        backfill(table, parent, column)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("layers", "0007_tenant_keys_and_read_model"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
