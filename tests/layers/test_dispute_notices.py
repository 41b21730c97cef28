"""A disagreement tells the leaders (email, and a dashboard badge until answered) (issue 15 item 4)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from layers.models import Review
from layers.services import reviews as services
from roles.models import Function, Membership
from tests.factories import AssignmentFactory, FunctionFactory, MembershipFactory, ProductFactory, UserFactory, layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def augmented(org, cs_function):
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    return AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")


def disagree(client, assignment, comment="Support leads onboarding, not us."):
    pk = assignment.pk
    data = {f"a{pk}-verdict": "disagree", f"a{pk}-comment": comment, f"a{pk}-suggested_layer": layer("core").pk}
    return client.post(f"/o/acme/me/assignments/{pk}/review/", data)


def test_a_disagreement_emails_every_leader_with_a_link_to_answer_it(
    stakeholder_client, augmented, leader, admin_user, org, eager_tasks, django_capture_on_commit_callbacks
):
    second = UserFactory(email="lee@acme.test", first_name="Lee", last_name="Leader")
    MembershipFactory(user=second, organization=org, access=Membership.Access.LEADER)

    with django_capture_on_commit_callbacks(execute=True):
        disagree(stakeholder_client, augmented)

    review = Review.objects.get()
    assert sorted(message.to[0] for message in mail.outbox) == ["leader@acme.test", "lee@acme.test"]
    message = mail.outbox[0]
    assert message.subject == "Casey Success disagrees: Customer Success on the Augmented product of Insights Cloud"
    assert "Support leads onboarding, not us." in message.body
    assert "They would put it on the Core product." in message.body
    assert f"/o/acme/reviews/{review.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Answer the dispute" in html and f"/o/acme/reviews/{review.pk}/" in html


def test_an_agreement_emails_nobody(
    stakeholder_client, augmented, leader, eager_tasks, django_capture_on_commit_callbacks
):
    pk = augmented.pk
    with django_capture_on_commit_callbacks(execute=True):
        stakeholder_client.post(f"/o/acme/me/assignments/{pk}/review/", {f"a{pk}-verdict": "agree"})

    assert Review.objects.get().verdict == "agree"
    assert mail.outbox == []


def test_admins_hear_of_it_when_the_organization_has_no_leader(augmented, admin_user, stakeholder_user):
    review = services.review_submit(
        assignment=augmented, stakeholder=stakeholder_user.stakeholders.get(), verdict="disagree", comment="No."
    )

    assert services.notify_dispute(review_id=review.pk) == 1
    assert [m.to for m in mail.outbox] == [[admin_user.email]]


def test_a_dispute_resolved_before_the_email_goes_sends_nothing(augmented, leader, stakeholder_user):
    review = services.review_submit(
        assignment=augmented, stakeholder=stakeholder_user.stakeholders.get(), verdict="disagree", comment="No."
    )
    services.dispute_keep(review=review, note="It stays.", by=leader)
    mail.outbox.clear()

    assert services.notify_dispute(review_id=review.pk) == 0
    assert mail.outbox == []


def test_the_dashboard_shows_a_badge_until_the_dispute_is_answered(leader_client, leader, augmented, stakeholder_user):
    review = services.review_submit(
        assignment=augmented, stakeholder=stakeholder_user.stakeholders.get(), verdict="disagree", comment="No."
    )

    html = leader_client.get("/o/acme/").content.decode()
    badge = re.search(r'<a class="btn dispute-badge" href="(.*?)">(.*?)</a>', html)
    assert badge.group(1) == "/o/acme/reviews/"
    assert re.sub(r"<[^>]+>", "", badge.group(2)) == "1 open dispute to answer"

    services.dispute_keep(review=review, note="It stays.", by=leader)

    assert "dispute-badge" not in leader_client.get("/o/acme/").content.decode()


def test_stakeholders_see_no_dispute_badge(stakeholder_client, augmented, stakeholder_user):
    services.review_submit(
        assignment=augmented, stakeholder=stakeholder_user.stakeholders.get(), verdict="disagree", comment="No."
    )

    assert "dispute-badge" not in stakeholder_client.get("/o/acme/").content.decode()


def test_the_form_says_a_disagreement_needs_a_comment_before_it_is_sent(stakeholder_client, augmented):
    html = stakeholder_client.get("/o/acme/me/").content.decode()

    form = re.search(r"<form class=\"form me-form\".*?</form>", html, re.S).group(0)
    assert "novalidate" not in form  # the browser checks `required` once reviews.js sets it
    assert "data-review-form" in form and "data-required-when-disagree" in form
    assert "Why you disagree (required)</label>" in form  # not "optional", as it said before
    assert "/static/js/reviews.js" in html


def test_other_functions_disagreements_do_not_notify_from_another_org(augmented, other_org, stakeholder_user):
    stranger = UserFactory(email="boss@globex.test")
    MembershipFactory(user=stranger, organization=other_org, access=Membership.Access.LEADER)
    FunctionFactory(organization=other_org, name="Sales", category=Function.Category.CUSTOMER_FACING)
    review = services.review_submit(
        assignment=augmented, stakeholder=stakeholder_user.stakeholders.get(), verdict="disagree", comment="No."
    )

    services.notify_dispute(review_id=review.pk)

    assert all("globex" not in m.to[0] for m in mail.outbox)
