"""Product pages and the dashboard: lists, create/edit, the product's page, and who sees which product."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Product
from layers.selectors import products as selectors
from layers.services import products as services
from roles.models import Membership
from roles.permissions import org_context
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    MembershipFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)
from wholeproduct.errors import DomainError

DASHBOARD = "/o/acme/"
LIST = "/o/acme/products/"
NEW = "/o/acme/products/new/"


def detail_url(product: Product) -> str:
    return f"/o/acme/p/{product.slug}/"


def edit_url(product: Product) -> str:
    return f"/o/acme/p/{product.slug}/edit/"


@pytest.fixture
def pm(org):
    return StakeholderFactory(function=FunctionFactory(organization=org, name="Product Management"), full_name="Pat PM")


@pytest.fixture
def insights(org, pm):
    return ProductFactory(organization=org, name="Insights Cloud", slug="insights", head=pm, description="Analytics.")


@pytest.fixture
def pipelines(org):
    return ProductFactory(organization=org, name="Data Pipelines", slug="pipelines")


@pytest.fixture
def cs_on_insights(insights, cs_function):
    """Customer Success (the stakeholder's function) is assigned to Insights Cloud only."""
    return AssignmentFactory(product=insights, function=cs_function, layer=layer("augmented"), emphasis="lead")


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DASHBOARD, LIST, NEW, "/o/acme/p/insights/", "/o/acme/p/insights/edit/"])
def test_it_sends_anonymous_visitors_to_login(client, insights, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", [DASHBOARD, LIST, NEW, "/o/acme/p/insights/", "/o/acme/p/insights/edit/"])
def test_it_answers_404_to_outsiders(outsider_client, insights, path, method):
    response = getattr(outsider_client, method)(path, {"name": "Hacked"})
    assert response.status_code == 404
    insights.refresh_from_db()
    assert insights.name == "Insights Cloud"


def test_it_answers_404_for_a_product_of_another_organization(leader_client, other_org):
    ProductFactory(organization=other_org, slug="globex-crm")
    assert leader_client.get("/o/acme/p/globex-crm/").status_code == 404
    assert leader_client.post("/o/acme/p/globex-crm/edit/", {"name": "Hacked"}).status_code == 404
    assert Product.objects.get(slug="globex-crm").name != "Hacked"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", [NEW, "/o/acme/p/insights/edit/"])
def test_it_refuses_edits_to_stakeholders(stakeholder_client, insights, cs_on_insights, path, method):
    response = getattr(stakeholder_client, method)(path, {"name": "Hacked"})
    assert response.status_code == 403
    insights.refresh_from_db()
    assert insights.name == "Insights Cloud"
    assert not Product.objects.filter(name="Hacked").exists()


def test_stakeholders_see_only_their_own_products_without_edit_buttons(
    stakeholder_client, insights, pipelines, cs_on_insights
):
    response = stakeholder_client.get(LIST)
    assert response.status_code == 200
    assert [p.name for p in response.context["products"]] == ["Insights Cloud"]
    assert "Data Pipelines" not in response.text
    assert NEW not in response.text
    assert edit_url(insights) not in response.text


def test_a_stakeholder_may_open_their_product_but_not_another(stakeholder_client, insights, pipelines, cs_on_insights):
    response = stakeholder_client.get(detail_url(insights))
    assert response.status_code == 200
    assert edit_url(insights) not in response.text
    assert stakeholder_client.get(detail_url(pipelines)).status_code == 404


def test_a_stakeholder_sees_the_product_they_head(stakeholder_client, org, stakeholder_user):
    person = stakeholder_user.stakeholders.get()
    headed = ProductFactory(organization=org, name="Embedded SDK", head=person)
    response = stakeholder_client.get(LIST)
    assert [p.name for p in response.context["products"]] == ["Embedded SDK"]
    assert stakeholder_client.get(detail_url(headed)).status_code == 200


def test_a_stakeholder_without_a_person_record_sees_no_product(org, insights):
    user = UserFactory(email="new@acme.test")
    MembershipFactory(user=user, organization=org, access=Membership.Access.STAKEHOLDER)
    assert list(selectors.visible_products(org_context(user, "acme"))) == []


def test_leaders_and_admins_see_every_product(leader, admin_user, insights, pipelines):
    for user in (leader, admin_user):
        assert set(selectors.visible_products(org_context(user, "acme"))) == {insights, pipelines}


def test_visible_products_never_leak_another_organization(org, other_org, stakeholder_user, cs_function):
    foreign = ProductFactory(organization=other_org)
    AssignmentFactory(product=foreign, function=FunctionFactory(organization=other_org))
    assert list(selectors.visible_products(org_context(stakeholder_user, "acme"))) == []


def test_a_function_assigned_twice_counts_the_product_once(stakeholder_client, insights, cs_on_insights, cs_function):
    AssignmentFactory(product=insights, function=cs_function, layer=layer("potential"))
    response = stakeholder_client.get(LIST)
    assert [(p.name, p.function_count) for p in response.context["products"]] == [("Insights Cloud", 1)]


# --- the list ---------------------------------------------------------------------------------


def test_it_lists_products_with_head_and_assigned_functions(leader_client, org, insights, pipelines, cs_on_insights):
    AssignmentFactory(product=insights, function=FunctionFactory(organization=org), layer=layer("core"))
    response = leader_client.get(LIST)
    rows = [(p.name, p.head.full_name if p.head else None, p.function_count) for p in response.context["products"]]
    assert rows == [("Data Pipelines", None, 0), ("Insights Cloud", "Pat PM", 2)]
    assert edit_url(insights) in response.text
    assert NEW in response.text


def test_it_shows_a_helpful_empty_state(leader_client, org):
    response = leader_client.get(LIST)
    assert "No products yet" in response.text
    assert "Create the first product" in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_list_runs_the_same_number_of_queries_for_3_or_30_products(leader_client, org, django_assert_num_queries):
    def add(count: int) -> None:
        for _ in range(count):
            head = StakeholderFactory(function=FunctionFactory(organization=org))
            product = ProductFactory(organization=org, head=head)
            AssignmentFactory(product=product, function=head.function)

    add(3)
    leader_client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(LIST).status_code == 200
    add(27)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(leader_client.get(LIST).context["products"]) == 30


# --- create and edit --------------------------------------------------------------------------


def test_it_creates_a_product_with_an_address_made_from_its_name(leader_client, org, pm):
    data = {"name": "Insights Cloud 2.0", "slug": "", "head": pm.pk, "description": "Next."}
    response = leader_client.post(NEW, data)
    product = Product.objects.get(organization=org)
    assert (product.name, product.slug, product.head, product.description) == (
        "Insights Cloud 2.0",
        "insights-cloud-20",
        pm,
        "Next.",
    )
    assert response.status_code == 302
    assert response.url == "/o/acme/p/insights-cloud-20/"


def test_it_normalizes_a_typed_address(leader_client, org):
    leader_client.post(NEW, {"name": "Insights", "slug": "  My Product! "})
    assert Product.objects.get(organization=org).slug == "my-product"


def test_it_rejects_an_address_already_used(leader_client, org, insights):
    response = leader_client.post(NEW, {"name": "Insights"})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "The address 'insights' is already used by Insights Cloud. Choose another one."
    ]
    assert Product.objects.filter(organization=org).count() == 1


