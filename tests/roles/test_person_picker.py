"""Person pickers are server-side comboboxes (issue 13 item 9): the product form lists nobody up
front, the organization-scoped search answers the first matches, and typing an email without
JavaScript still picks the person."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import Product
from roles.pickers import SUGGESTIONS
from tests.factories import FunctionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

SEARCH = "/o/acme/people/search/"
NEW = "/o/acme/products/new/"


@pytest.fixture
def sales(org):
    return FunctionFactory(organization=org, name="Sales")


@pytest.fixture
def priya(sales):
    return StakeholderFactory(function=sales, full_name="Priya Raman", email="priya@acme.test")


def test_the_search_answers_the_first_matching_people_of_the_organization(leader_client, org, other_org, sales, priya):
    StakeholderFactory.create_batch(12, function=sales, full_name="Pat Quokka")
    StakeholderFactory(function=FunctionFactory(organization=other_org), full_name="Priya Elsewhere")
    html = leader_client.get(SEARCH, {"q": "priya"}).content.decode()
    assert html.count('role="option"') == 1 and f'data-value="{priya.pk}"' in html
    assert 'data-label="Priya Raman — Sales"' in html and "Elsewhere" not in html
    assert leader_client.get(SEARCH, {"q": "quokka"}).content.decode().count('role="option"') == SUGGESTIONS


def test_the_search_says_when_nobody_matches_and_escapes_the_query(leader_client, priya):
    assert "Nobody matches “&lt;b&gt;zz”" in leader_client.get(SEARCH, {"q": "<b>zz"}).content.decode()
    assert "Type a name or an email" in leader_client.get(SEARCH).content.decode()


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_search_reads_as_many_queries_for_5_people_as_for_50(leader_client, sales):
    def count() -> int:
        leader_client.get(SEARCH, {"q": "a"})
        with CaptureQueriesContext(connection) as captured:
            leader_client.get(SEARCH, {"q": "a"})
        return len(captured.captured_queries)

    StakeholderFactory.create_batch(5, function=sales, full_name="Ada")
    small = count()
    StakeholderFactory.create_batch(45, function=sales, full_name="Ada")
    assert count() == small


def test_the_product_form_offers_a_combobox_not_a_list_of_everyone(leader_client, sales, priya):
    StakeholderFactory.create_batch(30, function=sales)
    html = leader_client.get(NEW).content.decode()
    assert 'role="combobox"' in html and 'aria-controls="id_head-listbox"' in html
    assert f'data-source="{SEARCH}"' in html and "<option" not in html
    assert "js/combobox.js" in html


def test_a_product_gets_the_head_chosen_in_the_combobox(leader_client, org, priya):
    response = leader_client.post(
        NEW, {"name": "Atlas", "slug": "", "head": priya.pk, "head_text": "Priya Raman — Sales"}
    )
    assert response.status_code == 302 and Product.objects.get(organization=org, slug="atlas").head == priya


def test_typing_an_email_picks_the_person_without_javascript(leader_client, org, priya):
    leader_client.post(NEW, {"name": "Atlas", "slug": "", "head": "", "head_text": "PRIYA@acme.test"})
    assert Product.objects.get(organization=org, slug="atlas").head == priya


def test_a_name_that_matches_nobody_is_refused_and_nothing_is_written(leader_client, org, priya):
    response = leader_client.post(NEW, {"name": "Atlas", "slug": "", "head": "", "head_text": "Nobody Known"})
    assert response.status_code == 200 and "No single person matches “Nobody Known”" in response.content.decode()
    assert 'value="Nobody Known"' in response.content.decode()
    assert not Product.objects.filter(organization=org).exists()


def test_a_person_of_another_organization_cannot_be_chosen(leader_client, org, other_org):
    stranger = StakeholderFactory(function=FunctionFactory(organization=other_org), email="x@globex.test")
    leader_client.post(NEW, {"name": "Atlas", "slug": "", "head": stranger.pk, "head_text": ""})
    leader_client.post(NEW, {"name": "Beacon", "slug": "", "head": "", "head_text": "x@globex.test"})
    assert not Product.objects.filter(organization=org).exists()


def test_the_search_is_not_found_for_another_organization_and_forbidden_to_stakeholders(
    outsider_client, stakeholder_client, priya
):
    assert outsider_client.get(SEARCH, {"q": "priya"}).status_code == 404
    assert stakeholder_client.get(SEARCH, {"q": "priya"}).status_code == 403
