"""The map's assignments paged in their default order a layer at a time (layers.selectors.assignment_pages):
every page, filtered or not, holds the rows the list's own order puts there, and none twice."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Assignment
from layers.readmodel.tables import LayerCounts
from layers.selectors.assignment_pages import ORDER
from tests.factories import AssignmentFactory, FunctionFactory, layer

from .conftest import url

pytestmark = pytest.mark.django_db

ASSIGNMENTS = url("orgs/acme/products/insights/assignments/")
# Names out of creation order, with case and accents, so the name order is not the id order.
NAMES = ["zeta", "Alpha", "émile", "beta", "Omega", "delta", "Gamma", "eta", "kappa", "Iota", "lambda", "Mu"]


@pytest.fixture
def mapped(org, product):
    functions = [FunctionFactory(organization=org, name=name) for name in NAMES]
    # Layers of different sizes (core 12, expected 7, augmented 1, potential none), and a lead.
    for i, function in enumerate(functions):
        AssignmentFactory(
            product=product, function=function, layer=layer("core"), emphasis="lead" if i == 3 else "contributor"
        )
        if i % 2 or i == 0:
            AssignmentFactory(
                product=product, function=function, layer=layer("expected"), source="import" if i % 3 else "manual"
            )
    AssignmentFactory(product=product, function=functions[5], layer=layer("augmented"))
    return functions


def listed(product, **filters):
    return list(Assignment.objects.filter(product=product, **filters).order_by(*ORDER).values_list("pk", flat=True))


def paged(client, query=""):
    """Every page of the list at `query`, walked by its `next` links: the ids and the counts."""
    ids, counts, address = [], set(), ASSIGNMENTS + query
    while address:
        body = client.get(address).json()
        ids += [row["id"] for row in body["results"]]
        counts.add(body["count"])
        address = body["next"]
    return ids, counts


@pytest.mark.parametrize("size", [1, 3, 7, 12, 19, 20, 50])
def test_every_page_holds_the_rows_of_the_lists_order(leader_api, product, mapped, size):
    expected = listed(product)
    assert len(expected) == 20
    ids, counts = paged(leader_api, f"?page_size={size}")
    assert ids == expected
    assert counts == {20}


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("layer=expected", {"layer__key": "expected"}),
        ("layer=core&layer=augmented", {"layer__key__in": ["core", "augmented"]}),
        ("emphasis=contributor", {"emphasis": "contributor"}),
        ("source=import", {"source": "import"}),
        ("layer=potential", {"layer__key": "potential"}),
    ],
)
def test_a_filtered_list_pages_the_same_way(leader_api, product, mapped, query, filters):
    ids, counts = paged(leader_api, f"?{query}&page_size=4")
    assert ids == listed(product, **filters)
    assert counts == {len(ids)}


def test_another_order_is_the_lists_own(leader_api, product, mapped):
    ids, _counts = paged(leader_api, "?ordering=-function__name&page_size=5")
    expected = Assignment.objects.filter(product=product).order_by("-function__name", "pk")
    assert ids == list(expected.values_list("pk", flat=True))


def test_the_whole_list_is_counted_by_the_layer_counters(leader_api, product, mapped):
    with CaptureQueriesContext(connection) as captured:
        body = leader_api.get(ASSIGNMENTS + "?page_size=5&page=3").json()
    assert body["count"] == 20
    assert [row["id"] for row in body["results"]] == listed(product)[10:15]
    statements = [query["sql"] for query in captured.captured_queries]
    assert any(LayerCounts._meta.db_table in sql for sql in statements)
    counting = [sql for sql in statements if "COUNT(" in sql.upper() and Assignment._meta.db_table in sql]
    assert not counting  # the cells themselves are not counted


def test_an_empty_map_and_a_page_past_the_end(leader_api, product):
    body = leader_api.get(ASSIGNMENTS).json()
    assert body["count"] == 0 and body["results"] == []
    assert leader_api.get(ASSIGNMENTS + "?page=2").status_code == 404


def test_a_row_shows_its_function_and_layer(leader_api, product, mapped):
    row = leader_api.get(ASSIGNMENTS + "?page_size=1").json()["results"][0]
    first = Assignment.objects.select_related("function", "layer").get(pk=listed(product)[0])
    assert row["function_name"] == first.function.name == "Alpha"
    assert row["layer"] == "core" and row["function_category"] == first.function.category
    assert row["version"] == first.version and row["contribution"] == first.contribution
