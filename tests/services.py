"""Tests that need a real service: skip with the reason on a laptop, fail in CI.

With REQUIRE_SERVICES=1 (set by .ci/run) a missing PostgreSQL, Redis or Chromium is
a failure, so a CI run can never pass by silently skipping what it should test.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings


def _missing(reason: str) -> None:
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _missing("this test needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis() -> str:
    url = settings.REDIS_URL
    if not url:
        _missing("this test needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    elif not _reachable(url, 6379):
        _missing(f"Redis is not reachable at {url}")
    return url


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_chromium() -> str:
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        _missing(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing("browser tests need the playwright Python package")
    return CHROMIUM
