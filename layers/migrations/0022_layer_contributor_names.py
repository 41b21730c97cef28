"""A layer's counter row keeps its contributors' names in the order a report lists them (case
folded, then as written: `domain.coverage.compute.name_order`), which the coverage API read from
every contributor cell of the product with its function's name and sorted on each request.
Existing rows are filled from the cell counters.
"""

from collections import defaultdict

from django.db import migrations, models


def fill(apps, schema_editor):
    LayerCounts = apps.get_model("layers", "LayerCounts")
    CellCounts = apps.get_model("layers", "CellCounts")
    for product_id in LayerCounts.objects.values_list("product_id", flat=True).distinct().iterator():
        names = defaultdict(list)
        contributors = CellCounts.objects.filter(product_id=product_id, emphasis="contributor")
        for layer_id, name in contributors.values_list("layer_id", "function__name"):
            names[layer_id].append(name)
        for layer_id, found in names.items():
            found.sort(key=lambda name: (name.casefold(), name))  # name_order, as of this migration
            LayerCounts.objects.filter(product_id=product_id, layer_id=layer_id).update(contributor_names=found)


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0021_key_lookup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="layercounts",
            name="contributor_names",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
