"""DESIGN §5 through the API, for every operation: anonymous 401, outsider 404, a stakeholder's
writes 403 with nothing written, export for admins only (tests/api/test_<resource>.py assert
what a leader's or an admin's success writes)."""

from __future__ import annotations

import pytest

from layers.models import Assignment, CoverageReport, Product, Review
from roles.models import Disruption, Function, Partnership, PartnershipCheckIn, Stakeholder

from .conftest import url

pytestmark = pytest.mark.django_db

JOB = "6f1c2a52-2f0b-4c8e-9a51-0d7e1f7c1a11"

# (name, method, path, body, what it needs: view | edit | review | resolve | admin)
OPERATIONS = [
    ("org", "get", "orgs/{org}/", None, "view"),
    ("functions-list", "get", "orgs/{org}/functions/", None, "view"),
    ("functions-create", "post", "orgs/{org}/functions/", {"name": "Finance", "category": "cross_functional"}, "edit"),
    ("functions-retrieve", "get", "orgs/{org}/functions/{function}/", None, "view"),
    (
        "functions-update",
        "put",
        "orgs/{org}/functions/{function}/",
        {"name": "R&D", "category": "building", "is_external": False, "description": "", "parent": None},
        "edit",
    ),
    ("functions-patch", "patch", "orgs/{org}/functions/{function}/", {"description": "Builds it."}, "edit"),
    ("functions-delete", "delete", "orgs/{org}/functions/{empty_function}/", None, "edit"),
    ("people-list", "get", "orgs/{org}/stakeholders/", None, "view"),
    (
        "people-create",
        "post",
        "orgs/{org}/stakeholders/",
        {"full_name": "Ada L", "email": "ada@acme.test", "function": "{function}"},
        "edit",
    ),
    ("people-retrieve", "get", "orgs/{org}/stakeholders/{person}/", None, "view"),
    (
        "people-update",
        "put",
        "orgs/{org}/stakeholders/{person}/",
        {"full_name": "Eve E", "email": "eve@acme.test", "function": "{function}", "title": "CTO"},
        "edit",
    ),
    ("people-patch", "patch", "orgs/{org}/stakeholders/{person}/", {"title": "CTO"}, "edit"),
    ("products-list", "get", "orgs/{org}/products/", None, "view"),
    ("products-create", "post", "orgs/{org}/products/", {"name": "Connect"}, "edit"),
    ("products-retrieve", "get", "orgs/{org}/products/{product}/", None, "view"),
    ("products-update", "put", "orgs/{org}/products/{product}/", {"name": "Insights 2", "slug": "insights"}, "edit"),
    ("products-patch", "patch", "orgs/{org}/products/{product}/", {"description": "Dashboards"}, "edit"),
    ("assignments-list", "get", "orgs/{org}/products/{product}/assignments/", None, "view"),
    (
        "assignments-create",
        "post",
        "orgs/{org}/products/{product}/assignments/",
        {"function": "{function}", "layer": "potential"},
        "edit",
    ),
    ("assignments-retrieve", "get", "orgs/{org}/products/{product}/assignments/{assignment}/", None, "view"),
    (
        "assignments-patch",
        "patch",
        "orgs/{org}/products/{product}/assignments/{assignment}/",
        {"version": 1, "emphasis": "contributor"},
        "edit",
    ),
    ("assignments-delete", "delete", "orgs/{org}/products/{product}/assignments/{assignment}/", None, "edit"),
    ("suggestions-list", "get", "orgs/{org}/products/{product}/suggestions/", None, "view"),
    ("suggestions-unmatched", "get", "orgs/{org}/products/{product}/suggestions/unmatched/", None, "view"),
    ("suggestions-apply", "post", "orgs/{org}/products/{product}/suggestions/", {"all": True}, "edit"),
    ("reviews-list", "get", "orgs/{org}/reviews/", None, "view"),
    (
        "reviews-create",
        "post",
        "orgs/{org}/reviews/",
        {"assignment": "{own_assignment}", "verdict": "agree"},
        "review",
    ),
    ("reviews-retrieve", "get", "orgs/{org}/reviews/{review}/", None, "view"),
    (
        "reviews-resolve",
        "post",
        "orgs/{org}/reviews/{review}/resolve/",
        {"action": "keep", "note": "Stays."},
        "resolve",
    ),
    ("reports-list", "get", "orgs/{org}/reports/", None, "view"),
    ("reports-build", "post", "orgs/{org}/reports/", {"product": "{product}"}, "edit"),
    ("reports-retrieve", "get", "orgs/{org}/reports/{report}/", None, "view"),
    ("reports-job", "get", "orgs/{org}/reports/jobs/" + JOB + "/", None, "edit"),
    ("reports-export", "get", "orgs/{org}/reports/{report}/export/?format=csv", None, "admin"),
    ("partnerships-list", "get", "orgs/{org}/partnerships/", None, "view"),
    (
        "partnerships-create",
        "post",
        "orgs/{org}/partnerships/",
        {"function_a": "{function}", "function_b": "{empty_function}", "trust": 4},
        "edit",
    ),
    ("partnerships-retrieve", "get", "orgs/{org}/partnerships/{partnership}/", None, "view"),
    ("partnerships-patch", "patch", "orgs/{org}/partnerships/{partnership}/", {"version": 1, "trust": 5}, "edit"),
    ("partnerships-delete", "delete", "orgs/{org}/partnerships/{partnership}/", None, "edit"),
    ("partnerships-check-in", "post", "orgs/{org}/partnerships/{partnership}/check-ins/", {"trust": 2}, "edit"),
    ("disruptions-list", "get", "orgs/{org}/disruptions/", None, "view"),
    (
        "disruptions-create",
        "post",
        "orgs/{org}/disruptions/",
        {"kind": "new_hires", "title": "Ten engineers", "occurred_on": "2025-02-03", "functions": ["{function}"]},
        "edit",
    ),
    ("disruptions-retrieve", "get", "orgs/{org}/disruptions/{disruption}/", None, "view"),
]
IDS = [operation[0] for operation in OPERATIONS]
WRITES = [op for op in OPERATIONS if op[4] in {"edit", "resolve", "admin"}]
OUTSIDE_ORGS = ["layers/", "layers/core/", "orgs/", "auth/tokens/"]


