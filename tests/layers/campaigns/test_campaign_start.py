"""The campaign start form from every entry point (issue 15: the product chosen from its list was
lost): the product list, the review inbox, the product page and an older link."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import ReviewCampaign
from tests.factories import (
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def _start_from(client, entry: str) -> str:
    """Follow an entry point's link to the start form; the form's page."""
    page = client.get(entry).text
    match = re.search(r'href="(/o/acme/campaigns/new/[^"]*)"', page)
    assert match, f"no link to the start form on {entry}"
    return html.unescape(match.group(1))


def _submit(client, form_url: str, world) -> ReviewCampaign:
    page = client.get(form_url).text
    assert 'name="deadline"' in page and 'name="functions"' in page, "the second step, with the mapped functions"
    assert f'<option value="{world["product"].pk}" selected>' in page
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(form_url, {"product": world["product"].pk, "deadline": deadline})
    assert response.status_code == 302, response.text
    return ReviewCampaign.objects.get(product=world["product"])


def test_the_form_works_when_the_product_is_chosen_from_its_list(leader_client, world):
    first = _start_from(leader_client, "/o/acme/campaigns/")
    page = leader_client.get(first).text
    assert 'name="deadline"' not in page and '<select name="product"' in page
    # The first step's "Continue" sends the chosen option's value: the product's id.
    campaign = _submit(leader_client, f"/o/acme/campaigns/new/?product={world['product'].pk}", world)
    assert campaign.status == "open"


def test_the_form_works_from_the_review_inbox_filtered_on_a_product(leader_client, world):
    form_url = _start_from(leader_client, f"/o/acme/reviews/?product={world['product'].slug}")
    assert form_url.endswith(f"?product={world['product'].pk}")
    assert _submit(leader_client, form_url, world).created_by.email == "leader@acme.test"


def test_the_form_works_from_the_product_page(leader_client, world):
    form_url = _start_from(leader_client, f"/o/acme/p/{world['product'].slug}/")
    assert _submit(leader_client, form_url, world).product == world["product"]


def test_the_form_works_from_an_older_link_naming_the_product_by_slug(leader_client, world):
    assert _submit(leader_client, f"/o/acme/campaigns/new/?product={world['product'].slug}", world)


def test_the_form_ignores_a_product_of_another_organization(leader_client, world, other_org):
    foreign = ProductFactory(organization=other_org, slug="theirs")
    for value in (foreign.pk, foreign.slug, "x" * 40, "9" * 30):
        page = leader_client.get(f"/o/acme/campaigns/new/?product={value}").text
        assert 'name="deadline"' not in page  # back to choosing one of ours
    response = leader_client.post(
        "/o/acme/campaigns/new/", {"product": foreign.pk, "deadline": timezone.localdate().isoformat()}
    )
    assert "Select a valid choice" in response.text and not ReviewCampaign.objects.exists()