def test_the_same_address_is_fine_in_another_organization(leader_client, org, other_org):
    ProductFactory(organization=other_org, slug="insights")
    assert leader_client.post(NEW, {"name": "Insights"}).status_code == 302
    assert Product.objects.filter(organization=org, slug="insights").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "!!!"}, "slug", "Give the product an address made of letters, numbers or hyphens."),
        ({"name": "P", "slug": "s" * 51}, "slug", "Ensure this value has at most 50 characters (it has 51)."),
        (
            {"name": "P", "head": "999999"},
            "head",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            {"name": "P", "description": "d" * 2001},
            "description",
            "Ensure this value has at most 2000 characters (it has 2001).",
        ),
    ],
)
def test_it_rejects_bad_input_with_a_message(leader_client, org, data, field, message):
    response = leader_client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Product.objects.filter(organization=org).exists()


def test_it_offers_no_head_from_another_organization(leader_client, org, other_org):
    foreign = StakeholderFactory(function=FunctionFactory(organization=other_org), full_name="Globex Person")
    response = leader_client.post(NEW, {"name": "P", "head": foreign.pk})
    assert "head" in response.context["form"].errors
    assert "Globex Person" not in response.text
    with pytest.raises(DomainError):
        services.product_create(organization=org, name="P", head=foreign)
    assert not Product.objects.filter(organization=org).exists()


