"""The lists that grow, in a real browser (issue 13 item 9): the functions page's live search and
pager at phone and desktop widths, the person picker chosen by keyboard, the switcher on open."""

from __future__ import annotations

import re

import pytest

from layers.models import Product
from roles.models import Function
from tests.factories import FunctionFactory, MembershipFactory, OrganizationFactory, StakeholderFactory

from ..browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _functions(org, count: int) -> None:
    categories = [c for c, _ in Function.Category.choices]
    Function.objects.bulk_create(
        Function(organization=org, name=f"Team {n:03}", category=categories[n % 5], description="A team.")
        for n in range(count)
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_the_functions_page_searches_live_and_pages_at_phone_and_desktop_widths(page, live_server, org, leader, width):
    from playwright.sync_api import expect

    _functions(org, 120)
    FunctionFactory(organization=org, name="Customer Success — EMEA", category="customer_facing")
    page.set_viewport_size({"width": width, "height": 860})
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/functions/")
    expect(page.get_by_text("Showing 1\u201350 of 121 functions")).to_be_visible()
    assert page.locator("tr[id^=function-]").count() == 50
    shoot(page, f"functions-paged-{width}")
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    page.get_by_label("Search functions").fill("emea")
    expect(page.get_by_text("Showing 1\u20131 of 1 function matching the filter")).to_be_visible()
    assert page.locator("tr[id^=function-]").count() == 1
    expect(page).to_have_url(re.compile(r"q=emea"))
    shoot(page, f"functions-search-{width}")


def test_a_leader_picks_a_product_head_by_keyboard_in_the_combobox(page, live_server, org, leader):
    from playwright.sync_api import expect

    sales = FunctionFactory(organization=org, name="Sales")
    StakeholderFactory(function=sales, full_name="Priya Raman", email="priya@acme.test")
    StakeholderFactory(function=sales, full_name="Pritam Das", email="pritam@acme.test")
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/products/new/")
    page.get_by_label("Name").fill("Atlas")
    box = page.get_by_role("combobox", name="Head of product")
    box.fill("pri")
    expect(page.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Priya Raman — Sales")
    shoot(page, "product-head-combobox")
    page.get_by_role("button", name=re.compile("Create|Save|Add")).click()
    page.wait_for_url(re.compile(r"/o/acme/p/atlas/"))
    assert Product.objects.get(slug="atlas").head.email == "priya@acme.test"


def test_the_organization_switcher_lists_the_organizations_when_opened(page, live_server, org, leader):
    from playwright.sync_api import expect

    MembershipFactory(user=leader, organization=OrganizationFactory(name="Zeta Corp", slug="zeta"), access="leader")
    sign_in(page, live_server.url, leader.email, next_path="/o/acme/functions/")
    assert page.get_by_text("Zeta Corp").count() == 0
    page.locator(".org-switcher summary").click()
    expect(page.get_by_role("link", name=re.compile("Zeta Corp"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Zeta Corp")).click()
    page.wait_for_url(re.compile(r"/o/zeta/$"))


@pytest.mark.parametrize("width", [390, 1280])
def test_an_admin_invites_a_functions_people_with_the_members_pages_picker(
    page, live_server, org, admin_user, eager_tasks, width
):
    from playwright.sync_api import expect

    from roles.models import Invite

    _functions(org, 60)
    sales = FunctionFactory(organization=org, name="Sales")
    StakeholderFactory(function=sales, full_name="Priya Raman", email="priya@acme.test")
    page.set_viewport_size({"width": width, "height": 860})
    sign_in(page, live_server.url, admin_user.email, next_path="/o/acme/members/")
    assert page.locator("#invite-function option").count() == 0  # no list of every function
    box = page.get_by_role("combobox", name="Function")
    box.fill("sal")
    expect(page.get_by_role("option")).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Sales")
    shoot(page, f"members-function-picker-{width}")
    page.get_by_role("button", name="Invite its people").click()
    expect(page.get_by_text("Invites sent to 1 person in Sales.")).to_be_visible()
    assert list(Invite.objects.values_list("email", flat=True)) == ["priya@acme.test"]
