"""The dashboard's trend rows (`layers.selectors.portfolio._trends`): each product's last snapshots,
read along the (product, -generated_at) index on PostgreSQL, are the rows the window that numbers
every snapshot (`_ranked_trends`, the SQLite way) gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import CoverageReport
from layers.selectors.portfolio import _ranked_trends, _trends
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _snapshots(product, count: int, *, tied: int = 0) -> None:
    now = timezone.now().replace(microsecond=0)
    CoverageReport.objects.bulk_create(
        CoverageReport(
            product=product,
            organization=product.organization,
            run_key=f"t-{product.pk}-{i}",
            trigger="nightly",
            # the newest `tied` share one moment: the id decides between them
            generated_at=now - timedelta(days=max(i - tied + 1, 0)),
            score=i % 101,
            layer_coverage=i / 100,
            function_coverage=0.5,
            review_coverage=0.25,
            agreement=1.0,
        )
        for i in range(count)
    )


def _key(row):
    return (row["product_id"], row["rank"])


def test_each_products_last_snapshots_are_those_the_numbering_window_gives(org):
    long, short, tied, empty = (ProductFactory(organization=org) for _ in range(4))
    _snapshots(long, 37)
    _snapshots(short, 3)
    _snapshots(tied, 12, tied=5)
    ids = [long.pk, short.pk, tied.pk, empty.pk]

    for length in (1, 4, 30, 50):
        found = sorted(_trends(ids, length), key=_key)
        expected = sorted(_ranked_trends(ids, length), key=_key)
        assert found == expected
        assert [row["rank"] for row in found if row["product_id"] == long.pk] == list(range(1, min(length, 37) + 1))
    latest = {row["product_id"]: row for row in _trends(ids, 30) if row["rank"] == 1}
    newest = CoverageReport.objects.filter(product=tied).order_by("-generated_at", "-id").first()
    assert latest[tied.pk]["id"] == newest.pk  # of the five built at the same moment, the last
    assert empty.pk not in latest


def test_no_product_reads_nothing(org):
    with CaptureQueriesContext(connection) as queries:
        assert _trends([], 30) == []
    assert not queries.captured_queries


def test_the_trend_is_one_query_whatever_the_history(org):
    product = ProductFactory(organization=org)
    _snapshots(product, 5)
    with CaptureQueriesContext(connection) as few:
        _trends([product.pk], 30)
    _snapshots(ProductFactory(organization=org), 60)
    with CaptureQueriesContext(connection) as many:
        _trends([product.pk], 30)
    assert len(few.captured_queries) == len(many.captured_queries) == 1
