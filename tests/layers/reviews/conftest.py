"""The world of the review tests: a product with Customer Success and Engineering mapped, and their
people."""

from __future__ import annotations

import pytest

from layers.services import reviews as services
from roles.models import Membership
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)


@pytest.fixture
def world(org, cs_function, stakeholder_user, insights, engineering):
    product, eng = insights, engineering
    eve = UserFactory(email="eve@acme.test")
    MembershipFactory(user=eve, organization=org, access=Membership.Access.STAKEHOLDER)
    eve_person = StakeholderFactory(function=eng, full_name="Eve Engineer", email="eve@acme.test", user=eve)
    dana_user = UserFactory(email="dana@acme.test")
    MembershipFactory(user=dana_user, organization=org, access=Membership.Access.STAKEHOLDER)
    dana = StakeholderFactory(function=cs_function, full_name="Dana Colleague", email="dana@acme.test", user=dana_user)
    augmented = AssignmentFactory(
        product=product, function=cs_function, layer=layer("augmented"), emphasis="lead", contribution="Onboards."
    )
    core = AssignmentFactory(product=product, function=eng, layer=layer("core"), emphasis="lead")
    return {
        "product": product,
        "augmented": augmented,
        "core": core,
        "casey": stakeholder_user.stakeholders.get(),
        "dana": dana,
        "dana_user": dana_user,
        "eve": eve_person,
        "eve_user": eve,
        "eng": eng,
    }


def dispute(world, comment="Support leads onboarding, not us.", suggested=None, who="casey"):
    return services.review_submit(
        assignment=world["augmented"],
        stakeholder=world[who],
        verdict="disagree",
        comment=comment,
        suggested_layer=suggested,
    )
