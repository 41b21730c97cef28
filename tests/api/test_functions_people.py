"""orgs/<org>/functions/ and orgs/<org>/stakeholders/: writes through the services, refusals with fields."""

from __future__ import annotations

import pytest

from roles.models import Function, Stakeholder
from tests.factories import FunctionFactory, StakeholderFactory

from .conftest import url

pytestmark = pytest.mark.django_db

FUNCTIONS = url("orgs/acme/functions/")
PEOPLE = url("orgs/acme/stakeholders/")


# --- functions ----------------------------------------------------------------------------------


def test_a_leader_adds_a_function(leader_api, org):
    body = {"name": "  Customer   Support ", "category": "customer_facing", "description": "Tickets."}
    response = leader_api.post(FUNCTIONS, body, format="json")
    assert response.status_code == 201, response.json()
    function = Function.objects.get(organization=org, name="Customer Support")
    assert response.json() | {"created_at": None} == {
        "id": function.pk,
        "name": "Customer Support",
        "category": "customer_facing",
        "is_external": False,
        "description": "Tickets.",
        "parent": None,
        "people_count": 0,
        "created_at": None,
    }


def test_an_admin_changes_a_function_and_its_parent(admin_api, org, engineering):
    product_management = FunctionFactory(organization=org, name="Product Management")
    body = {
        "name": "R&D",
        "category": "building",
        "is_external": False,
        "description": "",
        "parent": product_management.pk,
    }
    response = admin_api.put(url(f"orgs/acme/functions/{engineering.pk}/"), body, format="json")
    assert response.status_code == 200, response.json()
    engineering.refresh_from_db()
    assert (engineering.name, engineering.parent_id) == ("R&D", product_management.pk)


