"""The functions pages: list grouped by category, create, edit, delete — and who may do what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Assignment
from roles.models import Function, Stakeholder
from roles.selectors import functions as selectors
from roles.services import functions as services
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory
from wholeproduct.errors import Conflict, DomainError

LIST = "/o/acme/functions/"
NEW = "/o/acme/functions/new/"


def edit_url(function: Function) -> str:
    return f"/o/acme/functions/{function.pk}/edit/"


def delete_url(function: Function) -> str:
    return f"/o/acme/functions/{function.pk}/delete/"


def form_data(**overrides: object) -> dict[str, object]:
    data = {"name": "Solutions Engineering", "category": "customer_facing", "description": "Pre-sales demos."}
    data.update(overrides)
    return data


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "new/", "{pk}/edit/", "{pk}/delete/"])
def test_it_sends_anonymous_visitors_to_login(client, engineering, path):
    response = client.get(LIST + path.format(pk=engineering.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["", "new/", "{pk}/edit/", "{pk}/delete/"])
def test_it_answers_404_to_outsiders(outsider_client, engineering, path, method):
    response = getattr(outsider_client, method)(LIST + path.format(pk=engineering.pk), form_data())
    assert response.status_code == 404
    assert Function.objects.filter(organization=engineering.organization).count() == 1


@pytest.mark.parametrize("path", ["{pk}/edit/", "{pk}/delete/"])
def test_it_answers_404_for_a_function_of_another_organization(leader_client, other_org, path):
    foreign = FunctionFactory(organization=other_org, name="Globex Sales")
    assert leader_client.get(LIST + path.format(pk=foreign.pk)).status_code == 404
    assert leader_client.post(LIST + path.format(pk=foreign.pk), form_data()).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Globex Sales"


def test_stakeholders_see_the_list_without_edit_buttons(stakeholder_client, engineering):
    response = stakeholder_client.get(LIST)
    assert response.status_code == 200
    assert "Engineering" in response.text
    assert NEW not in response.text
    assert edit_url(engineering) not in response.text
    assert delete_url(engineering) not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["new/", "{pk}/edit/", "{pk}/delete/"])
def test_it_refuses_edits_to_stakeholders(stakeholder_client, engineering, path, method):
    response = getattr(stakeholder_client, method)(LIST + path.format(pk=engineering.pk), form_data(name="Hacked"))
    assert response.status_code == 403
    engineering.refresh_from_db()
    assert engineering.name == "Engineering"
    assert not Function.objects.filter(name__in=["Hacked", "Solutions Engineering"]).exists()


def test_admins_may_edit_too(admin_client_, org):
    response = admin_client_.post(NEW, form_data())
    assert response.status_code == 302
    assert Function.objects.filter(organization=org, name="Solutions Engineering").exists()


def test_the_list_refuses_a_post(leader_client, org):
    assert leader_client.post(LIST, form_data()).status_code == 405


# --- the list ---------------------------------------------------------------------------------


def test_it_groups_functions_by_category_in_design_order(leader_client, org):
    for name, category in [
        ("Channel Partners", "partner"),
        ("CEO", "leadership"),
        ("Finance", "cross_functional"),
        ("Sales", "customer_facing"),
        ("Engineering", "building"),
    ]:
        FunctionFactory(organization=org, name=name, category=category)
    response = leader_client.get(LIST)
    assert response.status_code == 200
    html = response.text
    positions = [html.index(f'id="category-{key}"') for key, _ in selectors.CATEGORY_ORDER]
    assert positions == sorted(positions)
    assert html.index("Engineering") < html.index("Sales") < html.index("Finance") < html.index("CEO")
    assert 'class="chip cat-partner"' in html


def test_it_shows_the_parent_external_flag_and_head_count(leader_client, org):
    pm = FunctionFactory(organization=org, name="Product Management", category="building")
    owners = FunctionFactory(organization=org, name="Product Owners", category="building", parent=pm)
    StakeholderFactory.create_batch(3, function=owners)
    FunctionFactory(organization=org, name="Channel Partners", category="partner", is_external=True)
    response = leader_client.get(LIST)
    groups = {g.key: g for g in response.context["groups"]}
    rows = [(r.function.name, r.depth, r.function.people_count) for r in groups["building"].rows]
    assert rows == [("Product Management", 0, 0), ("Product Owners", 1, 3)]
    assert ">External</span>" in response.text
    assert f"?function={owners.pk}" in response.text


def test_it_shows_a_helpful_empty_state(leader_client, org):
    response = leader_client.get(LIST)
    assert "No functions yet" in response.text
    assert "Add the first function" in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_list_runs_the_same_number_of_queries_for_3_or_30_functions(leader_client, org, django_assert_num_queries):
    def add(count: int) -> None:
        for _ in range(count):
            function = FunctionFactory(organization=org, category="customer_facing")
            StakeholderFactory(function=function)
            FunctionFactory(organization=org, parent=function)

    add(3)
    leader_client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(LIST).status_code == 200
    add(27)
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get(LIST)
    assert len(response.context["groups"][0].rows) == 30


def _functions(org, count: int, category: str, prefix: str) -> list[Function]:
    return Function.objects.bulk_create(
        Function(organization=org, name=f"{prefix} {n:03}", category=category) for n in range(count)
    )


def test_it_pages_fifty_functions_in_category_order_and_points_to_the_categories_on_other_pages(leader_client, org):
    _functions(org, 70, "building", "Build")
    _functions(org, 5, "partner", "Partner")
    response = leader_client.get(LIST)
    html = response.text
    building, *_, partners = response.context["groups"]
    assert [r.function.name for r in building.rows] == [f"Build {n:03}" for n in range(50)]
    assert (building.total, partners.total, partners.rows, partners.first_page) == (70, 5, [], 2)
    assert "Showing 1\u201350 of 75 functions" in html and "Page 1 of 2" in html
    assert "5 partner functions from page 2" in html and "No leadership function yet." in html
    second = leader_client.get(LIST, {"page": 2})
    names = [r.function.name for g in second.context["groups"] for r in g.rows]
    assert names == [f"Build {n:03}" for n in range(50, 70)] + [f"Partner {n:03}" for n in range(5)]


def test_its_live_search_answers_the_matching_rows_only(leader_client, org):
    _functions(org, 60, "building", "Build")
    sales = FunctionFactory(organization=org, name="Sales — EMEA", category="customer_facing")
    StakeholderFactory.create_batch(2, function=sales)
    response = leader_client.get(LIST, {"q": "emea"}, HTTP_HX_REQUEST="true")
    html = response.text
    assert "<html" not in html and 'id="category-customer_facing"' in html and 'id="category-building"' not in html
    assert [(r.function.name, r.function.people_count) for g in response.context["groups"] for r in g.rows] == [
        ("Sales — EMEA", 2)
    ]
    assert "matching the filter" in html and response["Vary"].count("HX-Request") == 1
    only = leader_client.get(LIST, {"category": "customer_facing"})
    assert only.context["total"] == 1
    nothing = leader_client.get(LIST, {"q": "zzz", "category": "not-a-category", "page": "x"})
    assert nothing.status_code == 200 and "No function matches “zzz”" in nothing.text


def test_a_search_matches_only_the_functions_of_the_organization(leader_client, org, other_org):
    FunctionFactory(organization=other_org, name="Sales — EMEA")
    response = leader_client.get(LIST, {"q": "EMEA"})
    assert response.context["total"] == 0


def test_the_list_reads_as_many_queries_for_60_functions_as_for_600(leader_client, org):
    def count() -> int:
        leader_client.get(LIST, {"page": 2})
        with CaptureQueriesContext(connection) as captured:
            assert leader_client.get(LIST, {"page": 2}).status_code == 200
        return len(captured.captured_queries)

    for function in _functions(org, 60, "building", "Build")[::3]:
        StakeholderFactory(function=function)
    small = count()
    _functions(org, 540, "customer_facing", "Sell")
    assert count() == small


# --- create and edit --------------------------------------------------------------------------


def test_it_creates_a_function(leader_client, org, engineering):
    response = leader_client.post(NEW, form_data(is_external="on", parent=engineering.pk))
    function = Function.objects.get(organization=org, name="Solutions Engineering")
    assert response.status_code == 302
    assert response.url == f"{LIST}#function-{function.pk}"
    assert (function.category, function.is_external, function.parent, function.description) == (
        "customer_facing",
        True,
        engineering,
        "Pre-sales demos.",
    )


def test_it_rejects_a_duplicate_name_in_other_case(leader_client, org):
    FunctionFactory(organization=org, name="Sales")
    response = leader_client.post(NEW, form_data(name="  sALES "))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A function named 'Sales' already exists."]
    assert "A function named &#x27;Sales&#x27; already exists." in response.text
    assert Function.objects.filter(organization=org).count() == 1


def test_the_same_name_is_fine_in_another_organization(leader_client, org, other_org):
    FunctionFactory(organization=other_org, name="Sales")
    assert leader_client.post(NEW, form_data(name="Sales")).status_code == 302
    assert Function.objects.filter(organization=org, name="Sales").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 121}, "name", "Ensure this value has at most 120 characters (it has 121)."),
        (
            {"category": "marketing"},
            "category",
            "Select a valid choice. marketing is not one of the available choices.",
        ),
        ({"description": "d" * 2001}, "description", "Ensure this value has at most 2000 characters (it has 2001)."),
        ({"parent": "999999"}, "parent", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_it_rejects_bad_input_with_a_message(leader_client, org, data, field, message):
    response = leader_client.post(NEW, form_data(**data))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Function.objects.filter(organization=org).exists()


def test_it_offers_no_parent_from_another_organization(leader_client, other_org):
    foreign = FunctionFactory(organization=other_org, name="Globex Sales")
    response = leader_client.post(NEW, form_data(parent=foreign.pk))
    assert "parent" in response.context["form"].errors
    assert "Globex Sales" not in response.text
    assert not Function.objects.filter(name="Solutions Engineering").exists()


def test_it_edits_a_function(leader_client, engineering):
    response = leader_client.post(
        edit_url(engineering), form_data(name="Engineering (R&D)", category="building", description="")
    )
    assert response.status_code == 302
    engineering.refresh_from_db()
    assert (engineering.name, engineering.description) == ("Engineering (R&D)", "")


def test_a_function_may_change_the_case_of_its_own_name(leader_client, engineering):
    assert (
        leader_client.post(edit_url(engineering), form_data(name="ENGINEERING", category="building")).status_code == 302
    )
    engineering.refresh_from_db()
    assert engineering.name == "ENGINEERING"


def test_editing_rejects_the_name_of_another_function(leader_client, org, engineering):
    FunctionFactory(organization=org, name="Design")
    response = leader_client.post(edit_url(engineering), form_data(name="design", category="building"))
    assert response.context["form"].errors["name"] == ["A function named 'Design' already exists."]
    assert "<h1>Edit Engineering</h1>" in response.text
    engineering.refresh_from_db()
    assert engineering.name == "Engineering"


def test_the_parent_choices_leave_out_the_function_and_everything_inside_it(leader_client, org):
    pm = FunctionFactory(organization=org, name="Product Management")
    owners = FunctionFactory(organization=org, name="Product Owners", parent=pm)
    squad = FunctionFactory(organization=org, name="Squad", parent=owners)
    other = FunctionFactory(organization=org, name="Design")
    response = leader_client.get(edit_url(pm))
    assert list(response.context["form"].fields["parent"].queryset) == [other]
    response = leader_client.post(edit_url(pm), form_data(name="Product Management", parent=squad.pk))
    assert "parent" in response.context["form"].errors
    pm.refresh_from_db()
    assert pm.parent is None


def test_the_service_refuses_a_cycle(org):
    pm = FunctionFactory(organization=org, name="Product Management")
    owners = FunctionFactory(organization=org, name="Product Owners", parent=pm)
    with pytest.raises(DomainError) as caught:
        services.function_update(
            function=pm, name=pm.name, category=pm.category, is_external=False, description="", parent=owners
        )
    assert caught.value.fields["parent"] == [
        "'Product Owners' is inside 'Product Management', so it cannot contain it."
    ]
    with pytest.raises(DomainError, match="cannot be inside itself"):
        services.function_update(
            function=pm, name=pm.name, category=pm.category, is_external=False, description="", parent=pm
        )
    pm.refresh_from_db()
    assert pm.parent is None


def test_the_service_refuses_a_parent_of_another_organization(org, other_org):
    foreign = FunctionFactory(organization=other_org)
    with pytest.raises(DomainError):
        services.function_create(organization=org, name="Sales", category="customer_facing", parent=foreign)
    assert not Function.objects.filter(organization=org).exists()


def test_the_service_reports_a_lost_race_on_the_name_as_a_field_error(org, monkeypatch):
    FunctionFactory(organization=org, name="Sales")
    real = selectors.function_name_taken
    calls = []

    def blind_first_time(*args, **kwargs):
        # The first check misses the row, as if it were inserted just after it.
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(selectors, "function_name_taken", blind_first_time)
    with pytest.raises(DomainError) as caught:
        services.function_create(organization=org, name="SALES", category="customer_facing")
    assert caught.value.fields == {"name": ["A function named 'Sales' already exists."]}
    assert Function.objects.filter(organization=org).count() == 1


# --- delete -----------------------------------------------------------------------------------


def test_the_confirm_page_says_what_goes_with_the_function(leader_client, org, engineering):
    StakeholderFactory.create_batch(3, function=engineering)
    product = ProductFactory(organization=org)
    AssignmentFactory(product=product, function=engineering)
    FunctionFactory(organization=org, name="Platform", parent=engineering)
    response = leader_client.get(delete_url(engineering))
    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "1 assignment</strong> of Engineering in 1 product will be removed" in text
    assert "3 people</strong> belong to Engineering" in text
    assert "Delete the 3 people too" in text
    assert "1 function</strong> inside it will move to the top level" in text
    assert Function.objects.filter(pk=engineering.pk).exists()  # a GET changes nothing


def test_it_deletes_a_function_without_people_and_its_assignments(leader_client, org, engineering):
    AssignmentFactory.create_batch(2, product__organization=org, function=engineering)
    response = leader_client.post(delete_url(engineering), {"people_count": "0"})
    assert response.status_code == 302
    assert not Function.objects.filter(pk=engineering.pk).exists()
    assert not Assignment.objects.filter(function_id=engineering.pk).exists()


def test_it_will_not_delete_a_function_with_people_without_a_choice(leader_client, engineering):
    StakeholderFactory.create_batch(2, function=engineering)
    response = leader_client.post(delete_url(engineering), {"people_count": "2"})
    assert response.status_code == 200
    assert response.context["form"].errors["move_to"] == [
        "Choose a function to move them to, or tick the box to delete them too."
    ]
    assert Stakeholder.objects.filter(function=engineering).count() == 2


def test_it_moves_the_people_to_another_function(leader_client, org, engineering):
    people = StakeholderFactory.create_batch(2, function=engineering)
    design = FunctionFactory(organization=org, name="Design")
    response = leader_client.post(delete_url(engineering), {"people_count": "2", "move_to": design.pk})
    assert response.status_code == 302
    assert not Function.objects.filter(pk=engineering.pk).exists()
    assert set(Stakeholder.objects.filter(function=design)) == set(people)


def test_it_deletes_the_people_too_when_asked(leader_client, engineering):
    StakeholderFactory.create_batch(2, function=engineering)
    response = leader_client.post(delete_url(engineering), {"people_count": "2", "delete_people": "on"})
    assert response.status_code == 302
    assert not Function.objects.filter(pk=engineering.pk).exists()
    assert not Stakeholder.objects.filter(function_id=engineering.pk).exists()


def test_it_refuses_to_both_move_and_delete(leader_client, org, engineering):
    StakeholderFactory(function=engineering)
    design = FunctionFactory(organization=org, name="Design")
    data = {"people_count": "1", "move_to": design.pk, "delete_people": "on"}
    response = leader_client.post(delete_url(engineering), data)
    assert response.context["form"].non_field_errors() == ["Either move the people or delete them, not both."]
    assert Stakeholder.objects.filter(function=engineering).count() == 1


def test_it_asks_again_when_people_joined_since_the_page_was_drawn(leader_client, engineering):
    StakeholderFactory.create_batch(3, function=engineering)  # the page said 2
    response = leader_client.post(delete_url(engineering), {"people_count": "2", "delete_people": "on"})
    assert response.status_code == 200
    assert "Engineering now has 3 people, not 2." in response.text
    assert response.context["form"]["people_count"].value() == 3
    assert Stakeholder.objects.filter(function=engineering).count() == 3


def test_it_will_not_move_people_into_the_deleted_function_or_another_organization(org, other_org, engineering):
    StakeholderFactory(function=engineering)
    with pytest.raises(DomainError):
        services.function_delete(function=engineering, move_people_to=engineering)
    with pytest.raises(DomainError):
        services.function_delete(function=engineering, move_people_to=FunctionFactory(organization=other_org))
    with pytest.raises(Conflict):
        services.function_delete(function=engineering, delete_people=True)  # no head count confirmed
    assert Stakeholder.objects.filter(function=engineering).count() == 1


def test_the_delete_form_offers_only_other_functions_of_the_organization(leader_client, org, other_org, engineering):
    StakeholderFactory(function=engineering)
    design = FunctionFactory(organization=org, name="Design")
    FunctionFactory(organization=other_org, name="Globex Sales")
    response = leader_client.get(delete_url(engineering))
    assert list(response.context["form"].fields["move_to"].queryset) == [design]


def test_a_functions_row_escapes_its_name_parent_and_description(leader_client, org):
    parent = FunctionFactory(organization=org, name="R&D")
    child = FunctionFactory(
        organization=org, name='<img src=x onerror="1">', parent=parent, description="<b>Builds</b> " * 40
    )
    html = leader_client.get("/o/acme/functions/").content.decode()
    row = html[html.index(f'<tr id="function-{child.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "<img" not in row and "<b>" not in row
    assert "&lt;img src=x onerror=&quot;1&quot;&gt;" in row and '<td class="nowrap">R&amp;D</td>' in row
    assert row.count("&lt;b&gt;Builds&lt;/b&gt;") == 28 and row.rstrip().endswith("</td>")
    assert f'href="/o/acme/functions/{child.pk}/edit/"' in row and f'?function={child.pk}"' in row
