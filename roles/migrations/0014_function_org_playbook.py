"""The functions the playbook does not know are read by their organization and stored match, from an
index (the map editor's and the API's unmatched functions), where their count read every tenant's
functions (8,000 rows for 80)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0013_function_unstamped"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="function",
            index=models.Index(fields=["organization", "playbook_name"], name="function_org_playbook"),
        ),
    ]