def test_a_patch_changes_only_what_it_names(leader_api, engineering):
    response = leader_api.patch(url(f"orgs/acme/functions/{engineering.pk}/"), {"is_external": True}, format="json")
    assert response.status_code == 200
    engineering.refresh_from_db()
    assert engineering.is_external and engineering.name == "Engineering" and engineering.category == "building"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 121, "category": "building"}, "name"),
        ({"name": "", "category": "building"}, "name"),
        ({"name": 42, "category": "building"}, "name"),
        ({"name": "Ops", "category": "cosmic"}, "category"),
        ({"name": "Ops", "category": "building", "is_external": "yes"}, "is_external"),
        ({"name": "Ops", "category": "building", "description": "d" * 2001}, "description"),
        ({"name": "Ops", "category": "building", "parent": "1"}, "parent"),
        ({"name": "Ops", "category": "building", "parent": 10**30}, "parent"),
        ({"category": "building"}, "name"),
    ],
)
def test_it_refuses_a_bad_function_with_field_errors(leader_api, org, body, field):
    response = leader_api.post(FUNCTIONS, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field in response.json()["fields"]
    assert not Function.objects.filter(organization=org, name="Ops").exists()


def test_it_refuses_a_duplicate_name_in_any_case(leader_api, engineering):
    response = leader_api.post(FUNCTIONS, {"name": "ENGINEERING", "category": "building"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["name"] == ["A function named 'Engineering' already exists."]
    assert Function.objects.filter(name__iexact="engineering").count() == 1


def test_another_organizations_function_is_no_parent(leader_api, other_org):
    theirs = FunctionFactory(organization=other_org, name="Their R&D")
    response = leader_api.post(FUNCTIONS, {"name": "Ops", "category": "building", "parent": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]


def test_it_deletes_a_function_moving_its_people(leader_api, org, engineering, engineer):
    target = FunctionFactory(organization=org, name="Platform")
    response = leader_api.delete(url(f"orgs/acme/functions/{engineering.pk}/?move_people_to={target.pk}"))
    assert response.status_code == 200
    assert response.json() == {"name": "Engineering", "people_moved": 1, "people_deleted": 0, "assignments_deleted": 0}
    assert not Function.objects.filter(pk=engineering.pk).exists()
    engineer.refresh_from_db()
    assert engineer.function_id == target.pk


def test_it_will_not_delete_a_function_with_people_without_a_choice(leader_api, engineering, engineer):
    response = leader_api.delete(url(f"orgs/acme/functions/{engineering.pk}/"))
    assert response.status_code == 400
    assert "move_to" in response.json()["fields"]
    assert Function.objects.filter(pk=engineering.pk).exists()


def test_it_deletes_people_only_with_the_head_count_confirmed(leader_api, engineering, engineer):
    stale = leader_api.delete(url(f"orgs/acme/functions/{engineering.pk}/?delete_people=true&people_confirmed=3"))
    assert stale.status_code == 409
    assert Stakeholder.objects.filter(pk=engineer.pk).exists()
    done = leader_api.delete(url(f"orgs/acme/functions/{engineering.pk}/?delete_people=true&people_confirmed=1"))
    assert done.status_code == 200
    assert not Stakeholder.objects.filter(pk=engineer.pk).exists()


def test_functions_filter_by_category_and_name(leader_api, org, engineering, cs_function):
    FunctionFactory(organization=org, name="Sales", category="customer_facing")
    names = lambda query: [f["name"] for f in leader_api.get(FUNCTIONS + query).json()["results"]]  # noqa: E731
    assert names("?category=customer_facing") == ["Customer Success", "Sales"]
    assert names("?name=engin") == ["Engineering"]
    assert names("?category=building&category=customer_facing&ordering=-name") == [
        "Sales",
        "Engineering",
        "Customer Success",
    ]


def test_a_filter_refuses_another_organizations_id(leader_api, other_org, engineering):
    theirs = FunctionFactory(organization=other_org)
    response = leader_api.get(FUNCTIONS + f"?parent={theirs.pk}")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    assert leader_api.get(FUNCTIONS + f"?parent={engineering.pk}").status_code == 200


def test_a_list_asked_for_no_filter_builds_no_filter_set(leader_api, org, engineering, cs_function, monkeypatch):
    """A request naming none of a list's filters reads the list as it is (roles.filters.FilterBackend);
    one naming a filter, even among other parameters, goes through it."""
    from roles import filters

    built = []
    original = filters.FunctionFilter.__init__

    def counted(self, *args, **kwargs):
        built.append(kwargs.get("data"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(filters.FunctionFilter, "__init__", counted)
    every = [f["name"] for f in leader_api.get(FUNCTIONS + "?ordering=-name&page_size=10").json()["results"]]
    assert every == ["Engineering", "Customer Success"] and built == []
    assert [f["name"] for f in leader_api.get(FUNCTIONS + "?page=1&name=eng").json()["results"]] == ["Engineering"]
    assert len(built) == 1
    assert leader_api.get(FUNCTIONS + "?is_external=").status_code == 400  # an empty value is still refused


@pytest.mark.parametrize(
    "query", ["?is_external=maybe", "?category=", "?page_size=0", "?page_size=201", "?page_size=x"]
)
def test_lists_refuse_malformed_parameters(leader_api, engineering, query):
    assert leader_api.get(FUNCTIONS + query).status_code == 400


def test_lists_page(leader_api, org):
    FunctionFactory.create_batch(5, organization=org)
    body = leader_api.get(FUNCTIONS + "?page_size=2&page=2").json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"].endswith("page=3&page_size=2")
    assert leader_api.get(FUNCTIONS + "?page=99").status_code == 404


# --- people -------------------------------------------------------------------------------------


def test_a_leader_adds_a_person(leader_api, org, engineering):
    body = {"full_name": "Ada Lovelace", "title": "Engineer", "email": "Ada@Acme.test", "function": engineering.pk}
    response = leader_api.post(PEOPLE, body, format="json")
    assert response.status_code == 201, response.json()
    person = Stakeholder.objects.get(organization=org, email="Ada@Acme.test")
    assert person.function_id == engineering.pk
    assert response.json()["invite_state"] == "not_invited"
    assert response.json()["has_account"] is False


def test_it_changes_a_person(leader_api, engineer, cs_function):
    response = leader_api.patch(
        url(f"orgs/acme/stakeholders/{engineer.pk}/"), {"function": cs_function.pk}, format="json"
    )
    assert response.status_code == 200
    engineer.refresh_from_db()
    assert engineer.function_id == cs_function.pk and engineer.full_name == "Eve Engineer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "A", "email": "not-an-email", "function": None}, "email"),
        ({"full_name": "A" * 201, "email": "a@acme.test", "function": None}, "full_name"),
        ({"full_name": "A", "email": "a@acme.test", "function": "two"}, "function"),
        ({"full_name": "A", "email": "a@acme.test"}, "function"),
        ({"full_name": "A", "email": ["a@acme.test"], "function": None}, "email"),
    ],
)
def test_it_refuses_a_bad_person(leader_api, engineering, body, field):
    body = {**body, "function": engineering.pk} if body.get("function", "x") is None else body
    response = leader_api.post(PEOPLE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Stakeholder.objects.filter(full_name__startswith="A").exists()


def test_an_email_is_unique_in_the_organization(leader_api, engineer, engineering):
    body = {"full_name": "Eve Two", "email": "EVE@acme.test", "function": engineering.pk}
    response = leader_api.post(PEOPLE, body, format="json")
    assert response.status_code == 400
    assert "already uses the email" in response.json()["fields"]["email"][0]


def test_a_person_cannot_join_another_organizations_function(leader_api, other_org):
    theirs = FunctionFactory(organization=other_org)
    body = {"full_name": "Mallory", "email": "m@acme.test", "function": theirs.pk}
    response = leader_api.post(PEOPLE, body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["function"] == [f'Invalid pk "{theirs.pk}" - object does not exist.']


def test_people_filter_by_function_email_and_invite_state(leader_api, org, engineering, engineer, stakeholder_user):
    StakeholderFactory(function=engineering, email="bob@acme.test", full_name="Bob Builder")
    emails = lambda query: [p["email"] for p in leader_api.get(PEOPLE + query).json()["results"]]  # noqa: E731
    assert emails(f"?function={engineering.pk}") == ["bob@acme.test", "eve@acme.test"]
    assert emails("?email=EVE@ACME.TEST") == ["eve@acme.test"]
    assert emails("?invite_state=joined") == ["cs@acme.test"]
    assert emails("?invite_state=not_invited") == ["bob@acme.test", "eve@acme.test"]
    assert emails("?search=builder") == ["bob@acme.test"]
    assert leader_api.get(PEOPLE + "?invite_state=lost").status_code == 400
