"""The users' journeys end to end in Chromium (issue 15 item 10), asserting the database and the page.

- a leader maps a product: sets a cell from its menu, makes another function lead in place of the
  current one, undoes the swap from the note, restores a dismissed suggestion, and does one change
  with the keyboard alone;
- a stakeholder opens their role from the email link on a 390 px phone, is told a disagreement
  needs a comment before the form is sent, and disputes;
- a leader sees the dispute's badge, is emailed, and resolves it; the stakeholder is emailed back.
No CSP violation or script error is reported on the way, htmx swaps included.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from layers.models import Assignment, AssignmentChange, DismissedSuggestion, Review
from layers.services import mapping
from roles.models import Function
from tests.browser import PHONE, new_page, overflow, shoot_page, sign_in, watch_console
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def insights(org, cs_function):
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    pm = FunctionFactory(organization=org, name="Product Management", category=Function.Category.BUILDING)
    FunctionFactory(organization=org, name="Engineering", category=Function.Category.BUILDING)
    AssignmentFactory(product=product, function=pm, layer=layer("core"), emphasis="lead", contribution="Decides.")
    AssignmentFactory(
        product=product, function=cs_function, layer=layer("augmented"), emphasis="lead", contribution="Onboards."
    )
    return product


def core(product) -> dict[str, str]:
    rows = Assignment.objects.filter(product=product, layer__key="core").values_list("function__name", "emphasis")
    return dict(rows)


def test_a_leader_maps_a_product_swaps_a_lead_and_undoes_it(browser, live_server, org, leader, insights):
    from playwright.sync_api import expect

    page = new_page(browser)
    problems = watch_console(page)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/o/acme/p/insights/map/")
    engineering = Function.objects.get(organization=org, name="Engineering")
    cell = page.locator(f"#cell-{engineering.pk}-core")

    # The cell's menu: Product Management leads the core, so "lead" reads "make lead, replacing …".
    cell.locator("summary").click()
    expect(cell.get_by_role("button", name="Make lead, replacing Product Management")).to_be_visible()
    # The whole menu shows inside the map's scroll box, though the cell is near its bottom edge.
    panel, box = cell.locator(".cell-menu-panel").bounding_box(), page.locator(".map-wrap").bounding_box()
    assert box["y"] <= panel["y"] and panel["y"] + panel["height"] <= box["y"] + box["height"] + 1
    shoot_page(page, "journey-map-cell-menu")
    cell.get_by_role("button", name="Make lead, replacing Product Management").click()
    expect(page.locator("#map-toast")).to_contain_text(
        "Engineering now leads the Core product; Product Management stays on as a contributor."
    )
    expect(page.locator(f"#cell-{engineering.pk}-core .map-toggle")).to_have_text("★ Lead")
    expect(page.locator("#col-core")).to_contain_text("★ Engineering")
    assert core(insights) == {"Engineering": "lead", "Product Management": "contributor"}
    shoot_page(page, "journey-map-swapped")

    # Undo from the note: both cells back, and the history keeps all four steps.
    page.locator("#map-toast").get_by_role("button", name="Undo").click()
    expect(page.locator("#map-toast")).to_contain_text("Undone")
    expect(page.locator("#col-core")).to_contain_text("★ Product Management")
    assert core(insights) == {"Product Management": "lead"}
    assert AssignmentChange.objects.filter(product=insights).count() == 4

    # The keyboard alone: focus the cell, open its menu, choose "Contributor".
    page.locator(f"#cell-{engineering.pk}-core summary").focus()
    page.keyboard.press("Enter")
    # the menu opens with the focus on its first choice it can take (not assigned is the current one)
    # (a function, not an expression: Playwright polls an expression with eval, which the CSP refuses)
    page.wait_for_function("() => document.activeElement.classList.contains('cell-menu-item')")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Contributor"
    page.keyboard.press("Enter")
    expect(page.locator(f"#cell-{engineering.pk}-core .map-toggle")).to_have_text("Contributor")
    assert core(insights)["Engineering"] == "contributor"
    assert page.evaluate("document.activeElement.closest('td')?.id") == f"cell-{engineering.pk}-core"
    # Escape closes a menu and gives the focus back to its cell.
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert page.locator(f"#cell-{engineering.pk}-core details").get_attribute("open") is None

    # A dismissed suggestion is listed and comes back.
    pending = next(s for s in mapping.suggest(product=insights).suggestions if s.status == mapping.NEW)
    mapping.dismiss(
        product=insights, function=Function.objects.get(pk=pending.function_id), layer=pending.layer_key, by=leader
    )
    page.reload()
    page.locator(".sugg-dismissed-list summary").click()
    page.locator(".sugg-dismissed-list").get_by_role("button", name=re.compile("^Restore")).first.click()
    expect(page.get_by_role("status").first).to_contain_text("is back in the list")
    assert not DismissedSuggestion.objects.filter(product=insights).exists()

    assert problems == []
    page.context.close()


def test_a_stakeholder_disputes_on_a_phone_and_a_leader_resolves(
    browser, live_server, org, leader, stakeholder_user, insights, eager_tasks
):
    from playwright.sync_api import expect

    augmented = Assignment.objects.get(product=insights, layer__key="augmented")
    StakeholderFactory(function=augmented.function, full_name="Dana Colleague", email="dana@acme.test")

    # The email link to "my role", opened on a phone: sign in, then straight there.
    phone = new_page(browser, PHONE)
    problems = watch_console(phone)
    sign_in(phone, live_server.url, stakeholder_user.email, next_path="/o/acme/me/")
    assert overflow(phone) == 0
    card = phone.locator(f"#assignment-{augmented.pk}")
    expect(card).to_contain_text("Onboards.")
    # Phone first: the facts stack, label over value, the value as wide as the card allows.
    label, value = card.locator(".me-facts dt").first.bounding_box(), card.locator(".me-facts dd").first.bounding_box()
    assert value["y"] >= label["y"] + label["height"] - 1 and value["x"] == label["x"]
    shoot_page(phone, "journey-my-role")

    # "I disagree" with no comment: the browser refuses before anything is sent.
    card.get_by_text("I disagree").click()
    comment = card.get_by_label("Why you disagree (required)")
    expect(comment).to_be_visible()
    assert comment.evaluate("box => box.required") is True
    card.get_by_role("button", name="Save my review").click()
    assert comment.evaluate("box => box.validity.valueMissing") is True
    assert Review.objects.count() == 0
    # Back to "I agree", the comment is no longer required.
    card.get_by_text("I agree").click()
    assert comment.evaluate("box => box.required") is False
    card.get_by_text("I disagree").click()

    comment.fill("Support runs onboarding now; we train power users.")
    card.get_by_role("button", name="Save my review").click()
    expect(phone.locator(f"#assignment-{augmented.pk}")).to_contain_text("Thanks: your disagreement is recorded.")
    review = Review.objects.get()
    assert (review.verdict, review.comment) == ("disagree", "Support runs onboarding now; we train power users.")
    assert overflow(phone) == 0
    shoot_page(phone, "journey-my-role-disputed")
    assert problems == [], "\n".join(problems)
    phone.context.close()

    # The leader is emailed, and the dashboard carries a badge until the dispute is answered.
    notice = next(m for m in mail.outbox if m.to == [leader.email])
    assert "Casey Success disagrees" in notice.subject
    path = re.search(r"https?://\S+?(/o/acme/reviews/\d+/)", notice.body).group(1)
    assert path == f"/o/acme/reviews/{review.pk}/"
    desk = new_page(browser)
    problems = watch_console(desk)
    sign_in(desk, live_server.url, leader.email)
    expect(desk.locator(".dispute-badge")).to_have_text(re.compile(r"1\s+open dispute to answer"))
    shoot_page(desk, "journey-dashboard-badge")
    desk.goto(live_server.url + path)  # the email's link
    desk.get_by_role("link", name="Resolve").first.click()
    desk.get_by_label("Why it stays").fill("Customer Success still owns onboarding this year.")
    desk.get_by_role("button", name="Keep and resolve").click()
    desk.wait_for_url(re.compile(r"/o/acme/reviews/$"))
    review.refresh_from_db()
    assert review.resolution == "kept" and review.resolved_by == leader
    desk.goto(f"{live_server.url}/o/acme/")
    expect(desk.locator(".dispute-badge")).to_have_count(0)
    assert any(m.to == [stakeholder_user.email] and "kept" in m.subject for m in mail.outbox)
    assert problems == []
    desk.context.close()
