"""Store each existing function's playbook match (issue 13 item 9).

Reversible: going back leaves the columns to the previous migration, which drops them.
"""

from django.db import migrations

BATCH = 1000


def store(apps, schema_editor):
    # The matcher is code, not schema: the current one is what the stored match must agree with.
    from roles.services.playbook_matches import match_of

    Function = apps.get_model("roles", "Function")
    batch = []
    for function in Function.objects.only("id", "name").order_by("pk").iterator(chunk_size=BATCH):
        function.playbook_name, function.playbook_hints = match_of(function.name)
        batch.append(function)
        if len(batch) == BATCH:
            Function.objects.bulk_update(batch, ["playbook_name", "playbook_hints"])
            batch = []
    Function.objects.bulk_update(batch, ["playbook_name", "playbook_hints"])


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0004_function_playbook_match"),
    ]

    operations = [migrations.RunPython(store, migrations.RunPython.noop)]
