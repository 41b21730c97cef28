"""Every list answers in the same number of queries for 10 rows and for 1,000 (STYLE §10)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import Assignment, CoverageReport, Layer, Product, Review
from layers.readmodel.oracle import rebuild_everything
from roles.models import Disruption, Function, Partnership, Stakeholder

from .conftest import url

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL, LARGE = 10, 1000


class Grower:
    """Adds rows of one kind to `org` in bulk, so 1,000 rows cost milliseconds."""

    def __init__(self, org, product):
        self.org, self.product, self.made = org, product, 0
        self.layers = list(Layer.objects.order_by("ring"))

    def functions(self, n):
        start, self.made = self.made, self.made + n
        return Function.objects.bulk_create(
            Function(organization=self.org, name=f"Function {i:05d}", category="building")
            for i in range(start, self.made)
        )

    def people(self, n):
        function = self.functions(1)[0]
        start = Stakeholder.objects.count()
        return Stakeholder.objects.bulk_create(
            Stakeholder(organization=self.org, function=function, full_name=f"P {i}", email=f"p{i}@acme.test")
            for i in range(start, start + n)
        )

    def grow(self, kind, n):
        getattr(self, f"grow_{kind}")(n)

    def grow_functions(self, n):
        self.functions(n)
        self.people(n)  # people_count is an annotation: people must not add queries either

    def grow_stakeholders(self, n):
        self.people(n)

    def grow_products(self, n):
        head = self.people(1)[0]
        start = Product.objects.count()
        Product.objects.bulk_create(
            Product(organization=self.org, slug=f"p-{i}", name=f"P {i}", head=head) for i in range(start, start + n)
        )

    def grow_assignments(self, n):
        functions = self.functions(n)
        Assignment.objects.bulk_create(
            Assignment(organization=self.org, product=self.product, function=f, layer=self.layers[i % 4])
            for i, f in enumerate(functions)
        )
        rebuild_everything()  # bulk rows, behind the services that keep the read model

    def grow_reviews(self, n):
        function = self.functions(1)[0]
        assignment = Assignment.objects.create(product=self.product, function=function, layer=self.layers[0])
        people = self.people(n)
        Stakeholder.objects.filter(pk__in=[p.pk for p in people]).update(function=function)
        Review.objects.bulk_create(
            Review(
                organization=self.org,
                assignment=assignment,
                stakeholder=p,
                verdict="disagree",
                comment="No.",
                suggested_layer=self.layers[1],
            )
            for p in people
        )
        rebuild_everything()

    def grow_reports(self, n):
        now = timezone.now()
        start = CoverageReport.objects.count()
        CoverageReport.objects.bulk_create(
            CoverageReport(
                product=self.product,
                organization=self.org,
                run_key=f"run-{i}",
                trigger="schedule",
                generated_at=now - timedelta(hours=i),
                score=50,
                layer_coverage=0.5,
                function_coverage=0.5,
                review_coverage=0.5,
                agreement=0.5,
            )
            for i in range(start, start + n)
        )

    def grow_partnerships(self, n):
        functions = sorted(self.functions(47 if n > 45 else 5), key=lambda f: f.pk)
        pairs = list(combinations(functions, 2))[:n]
        Partnership.objects.bulk_create(
            Partnership(organization=self.org, function_a=a, function_b=b, trust=3) for a, b in pairs
        )

    def grow_disruptions(self, n):
        function = self.functions(1)[0]
        now = timezone.now()
        disruptions = Disruption.objects.bulk_create(
            Disruption(
                organization=self.org, kind="reorg", title=f"D {i}", occurred_on=date(2025, 1, 1), effective_at=now
            )
            for i in range(n)
        )
        through = Disruption.functions.through
        through.objects.bulk_create(through(disruption=d, function=function) for d in disruptions)


LISTS = {
    "functions": "orgs/acme/functions/",
    "stakeholders": "orgs/acme/stakeholders/",
    "products": "orgs/acme/products/",
    "assignments": "orgs/acme/products/insights/assignments/",
    "reviews": "orgs/acme/reviews/",
    "reports": "orgs/acme/reports/",
    "partnerships": "orgs/acme/partnerships/",
    "disruptions": "orgs/acme/disruptions/",
}


def queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url(path) + "?page_size=200")
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response.json()["count"]


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
@pytest.mark.parametrize("kind", LISTS)
def test_a_list_reads_as_many_queries_for_1000_rows_as_for_10(admin_api, org, product, kind):
    grower = Grower(org, product)
    grower.grow(kind, SMALL)
    queries(admin_api, LISTS[kind])  # warm: the token's user and the like
    small, small_count = queries(admin_api, LISTS[kind])
    grower.grow(kind, LARGE - SMALL)
    large, large_count = queries(admin_api, LISTS[kind])
    assert large_count >= LARGE > small_count
    assert large == small, f"{kind}: {small} queries for {small_count} rows, {large} for {large_count}"
    assert small <= 8


@pytest.mark.parametrize("path", ["suggestions/", "suggestions/?status=new&page_size=3", "suggestions/unmatched/"])
def test_suggestions_read_as_many_queries_for_1000_functions_as_for_10(admin_api, org, product, path):
    grower = Grower(org, product)
    grower.functions(SMALL)
    path = "orgs/acme/products/insights/" + path
    with CaptureQueriesContext(connection) as small:
        assert admin_api.get(url(path)).status_code == 200
    grower.functions(LARGE - SMALL)
    with CaptureQueriesContext(connection) as large:
        assert admin_api.get(url(path)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
