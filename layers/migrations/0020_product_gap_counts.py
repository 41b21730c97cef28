"""A product's counter row keeps what the coverage API's gap segments count (layers.readmodel.gap_page):
the cells with an open dispute (lead or not), the mapped functions with a stale or a pending review,
and the people of the mapped functions, which a page of its gaps counted over every cell of the
product (4 ms at 5,000 functions). Existing rows are filled from the cell and function counters.
"""

from django.db import migrations, models
from django.db.models import Count, F, Q, Sum


def fill(apps, schema_editor):
    ProductCounts = apps.get_model("layers", "ProductCounts")
    FunctionCounts = apps.get_model("layers", "FunctionCounts")
    CellCounts = apps.get_model("layers", "CellCounts")
    for row in ProductCounts.objects.all():
        functions = FunctionCounts.objects.filter(product_id=row.product_id).aggregate(
            stale=Count("id", filter=Q(reviewed__gt=F("current"))),
            pending=Count("id", filter=Q(pairs__gt=F("reviewed"))),
            people=Sum("people"),
        )
        disputes = CellCounts.objects.filter(product_id=row.product_id, open__gt=0).aggregate(
            lead=Count("id", filter=Q(emphasis="lead")), other=Count("id", filter=~Q(emphasis="lead"))
        )
        ProductCounts.objects.filter(pk=row.pk).update(
            stale_functions=functions["stale"],
            pending_functions=functions["pending"],
            people=functions["people"] or 0,
            lead_disputes=disputes["lead"],
            other_disputes=disputes["other"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0019_suggestion_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="productcounts",
            name="lead_disputes",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productcounts",
            name="other_disputes",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productcounts",
            name="pending_functions",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productcounts",
            name="people",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="productcounts",
            name="stale_functions",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
