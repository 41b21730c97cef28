"""A partial index of the functions without a stored playbook match (normally none), which the
suggestions read on every load (layers.selectors.suggestions `_unstamped`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0012_function_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="function",
            index=models.Index(
                condition=models.Q(("playbook_name__isnull", True)), fields=["organization"], name="function_unstamped"
            ),
        ),
    ]
