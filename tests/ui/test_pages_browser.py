"""Every main page of the demo in Chromium, on a desktop and on a 390 px phone (issue 15 items 1, 8):
no sideways scroll, the navigation reachable, nothing spilling out of its cell or card, axe-core's
critical and serious findings at zero, no CSP violation or script error in the console; a picture
of each page under var/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser import DESKTOP, PHONE, axe_violations, new_page, overflow, shoot_page, watch_console

from .pages import DEMO_PASSWORD, VISITORS, demo_paths, seed_demo, slug_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(db):
    return seed_demo()


def sign_in_demo(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/o/**")


def check_navigation(page, viewport: dict[str, int]) -> None:
    """The organization's links are in reach: the side column on a desktop, the menu button on a phone."""
    if viewport["width"] < 900:
        assert not page.locator(".sidenav").is_visible()
        menu = page.locator("[data-nav-menu]")
        menu.locator("summary").click()
        assert page.locator(".menunav").get_by_role("link", name="Dashboard").is_visible()
        box = page.locator(".nav-menu-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        page.keyboard.press("Escape")
        assert menu.get_attribute("open") is None
    else:
        assert page.locator(".sidenav").get_by_role("link", name="Dashboard").is_visible()
        assert not page.locator("[data-nav-menu]").is_visible()


def small_tap_targets(page) -> list[str]:
    """Links and buttons of the navigation, forms and toolbars lower than 44 px on a phone."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.menunav a, .btn, .nav-menu-btn, main input[type=text],'
            + ' main input[type=email], main input[type=search], main select, .map-toggle')]
          .filter(el => el.offsetParent !== null)
          .filter(el => el.getBoundingClientRect().height < 43.5)
          .map(el => el.outerHTML.slice(0, 90))"""
    )


def spilled(page) -> list[str]:
    """Cells, list items, cards and buttons whose content is wider than they are: text drawn over
    its neighbours or out of its box (a scroll box or an ellipsis is meant to hold more)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main td, main th, main li, main dd, main .card, main .btn,'
            + ' main button')]
          .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 2)
          .filter(el => !['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
          .filter(el => getComputedStyle(el).textOverflow !== 'ellipsis')
          .map(el => `${el.scrollWidth} px in ${el.clientWidth}: ${el.outerHTML.slice(0, 90)}`)"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("who", list(VISITORS))
def test_every_main_page_fits_is_navigable_and_accessible(browser, live_server, demo, settings, who, viewport):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = False
    page = new_page(browser, viewport)
    problems = watch_console(page)
    sign_in_demo(page, live_server.url, VISITORS[who].email)
    paths = demo_paths(who)
    assert len(paths) >= 5
    findings: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert response.ok, f"{path} answered {response.status}"
        width = overflow(page)
        found = axe_violations(page) + [f"spills out of its box: {html}" for html in spilled(page)]
        if viewport is PHONE:
            found += [f"tap target under 44 px: {html}" for html in small_tap_targets(page)]
        if width:
            found.append(f"{width} px wider than the screen")
        shoot_page(page, f"{who}-{slug_of(path)}")
        check_navigation(page, viewport)
        found += [f"console: {text}" for text in problems]
        problems.clear()
        if found:
            findings[path] = found
    page.context.close()

    assert findings == {}


def test_on_a_phone_names_and_sentences_have_room_to_be_read(browser, live_server, demo, settings):
    """A list's first column holds its name and a line about it; a function's contribution is a
    sentence: at 390 px neither may shrink to a word per line (they did: 107 and 142 px)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = False
    page = new_page(browser, PHONE)
    sign_in_demo(page, live_server.url, VISITORS["leader"].email)
    widths = {}
    for path, cell in (
        ("/o/northwind/campaigns/", "main table tbody td:first-child"),
        ("/o/northwind/scenarios/", "main table tbody td:first-child"),
        ("/o/northwind/p/insights/", ".wp-table tbody td:nth-child(3)"),
    ):
        page.goto(live_server.url + path)
        widths[path] = page.locator(cell).first.evaluate("td => td.clientWidth")
        assert overflow(page) == 0, path
    page.context.close()

    assert widths["/o/northwind/campaigns/"] >= 150 and widths["/o/northwind/scenarios/"] >= 150
    assert widths["/o/northwind/p/insights/"] >= 300  # the width of the card, under the function's name
