"""The dashboard at any size (issue 13 item 9): nothing on it is read or drawn in proportion to the
organization's functions, people, assignments or reviews.

A snapshot's JSON (its gaps, layers, data) stays in the database: the top gaps are the first few
of each snapshot's gaps, cut once and then kept in the cache; the dispute badge sums the counter
rows; a disruption names its first functions and counts the rest."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.selectors.portfolio import GAP_HEADS, TOUCHED_NAMES
from layers.selectors.reviews import open_disputes_qs
from roles.models import Disruption
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

from .reports_scenario import build, insights, review

DASHBOARD = "/o/acme/"
HEAVY_COLUMNS = (
    '"layers_coveragereport"."layers"',
    '"layers_coveragereport"."data"',
    '"layers_coveragereport"."totals"',
)


@pytest.fixture
def scenario(org, cs_function):
    return insights(org, cs_function=cs_function)


def _sql(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def _gaps(response) -> list[tuple[str, str, str]]:
    return [(item.product.name, item.gap["kind"], item.gap["message"]) for item in response.context["top_gaps"]]


@pytest.mark.usefixtures("drawn")  # reads the view's template context
def test_the_top_gaps_are_cut_from_a_snapshot_once_then_read_from_the_cache(leader_client, scenario):
    report = build(scenario.product)

    with CaptureQueriesContext(connection) as first:
        cold = leader_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as second:
        warm = leader_client.get(DASHBOARD)

    expected = [("Insights Cloud", gap["kind"], gap["message"]) for gap in report.gaps[:GAP_HEADS]]
    assert _gaps(cold) == _gaps(warm) == expected
    assert '"gaps"' in _sql(first)  # the first view cuts them from the snapshot
    assert "CASE WHEN" in _sql(first)  # of the snapshots the cache does not hold, and only those
    assert '"gaps"' not in _sql(second)  # the second view does not open the snapshot's JSON at all
    assert len(first.captured_queries) == len(second.captured_queries)
    for column in HEAVY_COLUMNS:  # never the layers, the data or the totals
        assert column not in _sql(first) + _sql(second)


def test_a_new_snapshot_brings_its_own_gaps_to_the_dashboard(leader_client, scenario):
    build(scenario.product, at=timezone.now() - timedelta(hours=1))
    leader_client.get(DASHBOARD)  # the older snapshot's gaps are now in the cache
    sales = scenario.functions["Sales"]
    StakeholderFactory(function=sales, full_name="Sam Seller")  # Sales is staffed now

    newer = build(scenario.product)

    kinds = [gap[1] for gap in _gaps(leader_client.get(DASHBOARD))]
    assert kinds == [gap["kind"] for gap in newer.gaps[:GAP_HEADS]]
    assert "unstaffed_function" not in kinds


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_top_gaps_are_cut_in_the_database_when_the_cache_is_down(leader_client, scenario, settings, caplog):
    report = build(scenario.product)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        },
        "sessions": settings.CACHES["sessions"],
    }

    response = leader_client.get(DASHBOARD)

    assert response.status_code == 200
    assert "The cache is not answering" in caplog.text
    assert _gaps(response) == [("Insights Cloud", gap["kind"], gap["message"]) for gap in report.gaps[:GAP_HEADS]]


def test_the_dispute_badge_counts_what_the_inbox_lists(leader_client, scenario):
    # Eli disputes Engineering's part of Insights Cloud; Ann disputes Sales' part of a second product.
    other = ProductFactory(organization=scenario.org, name="Pipelines", slug="pipelines")
    sales = AssignmentFactory(product=other, function=scenario.functions["Sales"], layer=layer("core"))
    review(sales, StakeholderFactory(function=scenario.functions["Sales"]), verdict="disagree", at=timezone.now())

    response = leader_client.get(DASHBOARD)

    assert response.context["open_disputes"] == open_disputes_qs(scenario.org).count() == 2
    assert "2 open disputes to answer" in response.text.replace('<span class="dispute-count">', "").replace(
        "</span>", ""
    )


def test_a_disruption_names_its_first_functions_and_counts_the_rest(leader_client, scenario):
    build(scenario.product)
    touched = [FunctionFactory(organization=scenario.org, name=f"Team {i:02}") for i in range(TOUCHED_NAMES + 3)]
    reorg = Disruption.objects.create(
        organization=scenario.org,
        kind=Disruption.Kind.REORG,
        title="Big reorg",
        occurred_on=timezone.localdate(),
        effective_at=timezone.now() - timedelta(hours=1),
    )
    reorg.functions.add(*touched)

    response = leader_client.get(DASHBOARD)

    (entry,) = response.context["disruptions"]
    assert entry.touched.names == [f"Team {i:02}" for i in range(TOUCHED_NAMES)]
    assert (entry.touched.count, entry.touched.more) == (TOUCHED_NAMES + 3, 3)
    names = ", ".join(f"Team {i:02}" for i in range(TOUCHED_NAMES))
    assert f"Touched {names} and 3 more functions" in response.text
    assert "Team 08" not in response.text
