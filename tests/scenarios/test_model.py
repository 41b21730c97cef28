"""The scenario rows (issue 18): tenant keys, order, history, and the selectors' scoping."""

from __future__ import annotations

import pytest

from scenarios import selectors, services
from scenarios.models import Scenario, ScenarioChange

pytestmark = pytest.mark.django_db


def test_a_step_takes_its_organization_from_its_scenario_and_steps_come_in_order(org, leader):
    scenario = services.create_scenario(organization=org, by=leader, name="  Next   year ")
    assert scenario.name == "Next year"
    second = ScenarioChange.objects.create(scenario=scenario, position=2, kind="leaver", payload={"person": 1})
    first = ScenarioChange.objects.create(scenario=scenario, position=1, kind="leaver", payload={"person": 2})
    assert second.organization_id == org.pk
    assert list(selectors.changes_of(scenario)) == [first, second]


def test_selectors_see_one_organization_only(org, other_org, leader):
    mine = services.create_scenario(organization=org, by=leader, name="Mine")
    theirs = services.create_scenario(organization=other_org, by=None, name="Theirs")
    assert list(selectors.scenarios_of(org)) == [mine]
    assert selectors.scenarios_of(org).get().steps == 0
    assert selectors.scenario_for(org, mine.pk) == mine
    assert selectors.scenario_for(org, theirs.pk) is None
    assert selectors.scenario_for(org, "not a number") is None


def test_the_history_records_who_drafted_it(org, leader):
    scenario = services.create_scenario(organization=org, by=leader, name="Audited")
    record = scenario.history.get()
    assert (record.history_type, record.history_user, record.organization_id) == ("+", leader, org.pk)


def test_a_name_is_required_and_bounded(org, leader):
    with pytest.raises(services.DomainError) as refused:
        services.create_scenario(organization=org, by=leader, name="   ")
    assert refused.value.fields == {"name": ["Give the scenario a name."]}
    with pytest.raises(services.DomainError):
        services.create_scenario(organization=org, by=leader, name="x" * 201)
    assert not Scenario.objects.exists()
