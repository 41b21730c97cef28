"""What browser tests share: signing in through the real form, and saving screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from .conftest import PASSWORD

SCREENS = Path(settings.BASE_DIR) / "test-artifacts" / "screens"


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def sign_in(page, base_url: str, email: str, *, password: str = PASSWORD, next_path: str = "") -> None:
    """Sign in through the login form and wait for the landing page (the organization's, or `next_path`)."""
    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) if next_path else r"/o/[^/]+/(me/)?$"))
