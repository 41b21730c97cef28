"""A large web's summary reads the unflagged links of each disrupted function checked before its
day, one by one (`roles.selectors.web._kept_summary`): two partial indexes of the unflagged links,
by either end and check day. Applying a disruption flags the links of what it touched, so these
hold the few it left unflagged, not every link a disruption ever touched."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0017_checkin_latest"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(
                condition=models.Q(("needs_trust_check", False)),
                fields=["function_a", "last_checked_on"],
                name="partnership_a_unflagged",
            ),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(
                condition=models.Q(("needs_trust_check", False)),
                fields=["function_b", "last_checked_on"],
                name="partnership_b_unflagged",
            ),
        ),
    ]
