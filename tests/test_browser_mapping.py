"""The map editor and the whole product picture in a real browser (issue 3 items 5 and 6)."""

from __future__ import annotations

import re

import pytest

from layers.models import Assignment
from tests.factories import FunctionFactory, ProductFactory

from .browser import shoot, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: a transactional database, and the four
    # layers of the data migration restored for whichever test comes next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# Playbook names across every category; no CEO, so the potential layer gets no lead from the playbook.
FUNCTIONS = [
    ("Product Management", "building"),
    ("Engineering", "building"),
    ("UX & Design", "building"),
    ("Technical Writing", "building"),
    ("Sales & Account Management", "customer_facing"),
    ("Product Marketing", "customer_facing"),
    ("Customer Support", "customer_facing"),
    ("Finance", "cross_functional"),
    ("Legal", "cross_functional"),
    ("Board of Directors", "leadership"),
]


def test_a_leader_accepts_the_playbook_picks_a_lead_and_sees_it_on_the_rings(
    page, live_server, org, leader, cs_function
):
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    for name, category in FUNCTIONS:
        FunctionFactory(organization=org, name=name, category=category)
    partner = FunctionFactory(organization=org, name="Channel Partners", category="partner", is_external=True)
    finance = org.functions.get(name="Finance")
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")

    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/p/insights/map/")
    expect(page.get_by_role("heading", name="Map of Insights Cloud")).to_be_visible()
    expect(page.locator(".sugg")).not_to_have_count(0)
    shoot(page, "mapping-map-suggestions")

    page.get_by_role("button", name=re.compile(r"^Accept all")).click()
    expect(page.get_by_role("status")).to_contain_text("Accepted all suggestions")
    assert ("Product Management", "core", "lead") in set(
        Assignment.objects.filter(product=product).values_list("function__name", "layer__key", "emphasis")
    )
    expect(page.locator(f"#cell-{finance.pk}-potential .map-toggle")).to_have_text("Contributor")
    expect(page.locator("#col-potential")).to_contain_text("No lead")

    # One cell, contributor → lead, swapped in place: the page is not reloaded.
    page.evaluate("window.__stayed = true")
    page.locator(f"#cell-{finance.pk}-potential .map-toggle").click()  # opens the cell's menu
    page.locator(f"#cell-{finance.pk}-potential").get_by_role("button", name="Lead", exact=True).click()
    expect(page.locator(f"#cell-{finance.pk}-potential .map-toggle")).to_have_text("★ Lead")
    expect(page.locator("#col-potential")).to_contain_text("★ Finance")
    assert page.evaluate("window.__stayed") is True
    assert Assignment.objects.get(product=product, function=finance, layer__key="potential").emphasis == "lead"

    # The history of that cell, loaded into its panel.
    page.locator(f"#cell-{finance.pk}-potential").hover()
    page.locator(f"#cell-{finance.pk}-potential .map-history-btn").click()
    expect(page.locator("#map-history")).to_contain_text("Contributor → lead")
    shoot(page, "mapping-map-after-accept")
    page.keyboard.press("Escape")
    expect(page.locator("#map-history")).to_be_empty()

    page.get_by_role("link", name="View the whole product").click()
    expect(page.get_by_role("heading", name="Insights Cloud", exact=True)).to_be_visible()
    potential = page.locator("svg.wp-rings g.layer-potential")
    lead_chip = potential.locator("a.wp-chip.is-lead")
    expect(lead_chip).to_have_count(1)
    expect(lead_chip.locator("text")).to_have_text("★ Finance")
    expect(potential.locator("a.wp-chip.is-external")).to_contain_text("Channel Partners")
    expect(page.locator("svg.wp-rings g.layer-core a.wp-chip.is-lead text")).to_have_text("★ Product Management")

    # Selecting a chip leads to its row in the table, with its contribution.
    lead_chip.click()
    expect(page.locator(f"#wp-insights-potential-{finance.pk}")).to_contain_text("Lead")
    assert page.url.endswith(f"#wp-insights-potential-{finance.pk}")
    shoot(page, "mapping-whole-product")
    assert partner.pk and not errors, errors


@pytest.mark.parametrize("width", [390, 1280])
def test_the_suggestions_kept_by_hand_dismissed_or_unmatched_pass_axe(page, live_server, org, leader, width):
    """The panel's quieter items (a cell mapped by hand against the playbook, a dismissed
    suggestion) and its "map by hand" list of functions the playbook does not know, which the demo
    does not show: axe-core finds nothing serious or critical in them, on a phone or a desktop."""
    from playwright.sync_api import expect

    from layers.services.assignments import assignment_set
    from layers.services.mapping import dismiss

    from .browser import axe_violations

    for name, category in FUNCTIONS:
        FunctionFactory(organization=org, name=name, category=category)
    FunctionFactory(organization=org, name="Zqx Widget Guild", category="customer_facing")  # no playbook entry
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    pm = org.functions.get(name="Product Management")
    assignment_set(product=product, function=pm, layer="core", emphasis="contributor", by=leader)  # by hand
    dismiss(product=product, function=org.functions.get(name="Legal"), layer="expected", by=leader)

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/p/insights/map/")
    expect(page.locator(".sugg-manual")).not_to_have_count(0)
    expect(page.locator(".sugg-unmatched a")).to_have_count(1)
    assert axe_violations(page) == []
