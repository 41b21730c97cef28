"""How many people the organization has, kept in the cache for the dashboard (issue 13 item 9).

Counting them reads every person of the organization (100,000 rows in a large one) on each view
of the dashboard, but the number only changes when people do, and every write that adds, moves
or removes people calls a hook of the read model (`people_changed`; `functions_changed` for a
function deleted with its people; `organization_changed` for a restore, an import, a seed). The
hooks call `changed()`, which issues a new version token at once and again when the transaction
commits; a count is kept under the token it was read with, so one counted before a commit is
never read after it. A reused organization id (a database restored elsewhere) meets nothing:
the key also holds the organization's creation time. The cache down, the count is read from the
database (the dashboard works without the cache, wholeproduct.outages).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from roles.models import Organization

CACHE_ERRORS = (RedisError, OSError)  # the cache unreachable (Redis, or the embedded mode's files)
TTL = 60 * 10  # a count is kept ten minutes at most, even should a version token be lost

logger = logging.getLogger(__name__)


def _version_key(organization_id: int) -> str:
    return f"headcount:version:{organization_id}"


def _quiet(call: Callable[[], Any]) -> Any:
    """The cache only saves work here: unreachable, the count comes from the database."""
    try:
        return call()
    except CACHE_ERRORS:
        logger.warning("The cache is not answering: people are counted in the database.")
        return None


def key_of(organization: Organization) -> str | None:
    """Where the organization's current count is kept; None when the cache is unreachable."""
    version = _version_key(organization.pk)

    def current() -> str:
        token = cache.get(version)
        if token is None:
            cache.add(version, uuid.uuid4().hex, None)
            token = cache.get(version) or "unversioned"
        return f"headcount:{organization.pk}:{organization.created_at.timestamp()}:{token}"

    return _quiet(current)


def cached(key: str | None) -> int | None:
    found = _quiet(lambda: cache.get(key)) if key else None
    return found if isinstance(found, int) else None


def remember(key: str | None, people: int) -> None:
    if key:
        _quiet(lambda: cache.set(key, people, TTL))


def changed(organization_id: int) -> None:
    """People were added, moved or removed: forget the count now, and again on commit (a reader
    between the two may have kept the count as it was before the commit)."""

    def bump() -> None:
        _quiet(lambda: cache.set(_version_key(organization_id), uuid.uuid4().hex, None))

    bump()
    transaction.on_commit(bump)
