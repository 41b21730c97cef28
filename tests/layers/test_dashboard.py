"""The dashboard: the portfolio heat map from each product's latest snapshot, the score trends,
the disruptions and what they did, the top gaps with where each is fixed, and a start for an
empty organization — in the same number of queries however large the portfolio."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch
from django.utils import timezone

from layers import reporting
from layers.readmodel.oracle import rebuild_everything
from roles.models import Disruption, Partnership
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

from .reports_scenario import SCORE, build, insights, review

DASHBOARD = "/o/acme/"


@pytest.fixture
def scenario(org, cs_function):
    return insights(org, cs_function=cs_function)


@pytest.fixture
def pipelines(scenario):
    """A second product whose core layer is led by Product Management and fully reviewed."""
    product = ProductFactory(organization=scenario.org, name="Pipelines", slug="pipelines")
    assignment = AssignmentFactory(
        product=product, function=scenario.functions["Product Management"], layer=layer("core"), emphasis="lead"
    )
    assignment.__class__.objects.filter(pk=assignment.pk).update(changed_at=timezone.now() - timedelta(hours=3))
    review(assignment, scenario.people["pat"], at=timezone.now() - timedelta(hours=1))
    return product


def row_of(response, name: str):
    return next(row for row in response.context["rows"] if row.product.name == name)


# --- the heat map -------------------------------------------------------------------------------


def test_each_cell_is_coloured_by_its_layers_state(leader_client, scenario, pipelines):
    build(scenario.product)
    build(pipelines)

    response = leader_client.get(DASHBOARD)

    insights_row = row_of(response, "Insights Cloud")
    assert [(c.key, c.state) for c in insights_row.cells] == [
        ("core", "disputed"),  # Eli disputes Engineering's part
        ("expected", "unowned"),
        ("augmented", "unreviewed"),  # Casey's agreement went stale
        ("potential", "unowned"),
    ]
    assert row_of(response, "Pipelines").cells[0].state == "reviewed"
    html = response.text
    for state in ("hm-disputed", "hm-unowned", "hm-unreviewed", "hm-reviewed"):
        assert state in html
    assert 'href="/o/acme/p/insights/map/#layer-expected"' in html


@pytest.mark.parametrize(
    ("row", "state"),
    [
        ({"lead": None, "open_disputes": 2}, "unowned"),
        ({"lead": "CEO", "open_disputes": 1, "stakeholders_reached": 3, "current_reviews": 3}, "disputed"),
        ({"lead": "CEO", "open_disputes": 0, "stakeholders_reached": 3, "current_reviews": 3}, "reviewed"),
        ({"lead": "CEO", "open_disputes": 0, "stakeholders_reached": 3, "current_reviews": 2}, "unreviewed"),
        ({"lead": "CEO", "open_disputes": 0, "stakeholders_reached": 0, "current_reviews": 0}, "unreviewed"),
    ],
)
def test_a_layers_state(row, state):
    assert reporting.layer_state(row) == state


def test_each_product_shows_its_score_and_when_and_how_it_was_built(leader_client, scenario):
    report = build(scenario.product, trigger="schedule")

    html = leader_client.get(DASHBOARD).text

    assert f">{SCORE}</span>" in html
    assert "(schedule)" in html and f"/o/acme/reports/{report.pk}/" in html
    assert "Reports built" in html


def test_a_product_without_a_report_says_so(leader_client, scenario):
    html = leader_client.get(DASHBOARD).text
    assert "Not built yet." in html and "Rebuild reports" in html


def test_the_sparkline_draws_the_last_30_snapshots(leader_client, scenario):
    now = timezone.now()
    for day in range(32, 0, -1):
        build(scenario.product, at=now - timedelta(days=day))

    spark = row_of(leader_client.get(DASHBOARD), "Insights Cloud").spark

    assert len(spark.points) == 30
    assert {p.value for p in spark.points} == {SCORE}


# --- disruptions under the trend ----------------------------------------------------------------


def test_a_disruption_shows_what_it_did_to_each_products_score(leader_client, scenario):
    now = timezone.now()
    build(scenario.product, at=now - timedelta(hours=1))  # after the reviews (two hours ago)
    disruption = Disruption.objects.create(
        organization=scenario.org,
        kind=Disruption.Kind.LEADERSHIP_CHANGE,
        title="New VP of Product",
        occurred_on=now.date(),
        effective_at=now - timedelta(minutes=30),
    )
    disruption.functions.add(scenario.functions["Product Management"])
    rebuild_everything()  # a raw row, behind the services that keep the read model
    build(scenario.product)  # Pat's review is stale now

    response = leader_client.get(DASHBOARD)

    (entry,) = response.context["disruptions"]
    assert entry.number == 1
    ((effect),) = entry.effects
    assert (effect.product.name, effect.before, effect.after, effect.delta) == ("Insights Cloud", 68, 60, -8)
    html = response.text
    assert "New VP of Product" in html and "68 → 60" in html and "Touched Product Management" in html
    assert response.context["chart"].markers[0].label == "New VP of Product"


def test_a_stakeholder_sees_only_the_disruptions_touching_their_products(stakeholder_client, scenario):
    build(scenario.product)
    elsewhere = FunctionFactory(organization=scenario.org, name="Facilities")
    for title, function in (("Sales reorg", scenario.functions["Customer Success"]), ("Office move", elsewhere)):
        d = Disruption.objects.create(
            organization=scenario.org,
            kind=Disruption.Kind.REORG,
            title=title,
            occurred_on=timezone.localdate(),
            effective_at=timezone.now() - timedelta(hours=1),
        )
        d.functions.add(function)

    titles = [e.disruption.title for e in stakeholder_client.get(DASHBOARD).context["disruptions"]]

    assert titles == ["Sales reorg"]


# --- top gaps -----------------------------------------------------------------------------------


def test_the_top_gaps_link_to_where_each_is_fixed(leader_client, scenario):
    build(scenario.product)

    response = leader_client.get(DASHBOARD)

    gaps = {}
    for item in response.context["top_gaps"]:
        gaps.setdefault(item.gap["kind"], item)  # the first of each kind
    assert gaps["unowned_layer"].link.url == "/o/acme/p/insights/map/#layer-expected"
    assert gaps["open_dispute"].link.url == "/o/acme/reviews/"
    assert gaps["unmapped_function"].link.url == "/o/acme/p/insights/map/"
    assert gaps["unstaffed_function"].link.url == f"/o/acme/people/?function={scenario.functions['Sales'].pk}"
    partnership = Partnership.objects.get()
    assert gaps["weak_partnership"].link.url == f"/o/acme/web/#partnership-{partnership.pk}"
    assert [item.gap["severity"] for item in response.context["top_gaps"]][:2] == ["high", "high"]
    assert 'href="/o/acme/reviews/"' in response.text


def test_a_stakeholder_is_sent_to_review_their_part_and_not_to_a_leaders_page(stakeholder_client, scenario):
    build(scenario.product)

    top = stakeholder_client.get(DASHBOARD).context["top_gaps"]

    links = {item.gap["kind"]: item.link for item in top}
    assert links["stale_review"].url == "/o/acme/me/" and links["stale_review"].label == "Review your part"
    assert links["unowned_layer"] is None and links["open_dispute"] is None


def test_a_gap_falls_back_to_the_next_page_when_a_route_is_missing(monkeypatch):
    real = reporting.page_address

    def page_address(name, *args, **kwargs):
        if name in ("product-map", "review-inbox"):
            raise NoReverseMatch(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(reporting, "page_address", page_address)

    unowned = {"kind": "unowned_layer", "target": {"layer": "core"}}
    dispute = {"kind": "open_dispute", "target": {"assignment_id": 1, "function_id": 2, "layer": "core"}}
    assert reporting.gap_link(unowned, org_slug="acme", product_slug="x").url == "/o/acme/p/x/#layer-core"
    assert reporting.gap_link(dispute, org_slug="acme", product_slug="x").url == "/o/acme/p/x/#layer-core"
    assert reporting.gap_link({"kind": "something_new", "target": {}}, org_slug="acme", product_slug="x") is None


# --- who sees what, and an empty start ----------------------------------------------------------


def test_a_stakeholder_sees_only_their_products_and_no_rebuild_button(stakeholder_client, scenario, pipelines):
    build(scenario.product)
    build(pipelines)

    response = stakeholder_client.get(DASHBOARD)

    assert [row.product.name for row in response.context["rows"]] == ["Insights Cloud"]
    assert "Pipelines" not in response.text
    assert "Rebuild reports" not in response.text


def test_a_leader_gets_the_rebuild_button(leader_client, scenario):
    html = leader_client.get(DASHBOARD).text
    assert 'hx-post="/o/acme/reports/build/"' in html and 'hx-target="#report-build"' in html


def test_an_empty_organization_gets_a_helpful_start(leader_client, org):
    response = leader_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.text
    assert "Get started" in html and "No products to report on yet" in html
    assert 'href="/o/acme/import/"' in html and 'href="/o/acme/products/new/"' in html
    assert response.context["chart"] is None and response.context["top_gaps"] == []


def test_a_stakeholder_without_a_product_is_told_what_to_expect(client, org):
    from roles.models import Membership
    from tests.conftest import client_for
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(email="new@acme.test")
    MembershipFactory(user=user, organization=org, access=Membership.Access.STAKEHOLDER)
    html = client_for(user).get(DASHBOARD).text
    assert "No product for you yet" in html


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_dashboard_runs_the_same_queries_for_a_small_or_a_large_portfolio(
    leader_client, scenario, django_assert_num_queries
):
    def grow(products: int, reports_each: int) -> None:
        now = timezone.now()
        for i in range(products):
            product = ProductFactory(organization=scenario.org)
            function = FunctionFactory(organization=scenario.org)
            StakeholderFactory(function=function)
            AssignmentFactory(product=product, function=function, layer=layer("core"), emphasis="lead")
            for day in range(reports_each):
                build(product, at=now - timedelta(days=day, hours=i))
            d = Disruption.objects.create(
                organization=scenario.org,
                kind=Disruption.Kind.NEW_HIRES,
                title=f"Hires {i}",
                occurred_on=now.date(),
                effective_at=now - timedelta(days=1, minutes=i),
            )
            d.functions.add(function)

    grow(1, 2)
    leader_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(DASHBOARD).status_code == 200
    grow(9, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get(DASHBOARD)
    assert len(response.context["rows"]) == 11


def test_the_layer_table_partial_draws_live_coverage_and_a_snapshot_alike(scenario):
    from django.template.loader import render_to_string

    from layers.readmodel.read import live_coverage, live_layers
    from layers.selectors.rings import product_rings

    rows = live_layers(scenario.product, product_rings(scenario.product))
    assert rows == live_coverage(scenario.product).coverage.layers  # the counters' rows are live coverage's
    live = render_to_string("layers/_partials/layer_table.html", {"layers": rows})
    stored = render_to_string("layers/_partials/layer_table.html", {"layers": build(scenario.product).layers})

    assert live == stored
    assert "Product Management" in live and "No lead" in live and 'badge badge-danger">1<' in live


# --- one truth: live numbers (issue 13 item 6) ---------------------------------------------------


@pytest.mark.usefixtures("drawn")  # reads the view's template context
def test_the_dashboard_and_the_product_page_show_the_same_live_score_after_every_edit(leader_client, scenario, leader):
    from layers.readmodel.read import live_coverage
    from layers.services import assignments, reviews

    report = build(scenario.product)
    before = row_of(leader_client.get(DASHBOARD), "Insights Cloud").score
    assert before == report.score == live_coverage(scenario.product).coverage.score

    legal = FunctionFactory(organization=scenario.org, name="Legal", category="cross_functional")
    assignments.assignment_set(product=scenario.product, function=legal, layer="expected", emphasis="lead", by=leader)
    reviews.review_submit(assignment=scenario.assignments["cs"], stakeholder=scenario.people["casey"], verdict="agree")

    after = row_of(leader_client.get(DASHBOARD), "Insights Cloud")
    page = leader_client.get(f"/o/{scenario.org.slug}/p/{scenario.product.slug}/")
    assert after.score == live_coverage(scenario.product).coverage.score != before
    assert page.context["coverage"].score == after.score
    assert row_of(leader_client.get(DASHBOARD), "Insights Cloud").latest.score == report.score  # the trend's snapshot
    expected = [c.state for c in after.cells]
    assert expected[1] != "unowned"  # Legal now leads the expected layer, live
    assert "Scores and layers are live" in leader_client.get(DASHBOARD).text
