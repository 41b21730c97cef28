"""Every foreign key of the app's tables can be looked up by an index (issue 13).

Deleting a row makes Django delete or update the rows that point to it, by that key alone, and
PostgreSQL check the key again at commit. A key that no index starts with is looked up by
reading every tenant's rows of the table: the read model's pairs had indexes led by the
organization only, and deleting one function's people read 1.5 million pairs (migration layers
0021). Indexes made by raw SQL in migrations count, so the database's catalog is read.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from tests.services import require_postgres

APPS = ("roles", "layers", "scenarios")
# Keys no index starts with, and why a lookup by them alone is rare enough.
UNINDEXED = {
    ("layers_suggestionrow", "organization_id"): "only an organization's deletion looks its rows up by it;"
    " every refresh names the product or the function, whose indexes lead",
}


@pytest.mark.django_db
def test_every_foreign_key_of_the_apps_leads_an_index():
    require_postgres()
    tables = sorted(
        model._meta.db_table
        for label in APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)
              AND NOT EXISTS (
                  SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
              )
            ORDER BY 1, 2
            """,
            [tables],
        )
        unindexed = set(cursor.fetchall())
    assert unindexed - set(UNINDEXED) == set(), "add an index led by each of these keys"
    assert set(UNINDEXED) <= unindexed, "an exemption no longer needed: remove it"
