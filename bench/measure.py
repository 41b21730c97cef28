"""Queries and server time per request, in this process (issue 9).

Requests go through Django's whole handler (middleware, URL resolution, the view, templates)
with the test client, without the test environment's template instrumentation. The rounds
are interleaved — every target once per round — so a burst of load from elsewhere on the
machine slows every target alike instead of one of them.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .targets import API, Org, Target

WARM_UP = 1


@dataclass
class Visitors:
    """A logged-in client per kind of member, and the leader's API token."""

    clients: dict[str, Client]
    token: str

    def get(self, target: Target, url: str) -> Any:
        if target.kind == API:
            return self.clients["anonymous"].get(url, HTTP_AUTHORIZATION=f"Token {self.token}")
        return self.clients[target.who].get(url)


def visitors(logins: dict[str, str]) -> Visitors:
    users = get_user_model().objects.in_bulk(list(logins.values()), field_name="username")
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who, email in logins.items():
        client = Client(raise_request_exception=False)
        client.force_login(users[email])
        clients[who] = client
    from roles.services.tokens import token_issue

    _, key = token_issue(user=users[logins["leader"]])  # the API's own (knox) token, as a client gets one
    return Visitors(clients, key)


@dataclass
class Result:
    target: Target
    url: str | None
    status: int = 0
    queries: int | None = None
    size: int | None = None  # bytes of the body
    probe_s: float = 0.0  # the warm-up and counted requests
    samples: list[float] = field(default_factory=list)  # seconds
    # The same request with the state cache bypassed: the view runs, as on the first request
    # after a write changed what the page shows (roles.statecache).
    drawn_queries: int | None = None
    drawn_samples: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.url is not None and self.status == 200

    @property
    def median_ms(self) -> float | None:
        return 1000 * statistics.median(self.samples) if self.samples else None

    @property
    def drawn_median_ms(self) -> float | None:
        return 1000 * statistics.median(self.drawn_samples) if self.drawn_samples else None

    @property
    def p95_ms(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return 1000 * ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank


def probe(visitors: Visitors, org: Org, targets: tuple[Target, ...]) -> list[Result]:
    """Warm each target up and count the queries of one request."""
    results = []
    for target in targets:
        url = target.address(org)
        result = Result(target, url)
        if url is not None:
            started = time.perf_counter()
            for _ in range(WARM_UP):
                visitors.get(target, url)
            with CaptureQueriesContext(connection) as captured:
                response = visitors.get(target, url)
            with drawn(), CaptureQueriesContext(connection) as drawing:
                visitors.get(target, url)
            result.probe_s = time.perf_counter() - started
            result.status, result.size = response.status_code, len(response.content)
            result.queries = len(captured.captured_queries)
            result.drawn_queries = len(drawing.captured_queries)
        results.append(result)
    return results


@contextmanager
def drawn() -> Iterator[None]:
    """Requests that bypass the state cache (the setting `roles.statecache.installed` reads)."""
    from django.conf import settings

    saved = getattr(settings, "STATE_CACHE", True)
    settings.STATE_CACHE = False
    try:
        yield
    finally:
        settings.STATE_CACHE = saved


def time_rounds(
    visitors: Visitors, results: list[Result], rounds: int, keep_going: Callable[[Result], bool] | None = None
) -> None:
    """`rounds` timed requests of every target that answered 200 (and that `keep_going`), interleaved."""
    live = [r for r in results if r.ok]
    for _ in range(rounds):
        for result in live:
            if keep_going is not None and not keep_going(result):
                continue
            url = result.url
            assert url is not None  # `live` holds the targets that answered
            started = time.perf_counter()
            visitors.get(result.target, url)
            result.samples.append(time.perf_counter() - started)
            with drawn():
                started = time.perf_counter()
                visitors.get(result.target, url)
                result.drawn_samples.append(time.perf_counter() - started)
