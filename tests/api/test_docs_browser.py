"""/api/docs/ in a real browser with the network cut off: Swagger UI from the sidecar's files only."""

from __future__ import annotations

import pytest

from ..browser import SCREENS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_render_every_operation_offline(page, live_server):
    from playwright.sync_api import expect

    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Whole Product Map API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 45
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "api-docs.png"))
    patch = page.locator(".opblock-patch", has_text="/api/v1/orgs/{org}/products/{product}/assignments/{id}/")
    patch.locator(".opblock-summary").click()
    expect(patch.locator(".responses-table .response-col_status", has_text="409")).to_be_visible()
    page.screenshot(path=str(SCREENS / "api-docs-assignment-patch.png"))
    assert outside == []
