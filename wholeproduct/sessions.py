"""Cached sessions (issue 13 item 8): Django's `cached_db` store on a cache of their own.

A signed-in request then reads its session from the cache (Redis in production, a file cache
embedded) instead of the database; writes go through to the database, so a cache that lost a
session (restart, eviction) falls back to its row. Sessions get the `sessions` cache when one is
configured, so that a busy day's sessions never cull the default cache's entries (report-build
progress, throttle counters) as a bounded file or local-memory cache would. Without one (a test
that swaps CACHES for a private cache) they are plain database sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

SESSIONS_CACHE = "sessions"


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        if SESSIONS_CACHE in settings.CACHES:
            self._cache = caches[SESSIONS_CACHE]
        else:
            self._cache = DummyCache(SESSIONS_CACHE, {})
