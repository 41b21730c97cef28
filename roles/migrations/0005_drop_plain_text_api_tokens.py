"""Delete the old DRF API tokens (issue 16): they were stored in plain text.

They cannot become knox tokens meaningfully: knox keeps a digest of a key the user holds, and
turning the stored plain keys into digests would keep alive secrets that sat readable in the
database and its backups. Integrations sign in again (POST /api/v1/auth/token/) for a hashed,
expiring token (README, "API tokens"). Migrating back restores nothing: the keys are gone.
"""

from django.db import migrations


def drop_plain_text_tokens(apps, schema_editor):
    apps.get_model("authtoken", "Token").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0004_created_by_and_history"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(drop_plain_text_tokens, migrations.RunPython.noop)]
