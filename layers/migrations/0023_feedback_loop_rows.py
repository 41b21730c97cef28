"""The product page's feedback loops, kept loop by loop (layers.readmodel.feedback_rows): finding a
product's first loops tested every partnership of the organization against its augmented and core
layers on each load. Existing products' rows are written here, with this migration's own models
and the rule of `feedback_rows.loops_of` as of now (a partnership carrying feedback between a
function of the augmented layer and one of the core, oriented augmented -> core).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, F, FilteredRelation, Q, Value, When
from django.db.models.functions import Lower


def fill(apps, schema_editor):
    Layer = apps.get_model("layers", "Layer")
    Product = apps.get_model("layers", "Product")
    Partnership = apps.get_model("roles", "Partnership")
    FeedbackLoopRow = apps.get_model("layers", "FeedbackLoopRow")
    layers = dict(Layer.objects.values_list("key", "pk"))
    if "core" not in layers or "augmented" not in layers:
        return
    for product in Product.objects.order_by("pk").iterator():

        def on(end, key, product=product):
            cell = f"{end}__assignments"
            condition = Q(**{f"{cell}__product_id": product.pk, f"{cell}__layer_id": layers[key]})
            return FilteredRelation(cell, condition=condition)

        a_core, a_aug = Q(a_core_cell__isnull=False), Q(a_aug_cell__isnull=False)
        b_core, b_aug = Q(b_core_cell__isnull=False), Q(b_aug_cell__isnull=False)
        from_a = a_aug & b_core & (~b_aug | ~a_core)
        rows = (
            Partnership.objects.filter(organization_id=product.organization_id)
            .exclude(feedback_carried__regex=r"^\s*$")
            .annotate(
                a_core_cell=on("function_a", "core"),
                a_aug_cell=on("function_a", "augmented"),
                b_core_cell=on("function_b", "core"),
                b_aug_cell=on("function_b", "augmented"),
            )
            .filter((a_aug & b_core) | (a_core & b_aug))
            .annotate(
                from_a=Case(When(from_a, then=Value(True)), default=Value(False)),
                to_name=Lower(Case(When(from_a, then=F("function_b__name")), default=F("function_a__name"))),
                from_name=Lower(Case(When(from_a, then=F("function_a__name")), default=F("function_b__name"))),
            )
            .values_list("pk", "function_a_id", "function_b_id", "from_a", "to_name", "from_name")
        )
        FeedbackLoopRow.objects.bulk_create(
            (
                FeedbackLoopRow(
                    organization_id=product.organization_id,
                    product_id=product.pk,
                    partnership_id=pk,
                    from_function_id=a if is_from_a else b,
                    to_function_id=b if is_from_a else a,
                    to_sort=to_name,
                    from_sort=from_name,
                )
                for pk, a, b, is_from_a, to_name, from_name in rows
            ),
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0022_layer_contributor_names"),
        ("roles", "0014_function_org_playbook"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedbackLoopRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("to_sort", models.TextField()),
                ("from_sort", models.TextField()),
                (
                    "from_function",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="roles.function"
                    ),
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
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="roles.partnership"
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
                (
                    "to_function",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="roles.function"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["organization", "product", "to_sort", "from_sort", "partnership"],
                        name="feedback_loop_order",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("product", "partnership"), name="feedback_loop_unique")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
