"""Deleting a person (issue 13): a confirmation page in plain words, then `stakeholder_delete`;
the read model stays equal to the oracle."""

from __future__ import annotations

import pytest
from django.urls import reverse

from layers.models import Review
from layers.readmodel.oracle import check_organization
from layers.services import reviews as review_services
from roles.models import Stakeholder

from ..factories import AssignmentFactory, ProductFactory, StakeholderFactory, layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def casey(org, cs_function, stakeholder_user):
    """Casey has an account, reviewed two products (one disagreement open) and manages Robin."""
    person = stakeholder_user.stakeholders.get()
    for slug in ("insights", "atlas"):
        product = ProductFactory(organization=org, slug=slug, name=slug.title())
        a = AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"))
        review_services.review_submit(assignment=a, stakeholder=person, verdict="agree")
    review_services.review_submit(assignment=a, stakeholder=person, verdict="disagree", comment="Not ours.")
    StakeholderFactory(function=cs_function, full_name="Robin Report", email="robin@acme.test", manager=person)
    StakeholderFactory(function=cs_function, full_name="Dana Colleague", email="dana@acme.test")
    return person


def _url(person) -> str:
    return reverse("person-delete", kwargs={"org": "acme", "pk": person.pk})


def test_the_page_says_plainly_what_deleting_takes_with_them(leader_client, casey):
    html = " ".join(leader_client.get(_url(casey)).content.decode().split())
    assert "Delete Casey Success?" in html and "works in Customer Success" in html
    assert "<strong>3 reviews</strong> by Casey Success will be deleted with them" in html
    assert "The review figures of 2 products are counted again without them" in html
    assert "<strong>1 open disagreement</strong> of theirs will be gone" in html
    assert "<strong>1 person</strong> who reports to Casey Success will have no manager" in html
    assert "Their sign-in stays a member of Acme Analytics: only an admin can remove it" in html
    edit = leader_client.get(reverse("person-edit", kwargs={"org": "acme", "pk": casey.pk})).content.decode()
    assert _url(casey) in edit


def test_someone_who_reviewed_nothing_changes_no_figures(leader_client, casey):
    dana = Stakeholder.objects.get(full_name="Dana Colleague")
    html = " ".join(leader_client.get(_url(dana)).content.decode().split())
    assert "Dana Colleague has not reviewed anything: no figures change." in html
    assert "has no account here" in html and "open disagreement" not in html


def test_deleting_removes_them_and_their_reviews_and_keeps_the_read_model_true(leader_client, casey, org):
    response = leader_client.post(_url(casey))
    assert response.status_code == 302 and response["Location"] == reverse("people-list", kwargs={"org": "acme"})
    assert not Stakeholder.objects.filter(pk=casey.pk).exists()
    assert not Review.objects.filter(stakeholder_id=casey.pk).exists()
    assert Stakeholder.objects.get(full_name="Robin Report").manager is None
    assert check_organization(org, repair=False).differences == []
    page = leader_client.get(reverse("people-list", kwargs={"org": "acme"})).content.decode()
    assert "Deleted Casey Success and their 3 reviews." in page


def test_a_stakeholder_cannot_delete_and_another_organization_gets_404(stakeholder_client, outsider_client, casey):
    assert stakeholder_client.post(_url(casey)).status_code == 403
    assert outsider_client.get(_url(casey)).status_code == 404
    assert outsider_client.post(_url(casey)).status_code == 404
    assert Stakeholder.objects.filter(pk=casey.pk).exists()
