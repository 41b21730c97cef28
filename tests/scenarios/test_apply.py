"""Applying a scenario (issue 18 item 4): all steps through the services or nothing; a conflict
lists each difference with its current value; rebase; the campaign and the audit entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from layers.models import Assignment, Product, ReviewCampaign
from layers.services.assignments import assignment_set
from roles.models import Function, FunctionAlias, Organization, Partnership, Stakeholder
from roles.services.functions import function_update
from roles.services.people import stakeholder_update
from scenarios import services
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(db):
    call_command("seed_demo", verbosity=0)
    return Organization.objects.get(slug="northwind")


def _fn(org, name):
    return Function.objects.get(organization=org, name=name)


def _state(org):
    return (
        sorted(Function.objects.filter(organization=org).values_list("pk", "name")),
        sorted(Stakeholder.objects.filter(organization=org).values_list("pk", "function_id")),
        sorted(Assignment.objects.filter(organization=org).values_list("pk", "function_id", "layer_id", "emphasis")),
        Partnership.objects.filter(organization=org).count(),
    )


def test_applying_the_demo_merge_moves_people_and_cells_and_records_who(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    cs, sales = _fn(northwind, "Customer Success"), _fn(northwind, "Sales & Account Management")
    people = set(Stakeholder.objects.filter(function=cs).values_list("pk", flat=True))
    leader = scenario.created_by
    done = services.apply(scenario=scenario, by=leader)
    assert done.steps == 1
    assert not Function.objects.filter(pk=cs.pk).exists()
    assert set(Stakeholder.objects.filter(pk__in=people).values_list("function_id", flat=True)) == {sales.pk}
    assert FunctionAlias.objects.filter(function=sales, label="Customer Success").exists()
    scenario.refresh_from_db()
    assert (scenario.status, scenario.applied_by) == ("applied", leader)
    last = scenario.history.order_by("-history_date", "-history_id").first()
    assert (last.status, last.history_user) == ("applied", leader)


def test_a_conflict_lists_what_changed_with_its_current_value_and_nothing_is_applied(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    leader = scenario.created_by
    engineering = _fn(northwind, "Engineering")
    jordan = Stakeholder.objects.get(organization=northwind, email="stakeholder@northwind.test")
    services.add_change(scenario=scenario, by=leader, kind="move_person", person=jordan.pk, to=engineering.pk)
    services.add_change(scenario=scenario, by=leader, kind="rename_function", function=engineering.pk, name="R&D")
    # Meanwhile, someone moves Jordan and renames Engineering.
    support = _fn(northwind, "Customer Support")
    stakeholder_update(
        stakeholder=jordan, full_name=jordan.full_name, email=jordan.email, function=support, title=jordan.title
    )
    function_update(
        function=engineering, name="Platform", category=engineering.category, is_external=False,
        description="", parent=None,
    )  # fmt: skip
    before = _state(northwind)
    with pytest.raises(services.ScenarioConflict) as refused:
        services.apply(scenario=scenario, by=leader)
    items = [(i.step, i.what, i.drafted, i.current) for i in refused.value.items]
    assert (2, "Jordan Taylor's function", "Customer Success", "Customer Support") in items
    assert (2, "the name of the function Engineering", "Engineering", "Platform") in items
    assert (3, "the name of the function Engineering", "Engineering", "Platform") in items
    assert _state(northwind) == before
    scenario.refresh_from_db()
    assert scenario.status == "draft"


def test_a_changed_assignment_is_a_conflict_and_rebase_records_today(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    leader = scenario.created_by
    insights = Product.objects.get(organization=northwind, slug="insights")
    writing = _fn(northwind, "Technical Writing")
    services.add_change(
        scenario=scenario, by=leader, kind="clear_assignment", product=insights.pk, function=writing.pk,
        layer="augmented",
    )  # fmt: skip
    assignment_set(
        product=insights, function=writing, layer="augmented", emphasis="contributor", contribution="New", by=None
    )
    with pytest.raises(services.ScenarioConflict) as refused:
        services.apply(scenario=scenario, by=leader)
    assert [(i.step, i.drafted, i.current) for i in refused.value.items] == [
        (2, "contributor (version 1)", "contributor (version 2)")
    ]
    result = services.rebase(scenario=scenario, by=leader)
    assert (result.kept, result.dropped) == (2, [])
    services.apply(scenario=scenario, by=leader)
    assert not Assignment.objects.filter(product=insights, function=writing).exists()


def test_rebase_drops_a_step_that_is_no_longer_possible_and_says_why(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    leader = scenario.created_by
    jordan = Stakeholder.objects.get(organization=northwind, email="stakeholder@northwind.test")
    services.add_change(scenario=scenario, by=leader, kind="leaver", person=jordan.pk)
    jordan.delete()
    result = services.rebase(scenario=scenario, by=leader)
    assert result.kept == 1
    assert result.dropped == ["Step 2 (Jordan Taylor leaves): That person is no longer in this organization."]
    assert list(scenario.changes.values_list("position", "kind")) == [(1, "merge_function")]


def test_apply_can_start_a_review_campaign_for_the_functions_it_touched(northwind):
    ReviewCampaign.objects.filter(product__organization=northwind).delete()
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    done = services.apply(scenario=scenario, by=scenario.created_by, start_campaign=True)
    sales = _fn(northwind, "Sales & Account Management")
    assert [c.product.slug for c in done.campaigns] == ["insights"]
    assert list(done.campaigns[0].functions.all()) == [sales]


def test_an_applied_scenario_cannot_be_applied_or_edited_again(northwind):
    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    services.apply(scenario=scenario, by=scenario.created_by)
    with pytest.raises(services.DomainError, match="has been applied"):
        services.apply(scenario=scenario, by=scenario.created_by)
    with pytest.raises(services.DomainError, match="has been applied"):
        services.add_change(scenario=scenario, by=None, kind="create_function", name="Later", category="building")


def test_a_step_refused_half_way_rolls_back_the_steps_before_it(northwind, monkeypatch):
    from roles.services import functions as function_services
    from wholeproduct.errors import DomainError

    scenario = Scenario.objects.get(organization=northwind, name="Merge Customer Success into Sales")
    leader = scenario.created_by
    services.add_change(scenario=scenario, by=leader, kind="create_function", name="Revenue Ops", category="building")
    services.add_change(
        scenario=scenario, by=leader, kind="rename_function", function=_fn(northwind, "Engineering").pk, name="R&D"
    )

    def refuse(**kwargs):
        raise DomainError("The name is locked.")

    monkeypatch.setattr(function_services, "function_update", refuse)
    before = _state(northwind)
    with pytest.raises(services.ScenarioConflict) as refused:
        services.apply(scenario=scenario, by=leader)
    assert [(i.step, i.current) for i in refused.value.items] == [(3, "refused: The name is locked.")]
    assert _state(northwind) == before  # the merge of step 1 and the function of step 2 are gone too
