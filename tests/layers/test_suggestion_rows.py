"""The playbook's suggestions kept pair by pair (layers.readmodel.suggestion_rows): every path that
changes what the planner would say keeps the rows equal to a rebuild, and the suggestions read from
them equal the planner's (the hypothesis machine of test_read_model runs the services' writes in
random order; here, the paths it does not take: the admin, the playbook matches refreshed, a bulk
write told of by its hook, another organization)."""

from __future__ import annotations

from dataclasses import astuple

import pytest
from django.contrib.auth import get_user_model

from layers.models import SuggestionRow
from layers.readmodel import hooks, suggestion_rows
from layers.readmodel.oracle import check_organization
from layers.selectors.suggestions import ProductSuggestions
from layers.services import mapping
from roles.models import Function
from roles.services import playbook_matches
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer

pytestmark = pytest.mark.django_db


def read_as_planned(product) -> None:
    planned = mapping.suggest(product=product)
    reader = ProductSuggestions(product)
    assert reader.counts() == planned.counts()
    assert [astuple(s) for s in reader.suggestions()[:]] == [astuple(s) for s in planned.suggestions]
    assert check_organization(product.organization, repair=False).differences == []


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights", slug="insights")


@pytest.fixture
def team(org):
    names = ("Product Management", "Engineering", "Customer Success", "Sales", "Zebra Wranglers")
    return {name: FunctionFactory(organization=org, name=name) for name in names}


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root@example.test", "root@example.test", "pw-Root-1234")
    client.force_login(user)
    return user


def test_a_product_has_a_row_per_function_and_layer_its_playbook_entry_has_a_rule_for(product, team):
    rows = SuggestionRow.objects.filter(product=product)
    assert {row.function_id for row in rows} == {f.pk for n, f in team.items() if n != "Zebra Wranglers"}
    assert {row.before for row in rows} == {mapping.NEW}
    assert all(row.sort_name == row.name.lower() for row in rows)
    read_as_planned(product)


def test_cells_dismissals_and_their_undoing_judge_their_rows_again(product, team, leader):
    pm = team["Product Management"]
    AssignmentFactory(product=product, function=pm, layer=layer("core"), emphasis="lead", source="playbook")
    assert SuggestionRow.objects.get(product=product, function=pm, layer=layer("core")).before == mapping.APPLIED
    mapping.dismiss(product=product, function=team["Sales"], layer="augmented", by=leader)
    mapping.dismiss(product=product, function=team["Sales"], layer="augmented", by=leader)  # twice: one row
    read_as_planned(product)
    mapping.undismiss(product=product, function=team["Sales"], layer="augmented", by=leader)
    read_as_planned(product)


def test_the_admin_changing_an_organizations_motion_judges_every_row_again(client, superuser, org, product, team):
    before = {(r.function_id, r.layer_id) for r in SuggestionRow.objects.filter(product=product)}
    response = client.post(
        f"/admin/roles/organization/{org.pk}/change/",
        {"name": org.name, "slug": org.slug, "go_to_market": "sales_led"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.go_to_market == "sales_led"
    assert {(r.function_id, r.layer_id) for r in SuggestionRow.objects.filter(product=product)} != before
    read_as_planned(product)


def test_a_function_the_admin_adds_or_renames_is_suggested_by_its_name(client, superuser, org, product, team):
    fields = {"organization": org.pk, "category": "building", "description": "", "parent": ""}
    formsets = {"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}
    response = client.post("/admin/roles/function/add/", fields | formsets | {"name": "Product Owners"})
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Function.objects.get(organization=org, name="Product Owners")
    assert added.playbook_name == "Product Owners"
    assert SuggestionRow.objects.filter(product=product, function=added).exists()
    read_as_planned(product)

    zebra = team["Zebra Wranglers"]
    response = client.post(f"/admin/roles/function/{zebra.pk}/change/", fields | formsets | {"name": "UX & Design"})
    assert response.status_code == 302, response.content.decode()[:2000]
    zebra.refresh_from_db()
    assert zebra.playbook_name == "UX & Design"  # the admin restamps the match with the name
    assert SuggestionRow.objects.filter(product=product, function=zebra).exists()
    read_as_planned(product)


def test_matches_refreshed_after_the_playbook_changed_judge_their_rows_again(org, product, team):
    """An older playbook stamped another entry (as a release that renames an entry would leave it):
    refreshing the matches tells the read model of every function whose match moved."""
    sales = team["Sales"]
    playbook_matches.refresh(organization=org)  # the factory's functions stamped, as the services stamp them
    Function.objects.filter(pk=sales.pk).update(playbook_name="Engineering")
    hooks.organization_changed(organization_id=org.pk)  # the rows as the old stamp made them
    assert SuggestionRow.objects.filter(function=sales, playbook_name="Engineering").exists()
    assert playbook_matches.refresh(organization=org) == 1
    assert not SuggestionRow.objects.filter(function=sales, playbook_name="Engineering").exists()
    read_as_planned(product)


def test_a_function_deleted_or_a_product_deleted_takes_its_rows(org, product, team):
    from roles.services.functions import function_delete

    function_delete(function=team["Sales"], move_people_to=None)
    assert not SuggestionRow.objects.filter(function_id=team["Sales"].pk).exists()
    read_as_planned(product)
    product.delete()
    assert not SuggestionRow.objects.filter(product_id=product.pk).exists()


def test_a_bulk_of_new_functions_is_added_without_judging_the_others_again(org, product, team):
    made = Function.objects.bulk_create(Function(organization=org, name=f"Sales {n:03}") for n in range(700))
    kept = set(SuggestionRow.objects.filter(product=product).values_list("pk", flat=True))
    hooks.functions_changed(organization_id=org.pk)  # as an import tells the read model
    rows = SuggestionRow.objects.filter(product=product)
    assert kept <= set(rows.values_list("pk", flat=True))  # the rows there stay as they are
    new = {f.pk for f in made}  # more than a statement's batch; unstamped, so matched on the fly
    assert set(rows.filter(function_id__in=new).values_list("function_id", flat=True)) == new
    read_as_planned(product)


def test_another_organizations_rows_are_never_touched(org, other_org, product, team):
    theirs = ProductFactory(organization=other_org)
    FunctionFactory(organization=other_org, name="Sales")
    before = list(SuggestionRow.objects.filter(organization=other_org).values())
    suggestion_rows.refresh(org.pk, product_ids=[theirs.pk, product.pk])  # their product named: ignored
    assert list(SuggestionRow.objects.filter(organization=other_org).values()) == before
    read_as_planned(product)
