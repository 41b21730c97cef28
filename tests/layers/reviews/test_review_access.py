"""Who sees which review (DESIGN §5): the author, leaders of the organization, nobody else (404)."""

from __future__ import annotations

import pytest
from django.test import Client

from layers.services import reviews as services
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
)
from tests.layers.reviews.conftest import dispute

pytestmark = pytest.mark.django_db


def test_the_author_sees_their_review(stakeholder_client, world):
    review = dispute(world)
    html = stakeholder_client.get(f"/o/acme/reviews/{review.pk}/").content.decode()
    assert "Your review" in html and "Support leads onboarding, not us." in html


@pytest.mark.parametrize("who", ["same_function", "other_function", "outsider"])
def test_another_persons_review_answers_404(request, world, who):
    review = dispute(world)
    user = {"same_function": world["dana_user"], "other_function": world["eve_user"]}.get(who)
    client = client_for(user or request.getfixturevalue("outsider"))
    response = client.get(f"/o/acme/reviews/{review.pk}/")
    assert response.status_code == 404
    assert "Support leads onboarding" not in response.content.decode()


def test_leaders_see_any_review_of_the_organization(leader_client, world):
    review = dispute(world)
    html = leader_client.get(f"/o/acme/reviews/{review.pk}/").content.decode()
    assert "Casey Success's review" in html and "Support leads onboarding" in html and "Resolve" in html


def test_a_review_of_another_organization_answers_404_to_a_leader(leader_client, other_org):
    product = ProductFactory(organization=other_org)
    a = AssignmentFactory(product=product)
    person = StakeholderFactory(function=a.function)
    review = services.review_submit(assignment=a, stakeholder=person, verdict="disagree", comment="x")
    assert leader_client.get(f"/o/acme/reviews/{review.pk}/").status_code == 404
    assert (
        leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "x"}).status_code
        == 404
    )


def _client(request, who):
    if who == "anonymous":
        return Client()
    fixture = {"outsider": "outsider", "stakeholder": "stakeholder_user", "leader": "leader", "admin": "admin_user"}
    return client_for(request.getfixturevalue(fixture[who]))


def test_a_resolution_whose_leader_left_still_reads_well(leader_client, world, leader):
    from django.contrib.auth import get_user_model

    review = dispute(world)
    departed = UserFactory(email="departed@acme.test")
    services.dispute_keep(review=review, note="Stays where it is.", by=departed)
    get_user_model().objects.filter(pk=departed.pk).delete()  # resolved_by becomes NULL
    for url in ("/o/acme/reviews/", f"/o/acme/reviews/{review.pk}/"):
        response = leader_client.get(url)
        assert response.status_code == 200, url
        assert "a leader" in response.content.decode()
