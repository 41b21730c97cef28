"""The impact of a scenario (issue 18 item 2): what the demo's merge does, what today's side
equals, and that nothing is written."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Assignment, Product
from layers.readmodel.read import live_coverage
from roles.generate import Sizes, generate_organization
from roles.models import Function, Organization, Stakeholder
from scenarios import services
from scenarios.models import Scenario
from tests.scenarios.test_impact_equals_apply import comparable

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(db):
    call_command("seed_demo", verbosity=0)
    return Organization.objects.get(slug="northwind")


def test_the_demo_merge_shows_the_augmented_layer_losing_its_lead(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    impact = services.impact(scenario)
    insights = impact.product(Product.objects.get(organization=northwind, slug="insights").pk)
    lost = [change for change in insights.lead_changes if change.lost]
    assert [(c.layer_key, c.before, c.after) for c in lost] == [("augmented", "Customer Success", None)]
    assert insights.today.layer("augmented").lead == "Customer Success"
    assert insights.scenario.layer("augmented").lead is None
    assert insights.scenario.score < insights.today.score
    assert impact.consequences[0] == (
        "The Augmented product layer of Northwind Insights loses its lead (Customer Success)."
    )
    assert any(p.loses == "Customer Success" for p in impact.partnerships)
    assert impact.people_to_reconfirm > 0


def test_today_is_the_live_coverage_and_computing_writes_nothing(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    before = (Function.objects.count(), Stakeholder.objects.count(), Assignment.objects.count())
    with CaptureQueriesContext(connection) as queries:
        impact = services.impact(scenario, gaps=True)
    assert not [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert (Function.objects.count(), Stakeholder.objects.count(), Assignment.objects.count()) == before
    for product in Product.objects.filter(organization=northwind):
        assert comparable(impact.product(product.pk).today) == comparable(live_coverage(product).coverage)


def test_fixing_the_lead_in_the_scenario_gives_the_layer_back_its_lead(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    sales = Function.objects.get(organization=northwind, name="Sales & Account Management")
    insights = Product.objects.get(organization=northwind, slug="insights")
    leader = scenario.created_by
    services.add_change(
        scenario=scenario, by=leader, kind="set_assignment", product=insights.pk, function=sales.pk,
        layer="augmented", emphasis="lead",
    )  # fmt: skip
    after = services.impact(scenario).product(insights.pk)
    assert after.scenario.layer("augmented").lead == "Sales & Account Management"
    assert [(c.before, c.after) for c in after.lead_changes if c.layer_key == "augmented"] == [
        ("Customer Success", "Sales & Account Management")
    ]
    assert (sales.pk, "augmented") in after.changed_cells


def _queries_for_impact(functions: int, seed: int) -> int:
    org = generate_organization(
        sizes=Sizes(functions=functions, people=functions * 4, products=2, reviews=functions * 8), seed=seed
    ).organization
    admin = org.memberships.filter(access="admin").first().user
    scenario = services.create_scenario(organization=org, by=admin, name="Size check")
    people = list(Stakeholder.objects.filter(organization=org).order_by("pk")[:3])
    targets = list(Function.objects.filter(organization=org).order_by("pk")[:4])
    for person, target in zip(people, targets[1:], strict=False):
        if person.function_id != target.pk:
            services.add_change(scenario=scenario, by=admin, kind="move_person", person=person.pk, to=target.pk)
    services.add_change(scenario=scenario, by=admin, kind="merge_function", function=targets[0].pk, into=targets[3].pk)
    with CaptureQueriesContext(connection) as queries:
        services.impact(scenario)
    return len(queries.captured_queries)


def test_the_impact_costs_the_same_queries_whatever_the_size_of_the_organization():
    assert _queries_for_impact(12, seed=1) == _queries_for_impact(60, seed=2)