def test_it_edits_a_product_and_its_address(leader_client, insights):
    data = {"name": "Insights", "slug": "insights-cloud", "head": "", "description": ""}
    response = leader_client.post(edit_url(insights), data)
    assert response.status_code == 302
    assert response.url == "/o/acme/p/insights-cloud/"
    insights.refresh_from_db()
    assert (insights.name, insights.slug, insights.head, insights.description) == (
        "Insights",
        "insights-cloud",
        None,
        "",
    )


def test_editing_rejects_the_address_of_another_product(leader_client, insights, pipelines):
    response = leader_client.post(edit_url(pipelines), {"name": "Data Pipelines", "slug": "insights"})
    assert response.context["form"].errors["slug"] == [
        "The address 'insights' is already used by Insights Cloud. Choose another one."
    ]
    assert "<h1>Edit Data Pipelines</h1>" in response.text
    pipelines.refresh_from_db()
    assert pipelines.slug == "pipelines"


def test_the_service_reports_a_lost_race_on_the_address_as_a_field_error(org, insights, monkeypatch):
    real = selectors.slug_taken
    calls = []

    def blind_first_time(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(selectors, "slug_taken", blind_first_time)
    with pytest.raises(DomainError) as caught:
        services.product_create(organization=org, name="Insights")
    assert caught.value.fields == {
        "slug": ["The address 'insights' is already used by Insights Cloud. Choose another one."]
    }
    assert Product.objects.filter(organization=org).count() == 1


# --- the product's page -----------------------------------------------------------------------


def test_the_product_page_has_an_empty_state(leader_client, pipelines):
    response = leader_client.get(detail_url(pipelines))
    assert "Nothing mapped yet" in response.text
    assert "No head of product yet." in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_product_page_runs_the_same_number_of_queries_for_3_or_30_assignments(
    leader_client, org, insights, django_assert_num_queries
):
    keys = ["core", "expected", "augmented", "potential"]

    def add(count: int) -> None:
        for i in range(count):
            function = FunctionFactory(organization=org)
            StakeholderFactory(function=function)
            AssignmentFactory(product=insights, function=function, layer=layer(keys[i % 4]))

    add(3)
    leader_client.get(detail_url(insights))
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(detail_url(insights)).status_code == 200
    add(27)
    with django_assert_num_queries(len(small.captured_queries)):
        leader_client.get(detail_url(insights))


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_shows_the_organization_counts_and_products(leader_client, org, insights, pipelines):
    response = leader_client.get(DASHBOARD)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.functions, counts.people, counts.products) == (1, 1, 2)
    html = response.text
    assert "<h1>Acme Analytics</h1>" in html
    assert "Hybrid" in html
    assert detail_url(insights) in html and detail_url(pipelines) in html
    assert "Get started" not in html  # functions, people and products all exist


def test_an_empty_organization_gets_a_start(leader_client, org):
    response = leader_client.get(DASHBOARD)
    html = response.text
    assert "Get started" in html
    for url in ("/o/acme/functions/new/", "/o/acme/people/new/", NEW):
        assert f'href="{url}"' in html


def test_the_start_ticks_off_what_is_done(leader_client, org, pm):
    steps = leader_client.get(DASHBOARD).context["steps"]
    assert [step.done for step in steps] == [True, True, False]


def test_a_stakeholder_dashboard_shows_only_their_products(stakeholder_client, insights, pipelines, cs_on_insights):
    response = stakeholder_client.get(DASHBOARD)
    assert response.status_code == 200
    assert [p.name for p in response.context["products"]] == ["Insights Cloud"]
    assert response.context["counts"].products == 1
    assert detail_url(pipelines) not in response.text
    assert "Get started" not in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_dashboard_runs_the_same_number_of_queries_for_3_or_30_products(
    leader_client, org, django_assert_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            head = StakeholderFactory(function=FunctionFactory(organization=org))
            ProductFactory(organization=org, head=head)

    add(3)
    leader_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(DASHBOARD).status_code == 200
    add(27)
    with django_assert_num_queries(len(small.captured_queries)):
        assert leader_client.get(DASHBOARD).status_code == 200