def fill(value, world):
    """The operation's path or body with the world's ids in place of {names}."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return world[value[1:-1]]
        return value.format(**world)
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


def call(client, operation, world):
    _, method, path, body, _ = operation
    kwargs = {"format": "json"} if body is not None else {}
    return getattr(client, method)(url(fill(path, world)), fill(body, world), **kwargs)


def snapshot():
    """Every row an operation could write, to prove that a refusal wrote nothing."""
    models = (
        Function,
        Stakeholder,
        Product,
        Assignment,
        Review,
        CoverageReport,
        Partnership,
        PartnershipCheckIn,
        Disruption,
    )
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_it_asks_anonymous_callers_to_authenticate(anon, world, operation):
    before = snapshot()
    response = call(anon, operation, world)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"] == "not_authenticated"
    assert snapshot() == before


@pytest.mark.parametrize("path", OUTSIDE_ORGS)
def test_it_asks_anonymous_callers_to_authenticate_outside_organizations(anon, path):
    assert anon.get(url(path)).status_code == 401


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_it_answers_404_to_another_organizations_leader(outsider_api, world, operation):
    before = snapshot()
    response = call(outsider_api, operation, world)
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No such organization.", "fields": {}}
    assert snapshot() == before


@pytest.mark.parametrize("operation", WRITES, ids=[op[0] for op in WRITES])
def test_it_refuses_a_stakeholders_writes(stakeholder_api, world, operation):
    before = snapshot()
    response = call(stakeholder_api, operation, world)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert snapshot() == before


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op[4] == "view"], ids=lambda op: op[0])
def test_a_stakeholder_reads_what_design_5_shows_them(stakeholder_api, world, operation):
    assert call(stakeholder_api, operation, world).status_code == 200


def test_a_stakeholder_reviews_their_own_functions_assignment(stakeholder_api, world):
    operation = next(op for op in OPERATIONS if op[0] == "reviews-create")
    response = call(stakeholder_api, operation, world)
    assert response.status_code == 201
    assert Review.objects.filter(pk=response.json()["id"], verdict="agree").exists()


def test_it_keeps_exports_for_admins(leader_api, admin_api, world):
    operation = next(op for op in OPERATIONS if op[0] == "reports-export")
    assert call(leader_api, operation, world).status_code == 403
    response = call(admin_api, operation, world)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_a_stakeholder_does_not_see_products_their_function_is_not_on(stakeholder_api, org, world):
    from tests.factories import ProductFactory

    ProductFactory(organization=org, slug="hidden", name="Hidden")
    assert stakeholder_api.get(url("orgs/acme/products/hidden/")).status_code == 404
    assert stakeholder_api.get(url("orgs/acme/products/hidden/assignments/")).status_code == 404
    slugs = [p["slug"] for p in stakeholder_api.get(url("orgs/acme/products/")).json()["results"]]
    assert slugs == ["insights"]


def test_session_authentication_works_for_a_signed_in_browser(leader, world):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(leader)
    assert client.get(url("orgs/acme/functions/")).status_code == 200
    # A session write without the CSRF token is refused: a token-less form cannot act for the user.
    response = client.post(url("orgs/acme/functions/"), {"name": "X", "category": "building"}, format="json")
    assert response.status_code == 403
    assert not Function.objects.filter(name="X").exists()


OBJECT_IDS = (
    "function",
    "empty_function",
    "person",
    "assignment",
    "own_assignment",
    "review",
    "report",
    "partnership",
    "disruption",
)
ID_OPERATIONS = [op for op in OPERATIONS if any("{" + name + "}" in str(op[2:4]) for name in OBJECT_IDS)]


@pytest.mark.parametrize("operation", ID_OPERATIONS, ids=[op[0] for op in ID_OPERATIONS])
def test_another_organizations_object_is_404_under_ones_own_organization(outsider, other_org, world, operation):
    """Globex's leader (an admin for exports) names Acme's ids under /orgs/globex/, with a Globex product of
    the same slug: every path id answers 404, every body id 400, and nothing is written."""
    from roles.models import Membership
    from tests.factories import FunctionFactory, ProductFactory, StakeholderFactory

    from .conftest import token_client

    if operation[4] == "admin":
        Membership.objects.filter(user=outsider).update(access="admin")
    if operation[4] == "review":  # a person of Globex, who may review Globex's assignments
        StakeholderFactory(function=FunctionFactory(organization=other_org), email=outsider.email, user=outsider)
    ProductFactory(organization=other_org, slug=world["product"])
    before = snapshot()
    response = call(token_client(outsider), operation, {**world, "org": "globex"})
    in_path = any("{" + name + "}" in operation[2] for name in OBJECT_IDS)
    assert response.status_code == (404 if in_path else 400), response.content
    assert snapshot() == before
