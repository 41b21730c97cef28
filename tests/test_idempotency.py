"""Double submits create one row (issue 16 item 6): an API POST's Idempotency-Key, and the form
token of the forms that create rows (disruption, report build, review). The races are run for
real on PostgreSQL in tests/test_concurrency.py's way: threads released together, each with its
own connection."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from layers.models import Review
from roles.models import Disruption, Function, Submission
from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import AssignmentFactory, ProductFactory
from tests.test_concurrency import kinds, race
from wholeproduct.idempotency import REPLAYED

from .services import require_postgres

FUNCTIONS = "/api/v1/orgs/acme/functions/"


def _post(api, body: dict, key: str | None = "key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(FUNCTIONS, body, format="json", **headers)


# --- the API's Idempotency-Key ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_body_answer_the_first_answer_again_and_create_one_row(leader, org):
    api = token_client(leader)
    first = _post(api, {"name": "Ops", "category": "building"})
    second = _post(api, {"name": "Ops", "category": "building"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second[REPLAYED] == "true" and REPLAYED not in first
    assert Function.objects.filter(organization=org, name="Ops").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_answers_422_and_writes_nothing(leader, org):
    api = token_client(leader)
    assert _post(api, {"name": "Ops", "category": "building"}).status_code == 201
    reused = _post(api, {"name": "Finance", "category": "cross_functional"})
    assert reused.status_code == 422
    assert reused.json()["error"] == "idempotency_key_reused"
    assert list(Function.objects.filter(organization=org).values_list("name", flat=True)) == ["Ops"]


@pytest.mark.django_db
def test_keys_belong_to_their_caller(leader, admin_user, org):
    assert _post(token_client(leader), {"name": "Ops", "category": "building"}).status_code == 201
    other = _post(token_client(admin_user), {"name": "Finance", "category": "building"})
    assert other.status_code == 201
    assert Function.objects.filter(organization=org).count() == 2


@pytest.mark.django_db
def test_a_refusal_is_answered_the_same_again_and_without_a_key_nothing_changes(leader, org):
    api = token_client(leader)
    bad = {"name": "", "category": "building"}
    first, again = _post(api, bad), _post(api, bad)
    assert first.status_code == again.status_code == 400 and again.json() == first.json()
    assert _post(api, {"name": "Ops", "category": "building"}, key=None).status_code == 201
    assert _post(api, {"name": "Ops", "category": "building"}, key=None).status_code == 400  # a duplicate name
    assert Function.objects.filter(organization=org).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "naïve"])
def test_a_malformed_key_answers_400(leader, org, key):
    response = token_client(leader).post(
        FUNCTIONS, {"name": "Ops", "category": "building"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Function.objects.filter(organization=org).exists()


@pytest.mark.django_db
def test_the_schema_offers_the_header_and_its_answers_on_posts(admin_user):
    schema = token_client(admin_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/api/v1/orgs/{org}/functions/"]["post"]
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required", False)
    assert header["schema"]["maxLength"] == 255
    assert {"409", "413", "414", "415", "422", "500"} <= set(create["responses"])
    read = schema["paths"]["/api/v1/orgs/{org}/functions/"]["get"]
    assert "Idempotency-Key" not in [p["name"] for p in read.get("parameters", [])]


# --- the forms' one-time token ---------------------------------------------------------------------


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]{32})"', html)
    assert match, "the form carries no token"
    return match.group(1)


def _disruption_form(client: Client, org, function: Function) -> dict:
    page = client.get(reverse("disruption-create", kwargs={"org": org.slug}))
    return {
        "form_token": _token(page.content.decode()),
        "kind": "reorg",
        "title": "Sales reorganized into pods",
        "occurred_on": "2026-05-01",
        "functions": [function.pk],
    }


@pytest.mark.django_db
def test_a_double_clicked_disruption_form_logs_one_disruption(leader, org, cs_function):
    client = client_for(leader)
    url = reverse("disruption-create", kwargs={"org": org.slug})
    data = _disruption_form(client, org, cs_function)
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Disruption.objects.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_again_after_the_window_or_with_other_values_is_a_new_request(leader, org, cs_function):
    client = client_for(leader)
    url = reverse("disruption-create", kwargs={"org": org.slug})
    data = _disruption_form(client, org, cs_function)
    client.post(url, data)
    client.post(url, {**data, "title": "Another reorganization"})  # back, edit, send
    Submission.objects.update(created_at=timezone.now() - timedelta(seconds=31))
    client.post(url, data)  # the same click, a minute later
    assert Disruption.objects.filter(organization=org).count() == 3


@pytest.mark.django_db
def test_a_double_clicked_review_records_one_review(stakeholder_user, org, cs_function):
    assignment = AssignmentFactory(product=ProductFactory(organization=org, slug="insights"), function=cs_function)
    client = client_for(stakeholder_user)
    page = client.get(reverse("me", kwargs={"org": org.slug})).content.decode()
    data = {"form_token": _token(page), f"a{assignment.pk}-verdict": "agree"}
    url = reverse("me-review", kwargs={"org": org.slug, "pk": assignment.pk})
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Review.objects.filter(assignment=assignment).count() == 1


@pytest.mark.django_db
def test_a_double_clicked_rebuild_queues_one_build(leader, org, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "idem"}}
    ProductFactory(organization=org, slug="insights")
    client = client_for(leader)
    page = client.get(reverse("report-list", kwargs={"org": org.slug})).content.decode()
    data = {"form_token": _token(page), "product": "insights"}
    url = reverse("report-build", kwargs={"org": org.slug})
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] and "?job=" in first["Location"]


# --- two at the same instant, on PostgreSQL ---------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_posts_with_one_key_create_one_row_and_answer_alike(leader, org):
    require_postgres()
    # One integration sending twice: the same token on both connections (knox issues a new token per
    # sign-in, and keys are per credentials).
    first = token_client(leader)
    second = APIClient()
    second.credentials(**first._credentials)
    api_clients = [first, second]
    body = {"name": "Ops", "category": "building"}
    outcomes, _ = race(2, lambda i: _post(api_clients[i], body))
    assert kinds(outcomes) == {"ok": 2}
    answers = [o.value for o in outcomes]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.get(REPLAYED, "") for a in answers) == ["", "true"]
    assert Function.objects.filter(organization=org, name="Ops").count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_clicks_of_one_form_log_one_disruption(leader, org, cs_function):
    require_postgres()
    clients = [client_for(leader), client_for(leader)]
    url = reverse("disruption-create", kwargs={"org": org.slug})
    data = _disruption_form(clients[0], org, cs_function)
    outcomes, _ = race(2, lambda i: clients[i].post(url, data))
    assert kinds(outcomes) == {"ok": 2}
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert Disruption.objects.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_a_refusal_of_the_caller_is_not_remembered(stakeholder_user, org):
    from roles.models import Membership

    api = token_client(stakeholder_user)
    assert _post(api, {"name": "Ops", "category": "building"}).status_code == 403
    Membership.objects.filter(user=stakeholder_user).update(access=Membership.Access.LEADER)
    assert _post(api, {"name": "Ops", "category": "building"}).status_code == 201
    assert Function.objects.filter(organization=org, name="Ops").count() == 1


@pytest.mark.django_db
def test_a_key_whose_first_request_is_still_being_answered_answers_409(leader, org):
    api = token_client(leader)
    _post(api, {"name": "Ops", "category": "building"})
    Submission.objects.update(status=0)  # as while the first request runs
    busy = _post(api, {"name": "Ops", "category": "building"})
    assert busy.status_code == 409
    assert busy.json()["current"] is None and "still being answered" in busy.json()["detail"]
    assert Function.objects.filter(organization=org).count() == 1
