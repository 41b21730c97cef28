"""Issue 4 in a real browser: invite → password → disagree; the leader resolves; the stakeholder reads it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from layers.models import Assignment, Review
from roles.models import Function
from roles.services import invites
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

from .browser import shoot, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: a transactional database, and the four
    # layers of the data migration restored for whichever test comes next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "lantern-orchard-velvet-81"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def mapped(org, cs_function):
    """Insights Cloud with Customer Success leading the augmented layer, among others."""
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    pm = FunctionFactory(organization=org, name="Product Management", category=Function.Category.BUILDING)
    eng = FunctionFactory(organization=org, name="Engineering", category=Function.Category.BUILDING)
    sales = FunctionFactory(organization=org, name="Sales", category=Function.Category.CUSTOMER_FACING)
    ceo = FunctionFactory(organization=org, name="CEO", category=Function.Category.LEADERSHIP)
    AssignmentFactory(
        product=product, function=pm, layer=layer("core"), emphasis="lead", contribution="Decides what it does."
    )
    AssignmentFactory(product=product, function=eng, layer=layer("core"), contribution="Builds it well.")
    AssignmentFactory(
        product=product, function=pm, layer=layer("expected"), emphasis="lead", contribution="Sets expectations."
    )
    AssignmentFactory(product=product, function=sales, layer=layer("augmented"), contribution="Guides buyers.")
    AssignmentFactory(product=product, function=ceo, layer=layer("potential"), emphasis="lead", contribution="Vision.")
    augmented = AssignmentFactory(
        product=product,
        function=cs_function,
        layer=layer("augmented"),
        emphasis="lead",
        contribution="Onboards and trains every customer.",
    )
    return augmented


def test_a_stakeholder_joins_disagrees_and_reads_the_leaders_answer(
    page, live_server, org, leader, mapped, eager_tasks
):
    from playwright.sync_api import expect

    robin = StakeholderFactory(
        function=mapped.function, full_name="Robin Reviewer", title="Onboarding Lead", email="robin@acme.test"
    )
    invites.invite_create(stakeholder=robin, by=None, base_url=live_server.url)  # an admin's act; leaders cannot
    assert len(mail.outbox) == 1
    link = re.search(r"(http://\S+/invite/\S+/)", mail.outbox[0].body).group(1)
    assert link.startswith(live_server.url)

    # The invite: set a password, land on "my role".
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme Analytics")).to_be_visible()
    shoot(page, "reviews-invite-accept")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Set my password and join").click()
    page.wait_for_url(re.compile(r"/o/acme/me/$"))
    expect(page.get_by_role("heading", name="My role")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Acme Analytics, Robin Reviewer.")
    card = page.locator(f"#assignment-{mapped.pk}")
    expect(card).to_contain_text("Onboards and trains every customer.")
    expect(card).to_contain_text("Not reviewed yet.")
    expect(page.locator(".wp-chip.is-highlighted").first).to_be_visible()
    shoot(page, "reviews-my-role")

    # Disagree with a comment and a suggested layer (the form swaps the card in place).
    card.get_by_text("I disagree").click()
    card.get_by_label("Why you disagree").fill("Support runs onboarding now; we only train power users.")
    card.get_by_label("Where does it belong instead?").select_option(label="Potential product")
    card.get_by_role("button", name="Save my review").click()
    card = page.locator(f"#assignment-{mapped.pk}")
    expect(card).to_contain_text("Thanks: your disagreement is recorded.")
    expect(card).to_contain_text("the dispute is open until a leader resolves it")
    shoot(page, "reviews-my-role-disagreed")
    review = Review.objects.get()
    assert (review.verdict, review.suggested_layer.key) == ("disagree", "potential")
    sign_out(page)

    # The leader finds it in the inbox and keeps the assignment with a note.
    sign_in(page, live_server.url, leader.email)
    page.get_by_role("link", name="Reviews", exact=True).click()
    dispute = page.locator(f"#dispute-{review.pk}")
    expect(dispute).to_contain_text("Support runs onboarding now; we only train power users.")
    expect(dispute).to_contain_text("Potential product")
    shoot(page, "reviews-inbox")
    dispute.get_by_role("link", name="Resolve").click()
    expect(page.get_by_role("heading", name="Resolve Robin Reviewer's dispute")).to_be_visible()
    shoot(page, "reviews-resolve")
    page.get_by_label("Why it stays").fill("Customer Success still owns onboarding for new accounts this year.")
    page.get_by_role("button", name="Keep and resolve").click()
    page.wait_for_url(re.compile(r"/o/acme/reviews/$"))
    expect(page.get_by_role("status").first).to_contain_text("Kept the assignment")
    expect(page.locator(f"#dispute-{review.pk}")).to_have_count(0)
    shoot(page, "reviews-inbox-resolved")
    review.refresh_from_db()
    assert review.resolution == "kept"
    assert Assignment.objects.get(pk=mapped.pk).version == 1
    sign_out(page)

    # The stakeholder signs in with the password they chose and reads the answer.
    sign_in(page, live_server.url, "robin@acme.test", password=NEW_PASSWORD)
    page.get_by_role("link", name="My role").click()
    card = page.locator(f"#assignment-{mapped.pk}")
    expect(card).to_contain_text("A leader kept the assignment")
    expect(card).to_contain_text("Customer Success still owns onboarding for new accounts this year.")
    shoot(page, "reviews-my-role-resolved")
    assert any("kept" in m.subject for m in mail.outbox)
