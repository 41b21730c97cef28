"""The partnership web in a real browser: a leader logs a reorg touching Sales and sees its links flagged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from roles.models import Disruption, Function, Partnership
from tests.factories import FunctionFactory, StakeholderFactory

from .browser import shoot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def acme_web(org, cs_function):
    """A small web around Sales: three links touch it, two do not."""
    f = {
        name: FunctionFactory(organization=org, name=name, category=category)
        for name, category in [
            ("Product Management", Function.Category.BUILDING),
            ("Engineering", Function.Category.BUILDING),
            ("Sales & Account Management", Function.Category.CUSTOMER_FACING),
            ("Legal", Function.Category.CROSS_FUNCTIONAL),
            ("CEO", Function.Category.LEADERSHIP),
        ]
    }
    f["Customer Success"] = cs_function
    StakeholderFactory(function=f["Sales & Account Management"])
    checked = timezone.localdate() - timedelta(days=12)

    def link(a: str, b: str, trust: int) -> Partnership:
        first, second = sorted((f[a], f[b]), key=lambda x: x.pk)
        return Partnership.objects.create(
            organization=org, function_a=first, function_b=second, trust=trust, last_checked_on=checked
        )

    sales = "Sales & Account Management"
    touching = [link(sales, "Product Management", 4), link(sales, "Engineering", 2), link("Legal", sales, 3)]
    apart = [link("Product Management", "Engineering", 5), link("CEO", "Product Management", 4)]
    return {"functions": f, "touching": touching, "apart": apart}


def test_a_leader_logs_a_reorg_touching_sales_and_the_web_flags_its_links(page, live_server, org, leader, acme_web):
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, leader.email, next_path="/o/acme/web/")
    expect(page.get_by_role("heading", name="Partnership web", exact=True)).to_be_visible()
    expect(page.locator("g.web-due[data-link]")).to_have_count(0)
    shoot(page, "web-before-reorg")

    page.get_by_role("link", name="Log a disruption").first.click()
    expect(page.get_by_role("heading", name="Log a disruption")).to_be_visible()
    page.get_by_text("Reorganization", exact=True).click()
    page.get_by_label("Title").fill("Sales reorganized into regional pods")
    page.get_by_label("Sales & Account Management").check()
    page.get_by_label("Note").fill("Account ownership moved for 40% of customers.")
    shoot(page, "web-log-reorg")
    page.get_by_role("button", name="Log disruption").click()

    expect(page.locator(".message-success")).to_contain_text("3 partnerships flagged for a trust check", timeout=10_000)
    expect(page.locator(".timeline-entry").first).to_contain_text("Sales reorganized into regional pods")
    shoot(page, "web-disruption-logged")
    assert Partnership.objects.filter(needs_trust_check=True).count() == 3
    assert Disruption.objects.get().created_by == leader

    page.goto(f"{base}/o/acme/web/")
    badges = page.locator("g.web-due[data-link]")
    expect(badges).to_have_count(3)
    flagged = {int(pk) for pk in badges.evaluate_all("els => els.map(e => e.dataset.link)")}
    assert flagged == {p.pk for p in acme_web["touching"]}
    for p in acme_web["touching"]:
        expect(page.locator(f"#link-{p.pk}")).to_contain_text("Disrupted since the last check")
    expect(page.locator(".web-stats")).to_contain_text("3")
    sales = acme_web["functions"]["Sales & Account Management"]
    expect(page.locator(f'.web-node[data-id="{sales.pk}"] .web-node-flag')).to_have_count(1)
    shoot(page, "web-after-reorg")

    # Hovering Sales traces its links: the others fade.
    page.locator(f'.web-node[data-id="{sales.pk}"]').hover()
    expect(page.locator("svg.web-svg")).to_have_class(re.compile("is-tracing"))
    expect(page.locator(".web-edge.is-hot")).to_have_count(3)
    shoot(page, "web-trace-sales")

    # Focusing on Sales keeps only its partners; a check-in clears one flag.
    page.locator(f'.web-node[data-id="{sales.pk}"]').click()
    page.wait_for_url(re.compile(rf"function={sales.pk}"))
    expect(page.locator("tr[data-link]")).to_have_count(3)
    first = acme_web["touching"][1]
    page.locator(f"#link-{first.pk}").get_by_role("link", name=re.compile("^Check in")).click()
    page.get_by_text("solid").click()
    page.get_by_role("button", name="Record check-in").click()
    expect(page.locator(".message-success")).to_contain_text("Recorded trust 4/5")
    expect(page.locator("g.web-due[data-link]")).to_have_count(2)
    first.refresh_from_db()
    assert (first.trust, first.needs_trust_check) == (4, False)
    shoot(page, "web-after-check-in")


def test_a_stakeholder_sees_the_web_without_edit_controls(page, live_server, stakeholder_user, acme_web):
    from playwright.sync_api import expect

    sign_in(page, live_server.url, stakeholder_user.email, next_path="/o/acme/web/")
    expect(page.locator(".web-node")).to_have_count(6)
    expect(page.get_by_role("link", name="Add partnership")).to_have_count(0)
    expect(page.get_by_role("link", name="Log a disruption")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Check in"))).to_have_count(0)
    # The filter applies as soon as it changes (web.js).
    page.select_option("#web-function", label="Legal")
    page.wait_for_url(re.compile(r"function="))
    expect(page.locator("tr[data-link]")).to_have_count(1)
    shoot(page, "web-stakeholder-filtered")
