"""A page of a list ordered through a join is read ids first (shared.paging): the same rows in the
same order as a slice, on every page, with the ids cut by a statement that selects them alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from layers.models import Assignment, Layer, Product
from roles import rowcounts
from roles.models import Function
from roles.rowcounts import CountedPaginator
from shared.paging import ids_first, narrowable

from ..services import require_postgres

pytestmark = pytest.mark.django_db

ORDER = ("layer__ring", "function__name", "pk")


@pytest.fixture
def cells(org):
    product = Product.objects.create(organization=org, slug="insights", name="Insights")
    # Names in both cases, so the order is the database's own collation's.
    names = [f"Team {n:02}" if n % 2 else f"team {n:02}b" for n in range(27)]
    functions = Function.objects.bulk_create(Function(organization=org, name=name) for name in names)
    layers = list(Layer.objects.order_by("ring"))
    Assignment.objects.bulk_create(
        Assignment(organization=org, product=product, function=function, layer=layer, emphasis="contributor")
        for n, function in enumerate(functions)
        for layer in layers[: 1 + n % 4]
    )
    return Assignment.objects.filter(product=product).select_related("function", "layer")


@pytest.fixture
def ids_first_always(monkeypatch):
    monkeypatch.setattr(rowcounts, "IDS_FIRST_ABOVE", 0)  # the fixture's list is short


@pytest.mark.parametrize("per_page", [1, 7, 10, 200])
def test_every_page_holds_the_rows_of_the_slice_in_its_order(cells, per_page, ids_first_always):
    ordered = cells.order_by(*ORDER)
    expected = [a.pk for a in ordered]
    paginator = CountedPaginator(ordered, per_page)
    read = [a.pk for number in paginator.page_range for a in paginator.page(number)]
    assert read == expected and len(set(read)) == cells.count() == 66  # every row, once


def test_a_short_list_is_sliced_in_one_statement(cells):
    ordered = cells.order_by(*ORDER)
    with CaptureQueriesContext(connection) as queries:
        rows = list(CountedPaginator(ordered, 10).page(2))
    assert [a.pk for a in rows] == [a.pk for a in ordered[10:20]]
    assert "IN (SELECT" not in queries[-1]["sql"]


def test_the_ids_are_cut_by_a_statement_of_ids_alone(cells):
    ordered = cells.order_by(*ORDER)
    with CaptureQueriesContext(connection) as queries:
        rows = list(ids_first(ordered, 10, 20))
    assert [a.pk for a in rows] == [a.pk for a in ordered[10:20]]
    (statement,) = (q["sql"] for q in queries)
    inner = statement[statement.index("IN (SELECT") :]
    assert inner.startswith('IN (SELECT U0."id"') and "LIMIT 10 OFFSET 10" in inner
    assert rows[0].function.name and rows[0].layer.key  # the outer statement keeps select_related


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.order_by("function__name"),  # not a total order: the two statements could part
        lambda qs: qs.order_by("emphasis", "pk"),  # no join in the order: a plain slice is as good
        lambda qs: qs.order_by(*ORDER).distinct(),
        lambda qs: qs.order_by(*ORDER).annotate(n=Count("reviews")),
        lambda qs: qs.order_by(*ORDER).values("pk"),
        lambda qs: qs.order_by(*ORDER)[:5],
        lambda qs: qs.order_by(*ORDER).none(),
    ],
    ids=["partial order", "no join", "distinct", "annotated", "values", "sliced", "empty"],
)
def test_other_lists_are_sliced_as_usual(cells, change):
    queryset = change(cells)
    assert not narrowable(queryset)
    assert not narrowable(list(cells))


def test_the_product_cells_index_holds_their_ids(db):
    """PostgreSQL: the ids of a page of the API's cells can come from the product's cells index
    alone (layers migration 0018), not from the rows, which a large product spreads over the
    table (at 5,000 functions the page's statement fell from 15 ms to 5; the benchmark shows it)."""
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'assignment_product_cells'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("(product_id, function_id, layer_id, emphasis, source) INCLUDE (id)"), definition
