"""The playbook's suggestions of every product, kept pair by pair (layers.readmodel.suggestion_rows):
the map editor and the API read a product's suggestions from these rows instead of pairing every
function of the organization with the playbook on every load (20 ms at 5,000 functions).

PostgreSQL orders each product's rows two ways, as the reads ask for them: by ring and name (a page
of every suggestion), and by status, then ring and name (a page of one status; with the columns the
lead step reads, the counts per status from the index alone); names compare by code point (COLLATE "C"), as the reads and Python's sort do. SQLite (the
small embedded mode) reads them through the unique index. The rows of existing products are
written from the domain tables, organization by organization, with the module that keeps them.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "suggestion_ring_order": '(product_id, ring, (sort_name COLLATE "C"), function_id)',
    "suggestion_status_order": '(product_id, before, ring, (sort_name COLLATE "C"), function_id) '
    "INCLUDE (layer_id, rule_emphasis)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("layers", "SuggestionRow")._meta.db_table)
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill(apps, schema_editor):
    # The module that keeps the rows writes them, its statement the one definition of a row, with
    # this migration's models (the tables as it leaves them, whatever later migrations add).
    from layers.readmodel import suggestion_rows

    Organization = apps.get_model("roles", "Organization")
    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        suggestion_rows.fill(apps, organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0018_assignment_cells_with_ids"),
        ("roles", "0013_function_unstamped"),
    ]

    operations = [
        migrations.CreateModel(
            name="SuggestionRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("ring", models.PositiveSmallIntegerField()),
                ("playbook_name", models.CharField(max_length=120)),
                ("rule_emphasis", models.CharField(max_length=20)),
                ("row_emphasis", models.CharField(blank=True, max_length=20, null=True)),
                ("row_source", models.CharField(blank=True, max_length=20, null=True)),
                ("dismissed", models.BooleanField(default=False)),
                ("before", models.CharField(max_length=20)),
                ("name", models.CharField(max_length=120)),
                ("category", models.CharField(max_length=20)),
                ("sort_name", models.TextField()),
                (
                    "function",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="roles.function",
                    ),
                ),
                (
                    "layer",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="layers.layer"),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="roles.organization",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="layers.product",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["function"], name="suggestion_row_function")],
                "constraints": [
                    models.UniqueConstraint(fields=("product", "function", "layer"), name="suggestion_row_unique")
                ],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
