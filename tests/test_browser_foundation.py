"""The foundation pages in a real browser: sign in, add a function, live search, read-only stakeholders."""

from __future__ import annotations

import re

import pytest

from tests.factories import FunctionFactory, StakeholderFactory

from .browser import shoot, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: a transactional database, and the four
    # layers of the data migration restored for whichever test comes next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_leader_adds_a_function_and_a_stakeholder_cannot_edit(page, live_server, org, leader, stakeholder_user):
    from playwright.sync_api import expect

    sign_in(page, live_server.url, leader.email)
    shoot(page, "foundation-dashboard")
    page.get_by_role("link", name="Functions", exact=True).click()
    expect(page.get_by_role("heading", name="Functions")).to_be_visible()
    page.get_by_role("link", name="Add function").click()
    page.fill("#id_name", "Solutions Engineering")
    page.select_option("#id_category", "customer_facing")
    page.fill("#id_description", "Pre-sales demos and technical proofs.")
    shoot(page, "foundation-function-form")
    page.get_by_role("button", name="Add function").click()

    row = page.locator("tr", has_text="Solutions Engineering")
    expect(row).to_be_visible()
    expect(page.locator("#category-customer_facing")).to_contain_text("Solutions Engineering")
    expect(page.get_by_role("status")).to_contain_text("Added Solutions Engineering.")
    shoot(page, "foundation-functions-leader")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in(page, live_server.url, stakeholder_user.email)
    page.goto(f"{live_server.url}/o/acme/functions/")
    expect(page.locator("tr", has_text="Solutions Engineering")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)
    expect(page.get_by_role("link", name="Add function")).to_have_count(0)
    shoot(page, "foundation-functions-stakeholder")


def test_the_people_search_narrows_the_table_as_you_type(page, live_server, org, leader, cs_function):
    from playwright.sync_api import expect

    engineering = FunctionFactory(organization=org, name="Engineering")
    StakeholderFactory(function=engineering, full_name="Ada Lovelace", email="ada@acme.test")
    for i in range(55):
        StakeholderFactory(function=cs_function, full_name=f"Customer Person {i:02}")
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/people/")
    expect(page.locator("#people-pager")).to_contain_text("Showing 1\u201350 of 56 people")
    marker = page.evaluate("() => (window.__kept = 'same page')")  # survives only without a reload

    page.get_by_placeholder("Search name, email, title or function").fill("lovelace")
    expect(page.locator("#people-rows tr")).to_have_count(1)
    expect(page.locator("#people-rows")).to_contain_text("Ada Lovelace")
    expect(page.locator("#people-pager")).to_contain_text("Showing 1\u20131 of 1 person matching the filter")
    assert page.evaluate("() => window.__kept") == marker
    assert "q=lovelace" in page.url
    shoot(page, "foundation-people-search")
