"""What browser tests share: signing in through the real form, screenshots, the phone viewport,
axe-core's accessibility check, and a watch on the console for CSP violations and script errors."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings

from .conftest import PASSWORD

SCREENS = Path(settings.BASE_DIR) / "test-artifacts" / "screens"
# Desktop and phone pictures of every main page, kept by CI as artifacts (gitignored: var/).
PAGE_SCREENS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("critical", "serious")


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def shoot_page(page, name: str) -> Path:
    """A picture of the whole page under var/screenshots/, named after the page and the viewport's width."""
    PAGE_SCREENS.mkdir(parents=True, exist_ok=True)
    path = PAGE_SCREENS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, base_url: str, email: str, *, password: str = PASSWORD, next_path: str = "") -> None:
    """Sign in through the login form and wait for the landing page (the organization's, or `next_path`)."""
    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) if next_path else r"/o/[^/]+/(me/)?$"))


def new_page(browser, viewport: dict[str, int] = DESKTOP):
    """A page in a fresh context (no cookie carries over) at `viewport`; phones get touch and a phone's scale."""
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, has_touch=phone, is_mobile=phone, device_scale_factor=2 if phone else 1
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def watch_console(page) -> list[str]:
    """Collect CSP violations, script errors and failed requests the page reports, from now on."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' on '"
        " + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : String(e.target))));"
    )
    return problems


@cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page, *, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """axe-core's findings of these impacts on the page as it is now, one line per rule and node.

    The script is evaluated through the DevTools protocol, so the page's CSP (script-src 'self')
    neither blocks it nor reports it.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {node}"
        for v in results
        if v["impact"] in impacts
        for node in v["nodes"]
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def open_navigation(page) -> None:
    """Make the organization's links visible: the side column on a desktop, the menu button on a phone."""
    menu = page.locator("[data-nav-menu]")
    if menu.count() and menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
