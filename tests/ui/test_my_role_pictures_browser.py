"""My role on two products in Chromium (issue 13 item 9): the first product's picture comes with the
page, the second loads when it is scrolled to, at 1280 and 390 px, with nothing wider than the
screen, no accessibility finding that axe-core calls critical or serious, and no console error."""

from __future__ import annotations

import pytest

from roles.models import Function
from tests.browser import DESKTOP, PHONE, axe_violations, new_page, overflow, shoot_page, sign_in, watch_console
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def two_products(org, cs_function):
    pm = FunctionFactory(organization=org, name="Product Management", category=Function.Category.BUILDING)
    for name, slug in (("Insights Cloud", "insights"), ("Zeta Pipelines", "zeta")):
        product = ProductFactory(organization=org, name=name, slug=slug)
        AssignmentFactory(product=product, function=pm, layer=layer("core"), emphasis="lead")
        AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_second_picture_loads_when_it_is_scrolled_to(
    browser, live_server, stakeholder_user, two_products, viewport
):
    page = new_page(browser, viewport)
    problems = watch_console(page)
    sign_in(page, live_server.url, stakeholder_user.email, next_path="/o/acme/me/")

    pictures = page.locator(".me-picture svg.wp-rings")
    assert pictures.count() >= 1  # Insights Cloud's, with the page
    later = page.locator(".me-picture-later")
    later.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.me-picture svg.wp-rings').length === 2")
    assert page.locator(".me-picture-later").count() == 0
    assert page.locator(".me-picture .is-highlighted").count() >= 2  # their function outlined in both
    # The second product's "shared with" lists came with its picture.
    page.wait_for_function("() => !document.body.textContent.includes('Named when the picture of')")
    zeta = page.locator(".me-product").filter(has=page.get_by_role("heading", name="Zeta Pipelines"))
    assert zeta.locator("dd", has_text="your function is alone on this layer").count() == 1
    assert overflow(page) == 0
    assert axe_violations(page) == []
    assert problems == []
    shoot_page(page, "stakeholder-me-two-products")
