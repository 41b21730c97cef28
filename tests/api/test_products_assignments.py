"""Products, the map's assignments (optimistic locking, one lead per layer) and the playbook's suggestions."""

from __future__ import annotations

import pytest

from layers.models import Assignment, AssignmentChange, Product
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

from .conftest import url

pytestmark = pytest.mark.django_db

PRODUCTS = url("orgs/acme/products/")
ASSIGNMENTS = url("orgs/acme/products/insights/assignments/")
SUGGESTIONS = url("orgs/acme/products/insights/suggestions/")


def rows():
    return list(Assignment.objects.order_by("pk").values("pk", "function_id", "layer_id", "emphasis", "version"))


# --- products -----------------------------------------------------------------------------------


def test_a_leader_adds_a_product_whose_slug_comes_from_its_name(leader_api, org, engineer):
    response = leader_api.post(PRODUCTS, {"name": "Northwind Connect", "head": engineer.pk}, format="json")
    assert response.status_code == 201, response.json()
    product = Product.objects.get(organization=org, slug="northwind-connect")
    assert product.head_id == engineer.pk
    assert response.json()["head_name"] == "Eve Engineer"


def test_an_admin_renames_a_product(admin_api, product):
    response = admin_api.patch(url("orgs/acme/products/insights/"), {"name": "Insights Cloud"}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.name, product.slug) == ("Insights Cloud", "insights")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Dup", "slug": "insights"}, "slug"),
        ({"name": "N" * 201}, "name"),
        ({"name": "Ok", "slug": "not a slug!"}, "slug"),
        ({"name": "Ok", "head": 999999}, "head"),
        ({"name": None}, "name"),
    ],
)
def test_it_refuses_a_bad_product(leader_api, product, body, field):
    response = leader_api.post(PRODUCTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Product.objects.count() == 1


def test_another_organizations_person_cannot_head_a_product(leader_api, other_org):
    theirs = StakeholderFactory(function=FunctionFactory(organization=other_org))
    response = leader_api.post(PRODUCTS, {"name": "Connect", "head": theirs.pk}, format="json")
    assert response.status_code == 400
    assert not Product.objects.filter(name="Connect").exists()


# --- assignments --------------------------------------------------------------------------------


def test_a_leader_assigns_a_function_to_a_layer(leader_api, product, engineering):
    body = {"function": engineering.pk, "layer": "potential", "contribution": "Builds the platform."}
    response = leader_api.post(ASSIGNMENTS, body, format="json")
    assert response.status_code == 201, response.json()
    created = Assignment.objects.get(product=product, function=engineering, layer__key="potential")
    assert (created.emphasis, created.source, created.version) == ("contributor", "manual", 1)
    assert response.json()["layer"] == "potential" and response.json()["version"] == 1
    assert AssignmentChange.objects.filter(product=product, action="created").count() == 1


def test_it_refuses_a_second_lead_with_field_errors_and_writes_nothing(leader_api, eng_assignment, cs_function):
    before = rows()
    response = leader_api.post(
        ASSIGNMENTS, {"function": cs_function.pk, "layer": "core", "emphasis": "lead"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "second_lead"
    assert body["fields"]["emphasis"][0].startswith("Engineering already leads the Core product layer of Insights")
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"layer": "stratosphere"}, "layer"),
        ({"layer": 1}, "layer"),
        ({"layer": "core", "emphasis": "boss"}, "emphasis"),
        ({"layer": "core", "contribution": "c" * 501}, "contribution"),
        ({"layer": "core", "source": "playbook"}, "source"),
        ({"layer": "core", "function": "1"}, "function"),
    ],
)
def test_it_refuses_a_bad_assignment(leader_api, product, engineering, body, field):
    before = rows()
    response = leader_api.post(ASSIGNMENTS, {"function": engineering.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert rows() == before


def test_an_unknown_layer_is_named_in_the_refusal(leader_api, product, engineering):
    response = leader_api.post(ASSIGNMENTS, {"function": engineering.pk, "layer": "cloud"}, format="json")
    assert response.json()["fields"]["layer"] == [
        "Unknown layer 'cloud'; use one of core, expected, augmented, potential."
    ]


def test_creating_a_cell_that_exists_is_a_conflict_with_the_cell(leader_api, eng_assignment, engineering):
    response = leader_api.post(ASSIGNMENTS, {"function": engineering.pk, "layer": "core"}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["id"] == eng_assignment.pk


def test_an_update_with_the_version_read_succeeds(leader_api, eng_assignment, leader):
    path = url(f"orgs/acme/products/insights/assignments/{eng_assignment.pk}/")
    response = leader_api.patch(
        path, {"version": 1, "emphasis": "contributor", "contribution": "Ships."}, format="json"
    )
    assert response.status_code == 200, response.json()
    eng_assignment.refresh_from_db()
    assert (eng_assignment.emphasis, eng_assignment.contribution, eng_assignment.version) == (
        "contributor",
        "Ships.",
        2,
    )
    assert eng_assignment.changed_by == leader
    assert response.json()["version"] == 2


def test_a_stale_version_is_409_with_the_current_object_and_nothing_written(leader_api, eng_assignment):
    path = url(f"orgs/acme/products/insights/assignments/{eng_assignment.pk}/")
    assert leader_api.patch(path, {"version": 1, "contribution": "First."}, format="json").status_code == 200
    before = rows()
    response = leader_api.patch(path, {"version": 1, "emphasis": "contributor"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert "after you loaded it" in body["detail"]
    assert body["current"]["version"] == 2
    assert body["current"]["contribution"] == "First."
    assert body["current"]["emphasis"] == "lead"
    assert rows() == before


def test_an_update_must_name_its_version(leader_api, eng_assignment):
    path = url(f"orgs/acme/products/insights/assignments/{eng_assignment.pk}/")
    for body in ({"emphasis": "contributor"}, {"version": "1", "emphasis": "contributor"}, {"version": 0}):
        response = leader_api.patch(path, body, format="json")
        assert response.status_code == 400
        assert "version" in response.json()["fields"]
    assert leader_api.put(path, {"version": 1}, format="json").status_code == 405


def test_a_delete_with_a_stale_version_deletes_nothing(leader_api, eng_assignment):
    path = url(f"orgs/acme/products/insights/assignments/{eng_assignment.pk}/")
    response = leader_api.delete(path + "?version=7")
    assert response.status_code == 409
    assert response.json()["current"]["id"] == eng_assignment.pk
    assert Assignment.objects.filter(pk=eng_assignment.pk).exists()
    assert leader_api.delete(path + "?version=x").status_code == 400
    assert leader_api.delete(path + "?version=1").status_code == 204
    assert not Assignment.objects.filter(pk=eng_assignment.pk).exists()
    assert leader_api.get(path).status_code == 404


def test_assignments_filter_by_layer_emphasis_and_source(leader_api, product, eng_assignment, cs_assignment, org):
    AssignmentFactory(product=product, function=FunctionFactory(organization=org), layer=layer("core"), source="import")
    ids = lambda query: sorted(a["id"] for a in leader_api.get(ASSIGNMENTS + query).json()["results"])  # noqa: E731
    assert ids("?layer=augmented") == [cs_assignment.pk]
    assert ids("?emphasis=lead") == [eng_assignment.pk]
    assert len(ids("?source=manual")) == 2 and len(ids("?source=import")) == 1
    assert ids(f"?function={eng_assignment.function_id}") == [eng_assignment.pk]
    assert leader_api.get(ASSIGNMENTS + "?layer=moon").status_code == 400


def test_another_products_assignment_is_not_found_under_this_product(leader_api, org, product, engineering):
    other = AssignmentFactory(product=ProductFactory(organization=org, slug="connect"), function=engineering)
    assert leader_api.get(url(f"orgs/acme/products/insights/assignments/{other.pk}/")).status_code == 404
    assert leader_api.get(url(f"orgs/acme/products/connect/assignments/{other.pk}/")).status_code == 200


# --- suggestions --------------------------------------------------------------------------------


@pytest.fixture
def mapped_org(org, product):
    names = [("Product Management", "building"), ("Engineering", "building"), ("Customer Success", "customer_facing")]
    return {name: FunctionFactory(organization=org, name=name, category=category) for name, category in names}


def test_suggestions_list_each_with_its_reason(leader_api, mapped_org):
    body = leader_api.get(SUGGESTIONS).json()
    assert body["go_to_market"] == "hybrid"
    core = [s for s in body["results"] if s["layer"] == "core"]
    assert {s["function_name"] for s in core} == {"Product Management", "Engineering"}
    assert all(s["reason"] and s["status"] == "new" for s in body["results"])
    assert body["counts"]["new"] == len(body["results"]) == body["count"]
    lead = leader_api.get(SUGGESTIONS + "?status=new").json()["results"]
    assert len(lead) == len(body["results"])
    assert leader_api.get(SUGGESTIONS + "?status=someday").status_code == 400


def test_suggestions_page_like_every_list(leader_api, org, mapped_org):
    """Issue 13 item 9: ?page= and ?page_size=, and the envelope of every list (count, next,
    previous, results), with the counts of the whole set; the unmatched functions page on their own."""
    for i in range(7):
        FunctionFactory(organization=org, name=f"Customer Success {i}", category="customer_facing")
    FunctionFactory(organization=org, name="Zebra Wranglers", category="cross_functional")
    everything = []
    body = leader_api.get(SUGGESTIONS + "?page_size=4").json()
    total = body["count"]
    assert total == sum(body["counts"].values()) and len(body["results"]) == 4 and body["previous"] is None
    while True:
        everything += body["results"]
        if not body["next"]:
            break
        body = leader_api.get(body["next"]).json()
    assert len(everything) == total and len({(s["function"], s["layer"]) for s in everything}) == total
    taken = leader_api.get(SUGGESTIONS + "?status=lead_taken&page_size=2").json()
    assert taken["count"] == body["counts"]["lead_taken"] == 7 and len(taken["results"]) == 2
    assert leader_api.get(SUGGESTIONS + "?page=99").status_code == 404
    assert leader_api.get(SUGGESTIONS + "?page_size=500").status_code == 400
    assert body["unmatched"] == 1
    unmatched = leader_api.get(SUGGESTIONS + "unmatched/").json()
    assert unmatched["count"] == 1 and unmatched["results"][0]["function_name"] == "Zebra Wranglers"
    assert unmatched["results"][0]["hints"]


def test_it_applies_a_chosen_subset(leader_api, product, mapped_org):
    engineering = mapped_org["Engineering"]
    response = leader_api.post(SUGGESTIONS, {"cells": [{"function": engineering.pk, "layer": "core"}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    assert list(Assignment.objects.filter(product=product).values_list("function__name", "layer__key", "source")) == [
        ("Engineering", "core", "playbook")
    ]


def test_it_applies_all_and_a_second_time_changes_nothing(leader_api, product, mapped_org):
    first = leader_api.post(SUGGESTIONS, {"all": True}, format="json").json()
    assert first["created"] > 3
    count = Assignment.objects.filter(product=product).count()
    second = leader_api.post(SUGGESTIONS, {"all": True}, format="json").json()
    assert second["created"] == 0 and second["unchanged"] == count
    assert Assignment.objects.filter(product=product).count() == count


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"all": True, "cells": [{"function": 1, "layer": "core"}]},
        {"all": False},
        {"cells": []},
        {"cells": [{"function": 1, "layer": "mantle"}]},
        {"all": "yes"},
    ],
)
def test_it_refuses_an_unclear_apply(leader_api, product, mapped_org, body):
    response = leader_api.post(SUGGESTIONS, body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]
    assert not Assignment.objects.filter(product=product).exists()


def test_it_refuses_another_organizations_function_in_a_cell(leader_api, product, mapped_org, other_org):
    theirs = FunctionFactory(organization=other_org, name="Engineering")
    response = leader_api.post(SUGGESTIONS, {"cells": [{"function": theirs.pk, "layer": "core"}]}, format="json")
    assert response.status_code == 400
    assert "cells.0.function" in response.json()["fields"]
    assert not Assignment.objects.exists()
