"""My role from the read model (issue 13): each pair's state, review and sentence equal what the
one rule says over the person's raw reviews, through changes, disruptions and resolutions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from layers import selectors_reviews as selectors
from layers.models import Assignment, Review
from layers.readmodel.oracle import rebuild_everything
from layers.review_state import pair_state
from layers.services import reviews as review_services
from roles.models import Disruption
from roles.permissions import org_context
from tests.factories import AssignmentFactory, layer

from . import test_campaigns

world = test_campaigns.world  # the campaign fixture, shared

pytestmark = pytest.mark.django_db


def _expected(assignment: Assignment, person) -> object:
    fid = assignment.function_id
    return pair_state(
        reviews=list(Review.objects.filter(assignment=assignment, stakeholder=person)),
        changed_at=assignment.changed_at,
        disruptions=selectors.disruption_times([fid]).get(fid, []),
        tz=timezone.get_current_timezone(),
    )


def _check(user, person) -> list[str]:
    role = selectors.my_role(org_context(user, "acme"))
    states = []
    for product in role.products:
        for item in product.assignments:
            a = Assignment.objects.get(pk=item.assignment.pk)
            assert item.state == _expected(a, person), item.state.reason
            latest = Review.objects.filter(assignment=a, stakeholder=person).order_by("-created_at", "-id").first()
            assert item.latest == latest
            states.append(item.state.state)
    return states


def test_my_role_says_what_the_rule_says_over_raw_rows(world, stakeholder_user, leader, org):
    casey = world["casey"]
    expected_layer = AssignmentFactory(product=world["product"], function=casey.function, layer=layer("expected"))
    potential = AssignmentFactory(product=world["product"], function=casey.function, layer=layer("potential"))
    assert sorted(_check(stakeholder_user, casey)) == ["pending"] * 3
    review_services.review_submit(assignment=world["cs"], stakeholder=casey, verdict="agree")
    review = review_services.review_submit(
        assignment=expected_layer, stakeholder=casey, verdict="disagree", comment="Not ours."
    )
    review_services.review_submit(assignment=potential, stakeholder=casey, verdict="disagree", comment="No.")
    review_services.dispute_keep(review=review, note="Kept for now.", by=leader)
    assert sorted(_check(stakeholder_user, casey)) == ["current"] * 3
    # A change and an applied disruption make reviews stale; the sentences name which.
    later = timezone.now() + timedelta(seconds=1)
    Assignment.objects.filter(pk=world["cs"].pk).update(changed_at=later)
    Disruption.objects.create(
        organization=org, kind="reorg", title="Reorg", occurred_on=timezone.localdate(), effective_at=timezone.now()
    ).functions.add(casey.function)
    rebuild_everything()  # raw rows, behind the services that keep the read model
    assert sorted(_check(stakeholder_user, casey)) == ["stale"] * 3
