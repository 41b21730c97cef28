"""Each cell counter keeps its function's category and lower-cased name, the picture's order of a
ring's members, and PostgreSQL indexes them (`cell_ring_order`): a ring's first 60 members are then
a range of the index, where the window over every member of the product took 24 ms at 5,000
functions (a sort of 6,000 rows). Existing rows are filled from their functions in one statement.
SQLite (the small embedded mode) needs no index: the rings are read there with the window.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower

INDEX = "cell_ring_order"


def fill(apps, schema_editor):
    CellCounts = apps.get_model("layers", "CellCounts")
    Function = apps.get_model("roles", "Function")
    function = Function.objects.filter(pk=OuterRef("function_id"))
    CellCounts.objects.update(
        category=Subquery(function.values("category")[:1]),
        sort_name=Subquery(function.annotate(lowered=Lower("name")).values("lowered")[:1]),
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("layers", "CellCounts")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} "
        '(product_id, layer_id, emphasis DESC, category, (sort_name COLLATE "C"), function_id)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("layers", "0015_report_gaps_packed")]

    operations = [
        migrations.AddField(
            model_name="cellcounts", name="category", field=models.CharField(default="", max_length=20)
        ),
        migrations.AddField(model_name="cellcounts", name="sort_name", field=models.TextField(default="")),
        # The index before the fill: the fill's updates then go through it, where an index built
        # after them would wait for every older transaction to end before a query could use it
        # (PostgreSQL's indcheckxmin, for the heap-only updates the fill made).
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
