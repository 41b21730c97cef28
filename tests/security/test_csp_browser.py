"""The Content-Security-Policy in a real browser: every page works with no violation reported,
Swagger UI included, and the lockout page looks finished."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.browser import shoot, sign_in
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = [
    "/o/acme/",
    "/o/acme/p/insights/",
    "/o/acme/p/insights/map/",
    "/o/acme/functions/",
    "/o/acme/people/",
    "/o/acme/web/",
    "/o/acme/reviews/",
    "/o/acme/reports/",
    "/o/acme/members/",
    "/o/acme/import/",
    "/api/docs/",
    "/api/v1/orgs/acme/functions/",
]


def _watch(page) -> list[str]:
    """Collect what the browser reports: CSP violations and script errors."""
    problems: list[str] = []
    # A missing resource is reported below with its address (DRF's pages name no icon: /favicon.ico).
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


@pytest.fixture
def mapped(org, cs_function, stakeholder_user):
    product = ProductFactory(organization=org, name="Insights", slug="insights")
    engineering = FunctionFactory(organization=org, name="Engineering", category="building")
    StakeholderFactory(function=engineering, full_name="Eve Engineer", email="eve@acme.test")
    AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    AssignmentFactory(product=product, function=engineering, layer=layer("core"), emphasis="lead")
    return product


def test_every_page_runs_under_the_policy(page, live_server, admin_user, mapped):
    from playwright.sync_api import expect

    problems = _watch(page)
    sign_in(page, live_server.url, admin_user.email)
    for path in PAGES:
        before = len(problems)
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("body").inner_text().strip(), path
        problems[before:] = [f"{path}: {p}" for p in problems[before:]]
    # htmx still works: the live search swaps the table in.
    page.goto(f"{live_server.url}/o/acme/people/")
    page.fill("input[type=search]", "Eve")
    expect(page.locator("#people-rows tr")).to_have_count(1)
    assert problems == []


def test_swagger_ui_draws_the_api_under_the_policy(page, live_server, admin_user):
    problems = _watch(page)
    sign_in(page, live_server.url, admin_user.email)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    shoot(page, "security-swagger-under-csp")
    assert problems == []
    header = page.request.get(f"{live_server.url}/api/docs/").headers["content-security-policy"]
    policy = {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"] and policy["script-src"] == ["'self'"]


def test_the_lockout_page_in_a_browser(page, live_server, leader):
    problems = _watch(page)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", leader.email)
        page.fill("#id_password", "not-the-password")
        page.click("button[type=submit]")
    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    assert "15 minutes" in page.locator("main").inner_text()
    shoot(page, "security-lockout")
    assert [p for p in problems if "429" not in p] == []
