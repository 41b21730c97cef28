"""The scenarios API (issue 18 item 5): drafting, steps, impact, apply with its 409, rebase; access."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from layers.models import Product
from roles.models import Function, Organization, Stakeholder
from roles.services.people import stakeholder_update
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(db):
    call_command("seed_demo", verbosity=0)
    return Organization.objects.get(slug="northwind")


def _as(email: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=email))
    return client


BASE = "/api/v1/orgs/northwind/scenarios/"


def test_a_leader_drafts_adds_steps_reads_the_impact_and_applies(northwind):
    api = _as("leader@northwind.test")
    created = api.post(BASE, {"name": "One customer team"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["changes"] == []
    cs = Function.objects.get(organization=northwind, name="Customer Success")
    sales = Function.objects.get(organization=northwind, name="Sales & Account Management")
    added = api.post(
        f"{BASE}{pk}/changes/",
        {"kind": "merge_function", "payload": {"function": cs.pk, "into": sales.pk}, "version": 1},
        format="json",
    )
    assert added.status_code == 201, added.content
    step = added.json()["changes"][0]
    assert (step["position"], step["summary"]) == (1, "Merge Customer Success into Sales & Account Management")
    assert step["base"]["functions"] == {str(cs.pk): "Customer Success", str(sales.pk): "Sales & Account Management"}
    impact = api.get(f"{BASE}{pk}/impact/").json()
    insights = next(p for p in impact["products"] if p["product"]["slug"] == "insights")
    assert {"layer": "augmented", "layer_name": "Augmented product", "before": "Customer Success", "after": None,
            "lost": True} in insights["lead_changes"]  # fmt: skip
    assert insights["scenario"]["score"] < insights["today"]["score"]
    applied = api.post(f"{BASE}{pk}/apply/", {"start_campaign": False}, format="json")
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied"
    assert not Function.objects.filter(pk=cs.pk).exists()


def test_an_invalid_step_answers_400_with_the_field_and_the_sentence(northwind):
    api = _as("leader@northwind.test")
    scenario = Scenario.objects.get(organization=northwind)
    cs = Function.objects.get(organization=northwind, name="Customer Success")
    answer = api.post(
        f"{BASE}{scenario.pk}/changes/",
        {"kind": "rename_function", "payload": {"function": cs.pk, "name": "Success"}},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Customer Success is merged into Sales & Account Management in step 1; it cannot be renamed in step 2."
    )
    assert answer.json()["fields"] == {"function": [answer.json()["detail"]]}


def test_apply_answers_409_with_each_conflict_and_its_current_value(northwind):
    api = _as("admin@northwind.test")
    scenario = Scenario.objects.get(organization=northwind)
    jordan = Stakeholder.objects.get(organization=northwind, email="stakeholder@northwind.test")
    engineering = Function.objects.get(organization=northwind, name="Engineering")
    api.post(
        f"{BASE}{scenario.pk}/changes/",
        {"kind": "move_person", "payload": {"person": jordan.pk, "to": engineering.pk}},
        format="json",
    )
    support = Function.objects.get(organization=northwind, name="Customer Support")
    stakeholder_update(
        stakeholder=jordan, full_name=jordan.full_name, email=jordan.email, function=support, title=jordan.title
    )
    answer = api.post(f"{BASE}{scenario.pk}/apply/", {}, format="json")
    assert answer.status_code == 409
    body = answer.json()
    assert body["error"] == "conflict" and body["fields"] == {}
    assert body["conflicts"] == [
        {"step": 2, "what": "Jordan Taylor's function", "drafted": "Customer Success", "current": "Customer Support"}
    ]
    rebased = api.post(f"{BASE}{scenario.pk}/rebase/", {}, format="json")
    assert rebased.status_code == 200
    assert api.post(f"{BASE}{scenario.pk}/apply/", {}, format="json").status_code == 200


def test_steps_can_be_moved_and_removed(northwind):
    api = _as("leader@northwind.test")
    scenario = Scenario.objects.get(organization=northwind)
    insights = Product.objects.get(organization=northwind, slug="insights")
    writing = Function.objects.get(organization=northwind, name="Technical Writing")
    added = api.post(
        f"{BASE}{scenario.pk}/changes/",
        {"kind": "clear_assignment", "payload": {"product": insights.pk, "function": writing.pk, "layer": "augmented"}},
        format="json",
    ).json()
    step = added["changes"][1]["id"]
    moved = api.post(f"{BASE}{scenario.pk}/changes/{step}/move/", {"position": 1}, format="json")
    assert [c["id"] for c in moved.json()["changes"]] == [step, added["changes"][0]["id"]]
    removed = api.delete(f"{BASE}{scenario.pk}/changes/{step}/")
    assert removed.status_code == 200
    assert [c["kind"] for c in removed.json()["changes"]] == ["merge_function"]


@pytest.mark.parametrize("email", ["stakeholder@northwind.test", "leader@contoso.test"])
def test_stakeholders_and_other_organizations_get_404_and_nothing_is_written(northwind, email):
    api = _as(email)
    scenario = Scenario.objects.get(organization=northwind)
    assert api.get(BASE).status_code == 404
    assert api.get(f"{BASE}{scenario.pk}/impact/").status_code == 404
    assert api.post(f"{BASE}{scenario.pk}/apply/", {}, format="json").status_code == 404
    assert api.post(BASE, {"name": "Sneaky"}, format="json").status_code == 404
    assert Scenario.objects.count() == 1
    scenario.refresh_from_db()
    assert scenario.status == "draft"


def test_a_stale_version_answers_409_with_the_scenario_as_it_is_now(northwind):
    api = _as("leader@northwind.test")
    scenario = Scenario.objects.get(organization=northwind)
    body = {"kind": "create_function", "payload": {"name": "Revenue Ops", "category": "building"}, "version": 1}
    answer = api.post(f"{BASE}{scenario.pk}/changes/", body, format="json")
    assert answer.status_code == 409
    assert (answer.json()["current"]["version"], answer.json()["current"]["steps"]) == (scenario.version, 1)
    stale_apply = api.post(f"{BASE}{scenario.pk}/apply/", {"version": 1}, format="json")
    assert stale_apply.status_code == 409
    assert stale_apply.json()["conflicts"] == []
