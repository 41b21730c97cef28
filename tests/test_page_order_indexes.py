"""A page of a long list is read in its order from an index, never sorted out of the whole tenant
(issue 13 item 9): with sorting and sequential scans made unattractive to the planner, the page's
own query still has no Sort step, because an index holds its order. The functions page sorts by
an expression (category in DESIGN order, then name), as the map editor does: its index holds the
same expression (`roles.models.category_rank`), and this fails the day they part. PostgreSQL only: the plan is
what is tested."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roles.models import Function, Stakeholder

from .api.conftest import token_client
from .services import require_postgres

pytestmark = pytest.mark.django_db

PAGES = [
    ("/o/acme/functions/", "roles_function", "page"),
    ("/o/acme/functions/?category=partner", "roles_function", "page"),
    ("/o/acme/people/", "roles_stakeholder", "page"),
    ("/o/acme/p/insights/map/", "roles_function", "page"),
    ("/api/v1/orgs/acme/functions/", "roles_function", "api"),
    ("/api/v1/orgs/acme/stakeholders/", "roles_stakeholder", "api"),
]


@pytest.fixture
def crowd(org, cs_function):
    functions = Function.objects.bulk_create(
        Function(organization=org, name=f"Team {n:03}", category=Function.Category.values[n % 5]) for n in range(60)
    )
    Stakeholder.objects.bulk_create(
        Stakeholder(organization=org, function=functions[n % 60], full_name=f"Person {n}", email=f"p{n}@acme.test")
        for n in range(120)
    )


def _page_query(client, url: str, table: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return next(
        q["sql"]
        for q in queries
        if f'FROM "{table}"' in q["sql"] and " ORDER BY " in q["sql"] and " LIMIT " in q["sql"]
    )


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(("url", "table", "kind"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_is_read_in_the_order_an_index_holds(crowd, insights, leader, leader_client, url, table, kind):
    require_postgres()
    client = token_client(leader) if kind == "api" else leader_client
    plan = _plan(_page_query(client, url, table))
    assert "Sort" not in plan, plan
