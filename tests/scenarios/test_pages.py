"""The scenario pages (issue 18 item 3): list, editor, impact panel, compare, apply, exports.

The cast: `org` ("Acme Analytics") with a product whose augmented layer Customer Success leads
and Sales contributes to; a leader drafts "merge Customer Success into Sales" and sees the
layer lose its lead before anything is written to the organization.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from layers.models import Assignment
from layers.readmodel.read import live_coverage
from roles.models import Function, Stakeholder
from scenarios import services
from scenarios.models import Scenario, ScenarioChange
from tests.factories import AssignmentFactory, ProductFactory, StakeholderFactory, layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, cs_function):
    sales = Function.objects.create(organization=org, name="Sales", category=Function.Category.CUSTOMER_FACING)
    eng = Function.objects.create(organization=org, name="Engineering", category=Function.Category.BUILDING)
    product = ProductFactory(organization=org, name="Acme Cloud", slug="cloud")
    AssignmentFactory(product=product, function=eng, layer=layer("core"), emphasis="lead")
    AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    AssignmentFactory(product=product, function=sales, layer=layer("augmented"), emphasis="contributor")
    for name, function in (("Casey CS", cs_function), ("Sam Sales", sales), ("Eve Eng", eng)):
        StakeholderFactory(organization=org, function=function, full_name=name, email=f"{name.split()[0]}@acme.test")
    return {"product": product, "cs": cs_function, "sales": sales, "eng": eng}


@pytest.fixture
def scenario(org, leader):
    return services.create_scenario(organization=org, by=leader, name="Merge CS into Sales")


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_list_shows_each_scenario_with_its_steps_author_and_status(leader_client, org, leader, world, scenario):
    services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )

    page = text(leader_client.get(url("scenario-list", org)))

    assert "Merge CS into Sales" in page
    assert f"Merge CS into Sales 1 {scenario.created_at:%-d %b %Y} by {leader.get_full_name()} Draft" in page


def test_creating_a_scenario_takes_one_click_even_when_sent_twice(leader_client, org, world):
    data = {"name": "Regional pods", "description": "", "form_token": "a" * 32}

    first = leader_client.post(url("scenario-create", org), data)
    second = leader_client.post(url("scenario-create", org), data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Scenario.objects.filter(organization=org, name="Regional pods").count() == 1


def test_a_nameless_scenario_is_refused_in_plain_words(leader_client, org):
    response = leader_client.post(url("scenario-create", org), {"name": "  "})

    assert response.status_code == 200
    assert "This field is required." in text(response) or "Give the scenario a name." in text(response)
    assert not Scenario.objects.filter(organization=org).exists()


def test_a_merge_shows_the_augmented_layer_losing_its_lead_and_writes_nothing(leader_client, org, world, scenario):
    before = live_coverage(world["product"])

    response = leader_client.post(
        url("scenario-change-add", org, pk=scenario.pk),
        {"kind": "merge_function", "function": world["cs"].pk, "into": world["sales"].pk, "version": scenario.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    page = text(response)
    assert "Merge Customer Success into Sales" in page
    assert "loses its lead (Customer Success)" in page
    assert "Score 50 42 ▼ \u22128 (worse) Layers with a lead 50% 25% ▼ \u221225 pts (worse)" in page
    # the organization itself is untouched: the function exists and the lead is still there
    assert Function.objects.filter(pk=world["cs"].pk).exists()
    assert Assignment.objects.get(function=world["cs"], layer__key="augmented").emphasis == "lead"
    assert live_coverage(world["product"]).coverage.score == before.coverage.score == 50


def test_the_changed_cells_are_marked_in_the_picture_and_said_in_words(leader_client, org, leader, world, scenario):
    services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )

    html = leader_client.get(url("scenario-detail", org, pk=scenario.pk)).content.decode()

    assert html.count('class="wp-chip-mark"') >= 1
    assert "changed in this scenario" in html  # in the chip's title and the picture's description
    assert "Customer Success would no longer lead the Augmented layer." in text_of(html)
    assert "style=" not in html


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_invalid_step_is_refused_beside_the_form_and_nothing_is_added(leader_client, org, leader, world, scenario):
    services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )

    response = leader_client.post(
        url("scenario-change-add", org, pk=scenario.pk),
        {"kind": "rename_function", "function": world["cs"].pk, "name": "Care", "version": scenario.version},
    )

    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode() or 'class="form-error"' in response.content.decode()
    assert "Customer Success" in text(response)
    assert ScenarioChange.objects.filter(scenario=scenario).count() == 1


def test_a_typed_function_name_picks_it_without_javascript(leader_client, org, world, scenario):
    response = leader_client.post(
        url("scenario-change-add", org, pk=scenario.pk),
        {"kind": "merge_function", "function_text": "customer success", "into_text": "Sales"},
    )

    assert response.status_code == 302
    step = ScenarioChange.objects.get(scenario=scenario)
    assert step.payload == {"function": world["cs"].pk, "into": world["sales"].pk}


def test_steps_move_up_and_down_and_are_removed(leader_client, org, leader, world, scenario):
    first = services.add_change(
        scenario=scenario, by=leader, kind="rename_function", function=world["eng"].pk, name="R&D"
    )
    second = services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )

    moved = leader_client.post(url("scenario-change-move", org, pk=scenario.pk, change=second.pk), {"direction": "up"})
    assert moved.status_code == 302
    assert list(ScenarioChange.objects.filter(scenario=scenario).order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]

    removed = leader_client.post(
        url("scenario-change-remove", org, pk=scenario.pk, change=first.pk), HTTP_HX_REQUEST="true"
    )
    assert removed.status_code == 200
    assert "Step removed" in text(removed)
    assert list(ScenarioChange.objects.filter(scenario=scenario).values_list("pk", flat=True)) == [second.pk]


def test_the_function_picker_offers_existing_and_planned_functions(leader_client, org, leader, world, scenario):
    created = services.add_change(
        scenario=scenario, by=leader, kind="create_function", name="Sales Ops", category="building"
    )

    options = leader_client.get(url("scenario-function-search", org, pk=scenario.pk) + "?q=sales").content.decode()

    assert f'data-value="new:{created.pk}"' in options
    assert f'data-value="{world["sales"].pk}"' in options
    assert "Customer Success" not in options


def test_a_stakeholder_and_an_outsider_find_no_scenario(stakeholder_client, outsider_client, org, world, scenario):
    for client in (stakeholder_client, outsider_client):
        assert client.get(url("scenario-list", org)).status_code == 404
        assert client.get(url("scenario-detail", org, pk=scenario.pk)).status_code == 404


def test_the_navigation_links_scenarios_for_leaders_only(leader_client, stakeholder_client, org, world):
    link = url("scenario-list", org)

    assert link in leader_client.get(url("dashboard", org)).content.decode()
    assert link not in stakeholder_client.get(url("dashboard", org)).content.decode()


def test_applying_makes_the_changes_and_says_so(leader_client, org, leader, world, scenario):
    services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )
    scenario.refresh_from_db()

    page = leader_client.get(url("scenario-apply", org, pk=scenario.pk))
    assert "Merge Customer Success into Sales" in text(page)
    response = leader_client.post(
        url("scenario-apply", org, pk=scenario.pk), {"version": scenario.version}, follow=True
    )

    assert "applied: 1 step made in one go" in text(response)
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.APPLIED
    assert not Function.objects.filter(pk=world["cs"].pk).exists()


def test_a_conflict_lists_what_changed_and_offers_a_rebase(leader_client, org, leader, world, scenario):
    person = Stakeholder.objects.get(email="Casey@acme.test")
    services.add_change(scenario=scenario, by=leader, kind="move_person", person=person.pk, to=world["eng"].pk)
    scenario.refresh_from_db()
    Stakeholder.objects.filter(pk=person.pk).update(function=world["sales"])  # moved by hand meanwhile

    response = leader_client.post(url("scenario-apply", org, pk=scenario.pk), {"version": scenario.version})

    assert response.status_code == 409
    page = text(response)
    assert "Nothing was applied" in page
    assert "Step 1" in page and "When drafted" in page and "Now" in page
    assert url("scenario-rebase", org, pk=scenario.pk) in response.content.decode()
    assert Stakeholder.objects.get(pk=person.pk).function_id == world["sales"].pk
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.DRAFT

    rebased = leader_client.post(url("scenario-rebase", org, pk=scenario.pk), follow=True)
    assert "Rebased onto today" in text(rebased)


def test_two_scenarios_compare_side_by_side(leader_client, org, leader, world, scenario):
    services.add_change(
        scenario=scenario, by=leader, kind="merge_function", function=world["cs"].pk, into=world["sales"].pk
    )
    other = services.create_scenario(organization=org, by=leader, name="New lead for augmented")
    services.add_change(
        scenario=other,
        by=leader,
        kind="set_assignment",
        product=world["product"].pk,
        function=world["eng"].pk,
        layer="potential",
        emphasis="lead",
    )

    page = text(leader_client.get(url("scenario-compare", org) + f"?a={scenario.pk}&b={other.pk}"))

    assert "Merge CS into Sales" in page and "New lead for augmented" in page
    assert "Acme Cloud" in page


def test_a_step_sent_twice_by_a_double_click_is_added_once(leader_client, org, world, scenario):
    data = {
        "kind": "merge_function",
        "function": world["cs"].pk,
        "into": world["sales"].pk,
        "version": scenario.version,
        "form_token": "b" * 32,
    }

    first = leader_client.post(url("scenario-change-add", org, pk=scenario.pk), data, HTTP_HX_REQUEST="true")
    second = leader_client.post(url("scenario-change-add", org, pk=scenario.pk), data, HTTP_HX_REQUEST="true")

    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert ScenarioChange.objects.filter(scenario=scenario).count() == 1


def test_an_applied_scenario_shows_its_steps_and_no_form(leader_client, org, leader, world, scenario):
    services.add_change(scenario=scenario, by=leader, kind="rename_function", function=world["eng"].pk, name="R&D")
    services.apply(scenario=scenario, by=leader)

    page = text(leader_client.get(url("scenario-detail", org, pk=scenario.pk)))

    assert "Rename Engineering to R&amp;D" in page or "Rename Engineering to R&D" in page
    assert "Add a change" not in page
    assert "became part of Acme Analytics" in page


def test_a_scenario_is_deleted_after_a_confirmation(leader_client, org, world, scenario):
    confirm = leader_client.get(url("scenario-delete", org, pk=scenario.pk))
    assert "This cannot be undone." in text(confirm)
    assert Scenario.objects.filter(pk=scenario.pk).exists()

    response = leader_client.post(url("scenario-delete", org, pk=scenario.pk), follow=True)

    assert "Scenario “Merge CS into Sales” deleted." in text(response)
    assert not Scenario.objects.filter(pk=scenario.pk).exists()
