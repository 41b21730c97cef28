"""Each step is validated when it is added (issue 18 item 1), with a sentence that says why."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from layers.models import Product
from roles.models import Function, Organization, Stakeholder
from scenarios import services
from scenarios.changes import InvalidChange, clean_payload, describe
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind")
    scenario = services.create_scenario(organization=org, by=None, name="Reorg")
    return org, scenario


def _fn(org, name):
    return Function.objects.get(organization=org, name=name).pk


def _add(scenario, **fields):
    return services.add_change(scenario=scenario, by=None, **fields)


def test_a_merged_function_cannot_be_renamed_later_and_the_sentence_says_where(demo):
    org, scenario = demo
    sales = _fn(org, "Sales & Account Management")
    _add(scenario, kind="create_function", name="Revenue", category="customer_facing")
    revenue = f"new:{scenario.changes.get(position=1).pk}"
    _add(scenario, kind="rename_function", function=_fn(org, "Engineering"), name="R&D")
    _add(scenario, kind="merge_function", function=sales, into=revenue)
    _add(scenario, kind="hire", full_name="Ana Diaz", email="ana@northwind.test", function=revenue)
    with pytest.raises(InvalidChange) as refused:
        _add(scenario, kind="rename_function", function=sales, name="Sales")
    assert refused.value.detail == (
        "Sales & Account Management is merged into Revenue in step 3; it cannot be renamed in step 5."
    )
    assert refused.value.fields == {"function": [refused.value.detail]}
    assert scenario.changes.count() == 4  # nothing written


def test_messages_for_people_leads_names_and_cells(demo):
    org, scenario = demo
    insights = Product.objects.get(organization=org, slug="insights").pk
    jordan = Stakeholder.objects.get(organization=org, email="stakeholder@northwind.test").pk
    cs = _fn(org, "Customer Success")
    _add(scenario, kind="leaver", person=jordan)
    cases = [
        ({"kind": "move_person", "person": jordan, "to": _fn(org, "Engineering")},
         "Jordan Taylor leaves in step 1; they cannot be moved in step 2."),
        ({"kind": "set_assignment", "product": insights, "function": _fn(org, "Engineering"), "layer": "augmented",
              "emphasis": "lead"},
         "Customer Success leads the Augmented product layer of Northwind Insights at step 2: make it a "
         "contributor or clear it in an earlier step."),
        ({"kind": "create_function", "name": "customer success", "category": "building"},
         "A function named 'Customer Success' already exists."),
        ({"kind": "clear_assignment", "product": insights, "function": _fn(org, "Engineering"), "layer": "augmented"},
         "Engineering has no assignment on the Augmented product layer of Northwind Insights at step 2."),
        ({"kind": "merge_function", "function": cs, "into": cs}, "Choose another function to merge it into."),
        ({"kind": "hire", "full_name": "Dup", "email": "STAKEHOLDER@northwind.test", "function": cs},
         "Someone in this organization already uses the email STAKEHOLDER@northwind.test."),
        ({"kind": "move_person", "person": jordan + 10_000, "to": cs},
         "That person is no longer in this organization."),
    ]  # fmt: skip
    for fields, message in cases:
        with pytest.raises(InvalidChange) as refused:
            _add(scenario, **fields)
        assert refused.value.detail == message, fields["kind"]
    assert scenario.changes.count() == 1


def test_payloads_are_checked_field_by_field():
    with pytest.raises(InvalidChange) as refused:
        clean_payload("set_assignment", {"product": 1, "function": 2, "layer": "roof", "emphasis": "lead"})
    assert refused.value.fields == {"layer": ["Choose a layer."]}
    with pytest.raises(InvalidChange) as refused:
        clean_payload("move_person", {"person": 1, "to": 2, "colour": "red"})
    assert refused.value.fields == {"colour": ["A step of this kind has no field 'colour'."]}
    with pytest.raises(InvalidChange):
        clean_payload("teleport", {})
    loose = {"disruption_kind": "reorg", "title": " Pods ", "occurred_on": "2027-01-04", "functions": ["3", "new:9", 3]}
    clean = {"disruption_kind": "reorg", "title": "Pods", "occurred_on": "2027-01-04", "functions": [3, "new:9"]}
    assert clean_payload("disruption", loose) == clean


def test_a_step_that_a_later_one_needs_cannot_be_removed_or_moved_after_it(demo):
    _org, scenario = demo
    created = _add(scenario, kind="create_function", name="Revenue Ops", category="customer_facing")
    moved = _add(scenario, kind="hire", full_name="Ana Diaz", email="ana@northwind.test", function=f"new:{created.pk}")
    with pytest.raises(InvalidChange, match="not before it"):
        services.remove_change(scenario=scenario, change_id=created.pk)
    with pytest.raises(InvalidChange, match="not before it"):
        services.move_change(scenario=scenario, change_id=created.pk, position=2)
    services.move_change(scenario=scenario, change_id=moved.pk, position=2)  # already there: fine
    assert [describe(c) for c in scenario.changes.order_by("position")] == [
        "Create the function Revenue Ops",
        "Hire Ana Diaz into Revenue Ops",
    ]


def test_a_stale_version_of_the_scenario_is_a_conflict(demo):
    _org, scenario = demo
    stale = Scenario.objects.get(pk=scenario.pk)
    _add(scenario, kind="create_function", name="Revenue Ops", category="customer_facing")
    with pytest.raises(services.Conflict):
        services.add_change(
            scenario=stale, by=None, kind="create_function", name="Data", category="building",
            expected_version=stale.version,
        )  # fmt: skip
