"""A leader starts a campaign in a real browser, choosing the product from its list (issue 15),
and its page reads right on a 1280 px desktop and a 390 px phone (screenshots kept)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import Review, ReviewCampaign
from roles.models import Function, Membership
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    MembershipFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)

from ..browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def product(org, cs_function, stakeholder_user):
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    eng = FunctionFactory(organization=org, name="Engineering", category=Function.Category.BUILDING)
    cs = AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    core = AssignmentFactory(product=product, function=eng, layer=layer("core"), emphasis="lead")
    people = []
    for i, (function, name) in enumerate(
        [(eng, "Eve Engineer"), (eng, "Ezra Engineer"), (cs_function, "Dana Colleague"), (eng, "Noah Newcomer")]
    ):
        user = None
        if name != "Noah Newcomer":
            user = UserFactory(email=f"p{i}@acme.test", first_name=name.split()[0], last_name=name.split()[1])
            MembershipFactory(user=user, organization=org, access=Membership.Access.STAKEHOLDER)
        people.append(StakeholderFactory(function=function, full_name=name, email=f"p{i}@acme.test", user=user))
    casey = stakeholder_user.stakeholders.get()
    later = timezone.now() + timedelta(seconds=1)
    for assignment, person, verdict in ((cs, casey, "agree"), (core, people[0], "disagree")):
        review = Review.objects.create(assignment=assignment, stakeholder=person, verdict=verdict, comment="Not us.")
        Review.objects.filter(pk=review.pk).update(created_at=later)
    return product


def fits(page, selector: str = ".content") -> bool:
    """No sideways scroll: the element is no wider than the viewport (tables scroll in their own box)."""
    right = page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().right")
    width = page.evaluate(f"document.querySelector('{selector}').scrollWidth")
    return right <= page.viewport_size["width"] and width <= page.viewport_size["width"]


def test_a_leader_starts_a_campaign_from_the_list_and_reads_its_progress_on_desktop_and_phone(
    page, live_server, leader, admin_user, product
):
    sign_in(page, live_server.url, "leader@acme.test")
    page.goto(f"{live_server.url}/o/acme/campaigns/")
    page.get_by_role("link", name="Start a review campaign").click()
    page.select_option("select[name=product]", label="Insights Cloud")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[name=deadline]")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Start the campaign").click()
    page.wait_for_url(re.compile(r"/o/acme/campaigns/\d+/$"))
    campaign = ReviewCampaign.objects.get()
    assert campaign.product == product

    progress = page.locator(".campaign-progress")
    text = " ".join(progress.inner_text().split())
    # Reached: Casey, Eve, Ezra, Dana (accounts); Noah has none. Reviewed: Casey (agreed), Eve (disputed).
    assert "2 of 4 people reached have reviewed their part" in text and "50%" in text
    rows = {
        r.locator("th").inner_text(): r.locator("td.num").inner_text() for r in page.locator(".summary-table tr").all()
    }
    assert rows == {"People reached": "4", "Reviewed": "2", "Agreed": "1", "Disputed": "1", "Pending": "2"}
    assert page.locator(".campaign-progress .bar rect.seg-disputed").get_attribute("width") == "25.0"
    assert "only an admin can invite them" in page.locator(".no-account").inner_text()
    shoot(page, "campaign-detail-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shoot(page, "campaign-detail-390")
    assert fits(page) and fits(page, ".campaign-progress") and fits(page, ".no-account")

    page.goto(f"{live_server.url}/o/acme/campaigns/new/?product={product.pk}")
    assert page.locator("input[name=deadline]").is_visible() and fits(page)
    shoot(page, "campaign-form-390")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{live_server.url}/o/acme/campaigns/")
    shoot(page, "campaign-list-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert fits(page)
    shoot(page, "campaign-list-390")
