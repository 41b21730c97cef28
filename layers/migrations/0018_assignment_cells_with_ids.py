"""The index of a product's cells (0017) carries their ids too (PostgreSQL's INCLUDE; SQLite builds
it without), so a page of the API's cells, ordered by ring and function name, finds its ids from
the index and the functions' names alone before it reads its rows (shared.paging.ids_first)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0017_assignment_product_cells"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="assignment", name="assignment_product_cells"),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["product", "function", "layer", "emphasis", "source"],
                include=("id",),
                name="assignment_product_cells",
            ),
        ),
    ]
