"""The world of the campaign tests: a product with Customer Success and Engineering mapped, their
people, and helpers to review and run the daily task."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail

from layers.models import Assignment, Review
from layers.readmodel import hooks
from layers.services import campaigns as services
from roles.models import Membership
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)


@pytest.fixture
def world(org, cs_function, stakeholder_user, leader, insights, engineering):
    product, eng = insights, engineering
    people = {"casey": stakeholder_user.stakeholders.get()}
    for key, function, name, with_account in (
        ("dana", cs_function, "Dana Colleague", True),
        ("eve", eng, "Eve Engineer", True),
        ("noah", eng, "Noah Newcomer", False),
    ):
        user = None
        if with_account:
            user = UserFactory(email=f"{key}@acme.test")
            MembershipFactory(user=user, organization=org, access=Membership.Access.STAKEHOLDER)
        people[key] = StakeholderFactory(function=function, full_name=name, email=f"{key}@acme.test", user=user)
    cs_a = AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    eng_a = AssignmentFactory(product=product, function=eng, layer=layer("core"), emphasis="lead")
    return {"product": product, "cs": cs_a, "eng": eng_a, "eng_function": eng, "leader": leader, **people}


def review_at(assignment: Assignment, person, when: datetime, verdict: str = "agree") -> Review:
    review = Review.objects.create(
        assignment=assignment, stakeholder=person, verdict=verdict, comment="" if verdict == "agree" else "No."
    )
    Review.objects.filter(pk=review.pk).update(created_at=when)
    # A back-dated review, behind the service that keeps the read model: its hook, as the service calls it.
    hooks.review_written(organization_id=review.organization_id, assignment_id=assignment.pk, stakeholder_id=person.pk)
    return review


def recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def run(campaign, when) -> list[str]:
    mail.outbox.clear()
    services.campaign_send_reminders(campaign_id=campaign.pk, now=when, base_url="http://testserver/")
    return recipients()
