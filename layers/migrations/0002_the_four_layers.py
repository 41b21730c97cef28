"""The four Whole Product layers are reference data (DESIGN §2), created here and kept by key."""

from django.db import migrations

LAYERS = [
    (
        "core",
        "Core product",
        1,
        "The functionality itself: how it works, how well it is designed, and its overall quality.",
    ),
    (
        "expected",
        "Expected product",
        2,
        "What customers expect before they use it: set by the product team in a product-led motion, "
        "by Sales and Product Marketing in a sales-led one.",
    ),
    (
        "augmented",
        "Augmented product",
        3,
        "Value added beyond the software: sales guidance, partnerships, content and community, "
        "onboarding, training, support and expert advice.",
    ),
    (
        "potential",
        "Potential product",
        4,
        "What it can become: vision, investment, culture, market pipeline, and partners' pass-through value.",
    ),
]


def create_layers(apps, schema_editor):
    Layer = apps.get_model("layers", "Layer")
    for key, name, ring, meaning in LAYERS:
        Layer.objects.update_or_create(key=key, defaults={"name": name, "ring": ring, "meaning": meaning})


def remove_layers(apps, schema_editor):
    apps.get_model("layers", "Layer").objects.filter(key__in=[row[0] for row in LAYERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_initial")]
    operations = [migrations.RunPython(create_layers, remove_layers)]
