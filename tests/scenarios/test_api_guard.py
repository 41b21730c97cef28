"""The scenarios API under issue 16's rules: its writes (draft, add a step, apply) pass the input
guard, the Idempotency-Key and the JSON error shape like every other write, and applying a
scenario that hires or moves people opens no invite or account hole (issue 16 items 1, 3, 4, 6)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from layers.models import ReviewCampaign
from layers.tasks import reviews as review_tasks
from roles.models import Disruption, Function, Invite, Membership, Stakeholder
from scenarios.models import Scenario, ScenarioChange
from tests.api.conftest import token_client
from tests.factories import AssignmentFactory, ProductFactory, layer

pytestmark = pytest.mark.django_db
User = get_user_model()
BASE = "/api/v1/orgs/acme/scenarios/"
MALLORY = "mallory@evil.test"


@pytest.fixture
def api(leader):
    return token_client(leader)


@pytest.fixture
def scenario(api, org):
    answer = api.post(BASE, {"name": "Next year"}, format="json")
    assert answer.status_code == 201, answer.content
    return Scenario.objects.get(pk=answer.json()["id"])


def _steps(scenario: Scenario) -> int:
    return ScenarioChange.objects.filter(scenario=scenario).count()


# --- the input guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["*/*", "text/plain", "application/x-www-form-urlencoded"])
def test_scenario_writes_that_are_not_json_answer_415_and_write_nothing(api, scenario, cs_function, content_type):
    hire = {"kind": "hire", "payload": {"full_name": "Ann \u202eLee", "email": "ann@acme.test", "function": 1}}
    for path, body in [
        (BASE, {"name": "Sneaky \u202ereorg"}),
        (f"{BASE}{scenario.pk}/changes/", hire),
        (f"{BASE}{scenario.pk}/apply/", {"start_campaign": True}),
    ]:
        answer = api.generic("POST", path, json.dumps(body), content_type=content_type)
        assert answer.status_code == 415, (path, answer.content)
        assert answer.json()["error"] == "unsupported_media_type"
    assert Scenario.objects.count() == 1 and _steps(scenario) == 0
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.DRAFT


@pytest.mark.parametrize("where", ["create", "change"])
def test_scenario_writes_refuse_bidi_controls_and_deep_nesting_with_json_400(api, scenario, cs_function, where):
    path = BASE if where == "create" else f"{BASE}{scenario.pk}/changes/"
    body = (
        {"name": "Reorg \u202egpj.exe"}
        if where == "create"
        else {"kind": "hire", "payload": {"full_name": "Ann \u202eLee", "email": "a@acme.test", "function": 1}}
    )
    answer = api.post(path, body, format="json")
    assert answer.status_code == 400
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in answer.json()["detail"]
    deep = api.generic("POST", path, "[" * 100_000, content_type="application/json")
    assert deep.status_code == 400 and deep["Content-Type"] == "application/json"
    assert Scenario.objects.count() == 1 and _steps(scenario) == 0


@pytest.mark.parametrize(
    ("kind", "payload", "field", "char"),
    [
        ("hire", {"full_name": "Ann\u200dLee", "email": "ann@acme.test", "function": "CS"}, "full_name", "U+200D"),
        (
            "hire",
            {"full_name": "Ann Lee", "email": "ann@acme.test", "function": "CS", "title": "\u200cVP"},
            "title",
            "U+200C",
        ),
        ("create_function", {"name": "Revenue\nOps", "category": "building"}, "name", "U+000A"),
        ("rename_function", {"function": "CS", "name": "Success\u200d"}, "name", "U+200D"),
        ("split_function", {"function": "CS", "name": "Renewals\tTeam", "people": ["P"]}, "name", "U+0009"),
        (
            "disruption",
            {"disruption_kind": "reorg", "title": "Re\u200corg", "occurred_on": "2027-01-04", "functions": ["CS"]},
            "title",
            "U+200C",
        ),
    ],
)
def test_a_steps_names_and_titles_follow_the_short_text_rule(
    api, scenario, cs_function, stakeholder_user, kind, payload, field, char
):
    """The guard lets through what long text may hold (line breaks, tabs, joiners); a step's names
    and titles are short text, refused like on the forms, so applying never stores them."""
    person = Stakeholder.objects.get(user=stakeholder_user)
    refs = {"CS": cs_function.pk, "P": person.pk}
    payload = {k: ([refs[x] for x in v] if isinstance(v, list) else refs.get(v, v)) for k, v in payload.items()}
    answer = api.post(f"{BASE}{scenario.pk}/changes/", {"kind": kind, "payload": payload}, format="json")
    assert answer.status_code == 400, answer.content
    assert char in answer.json()["fields"][field][0]
    assert _steps(scenario) == 0


# --- Idempotency-Key and JSON errors --------------------------------------------------------------


def test_a_repeated_idempotency_key_drafts_one_scenario_and_adds_one_step(api, org, cs_function):
    headers = {"HTTP_IDEMPOTENCY_KEY": "draft-1"}
    first = api.post(BASE, {"name": "Once"}, format="json", **headers)
    second = api.post(BASE, {"name": "Once"}, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Scenario.objects.filter(organization=org, name="Once").count() == 1
    pk = first.json()["id"]
    step = {"kind": "create_function", "payload": {"name": "Revenue Ops", "category": "building"}}
    answers = [api.post(f"{BASE}{pk}/changes/", step, format="json", HTTP_IDEMPOTENCY_KEY="step-1") for _ in "ab"]
    assert [a.status_code for a in answers] == [201, 201] and answers[1]["Idempotent-Replayed"] == "true"
    assert ScenarioChange.objects.filter(scenario_id=pk).count() == 1
    other = api.post(f"{BASE}{pk}/apply/", {}, format="json", HTTP_IDEMPOTENCY_KEY="step-1")
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert Scenario.objects.get(pk=pk).status == Scenario.Status.DRAFT


def test_scenario_errors_answer_the_apis_json_shape(api, scenario):
    for method, path, status in [
        ("get", f"{BASE}999999/", 404),
        ("post", f"{BASE}999999/apply/", 404),
        ("delete", f"{BASE}{scenario.pk}/changes/999999/", 400),  # "There is no such step in this scenario."
        ("get", f"{BASE}{scenario.pk}/no-such-action/", 404),
        ("put", f"{BASE}{scenario.pk}/", 405),
        ("get", f"{BASE}{scenario.pk}/apply/", 405),
    ]:
        answer = getattr(api, method)(path, {}, format="json")
        assert answer.status_code == status, (method, path, answer.status_code)
        assert answer["Content-Type"] == "application/json"
        assert {"error", "detail", "fields"} <= set(answer.json())


# --- applying opens no invite or account hole -------------------------------------------------------


def test_applying_a_hire_with_an_outsiders_address_sends_nothing_and_creates_no_account(
    leader, org, cs_function, stakeholder_user, api, scenario, eager_tasks, django_capture_on_commit_callbacks
):
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    hire = {"full_name": "Mallory Outsider", "email": MALLORY, "function": cs_function.pk}
    added = api.post(f"{BASE}{scenario.pk}/changes/", {"kind": "hire", "payload": hire}, format="json")
    assert added.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        applied = api.post(f"{BASE}{scenario.pk}/apply/", {"start_campaign": True}, format="json")
    assert applied.status_code == 200, applied.content
    campaign = ReviewCampaign.objects.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        review_tasks.campaign_remind.delay(campaign.pk, "http://testserver/")
        review_tasks.campaigns_daily.delay()
    mallory = Stakeholder.objects.get(organization=org, email=MALLORY)
    assert (mallory.user_id, mallory.created_by) == (None, leader)
    assert [h.history_user for h in mallory.history.all()] == [leader]  # the activity log names who
    assert [m.to for m in mail.outbox if MALLORY in m.to] == []
    assert not Invite.objects.exists()
    assert not User.objects.filter(email__iexact=MALLORY).exists()
    assert Membership.objects.filter(organization=org).count() == 2  # the leader and Casey


def test_applying_a_move_of_a_person_with_an_account_keeps_their_email_and_account(
    leader, org, cs_function, engineering, stakeholder_user, api, scenario
):
    casey = Stakeholder.objects.get(user=stakeholder_user)
    move = {"person": casey.pk, "to": engineering.pk}
    added = api.post(f"{BASE}{scenario.pk}/changes/", {"kind": "move_person", "payload": move}, format="json")
    assert added.status_code == 201
    assert api.post(f"{BASE}{scenario.pk}/apply/", {}, format="json").status_code == 200
    casey.refresh_from_db()
    stakeholder_user.refresh_from_db()
    assert (casey.function, casey.user, casey.email) == (engineering, stakeholder_user, "cs@acme.test")
    assert stakeholder_user.email == "cs@acme.test"
    assert not Disruption.objects.exists() and Function.objects.filter(organization=org).count() == 2
