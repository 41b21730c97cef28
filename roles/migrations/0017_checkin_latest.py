"""A table row's trust trend reads its link's last check-ins from a (partnership, -checked_on, -id)
index and stops at the eighth (`roles.selectors.web.with_trends`): the link's index read every
check-in it ever had, one a week for years."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0016_membership_org_access"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partnershipcheckin",
            index=models.Index(fields=["partnership", "-checked_on", "-id"], name="checkin_latest"),
        ),
    ]
