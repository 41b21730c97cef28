"""A product's cells with the columns the playbook's suggestions compare (emphasis, source), so
the suggestions statement reads them from the index alone (layers.selectors.suggestions)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0016_cell_ring_order"),
        ("roles", "0012_function_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["product", "function", "layer", "emphasis", "source"], name="assignment_product_cells"
            ),
        ),
    ]
