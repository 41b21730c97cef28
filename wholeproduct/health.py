"""Health as JSON, for load balancers, supervisors and people.

- `/healthz/live` (liveness): the process answers; nothing else is checked, so a restart is
  never ordered because the database or a worker is down.
- `/healthz` and `/healthz/ready` (readiness): database, cache, broker and a worker round trip;
  200 only when all are up, else 503 naming the failing components.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wholeproduct.celery import app, ping

WORKER_TIMEOUT = 5.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def check_worker() -> None:
    """A real round trip: a task through the broker, executed by a worker, its result read back."""
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], expires=WORKER_TIMEOUT)
    try:
        if result.get(timeout=WORKER_TIMEOUT, interval=0.1) != token:
            raise RuntimeError("a worker answered with the wrong token")
    finally:
        result.forget()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}


def run_checks() -> dict[str, dict[str, object]]:
    report: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # a health check reports every failure, whatever its type
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        else:
            report[name] = {"ok": True}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: every dependency a request or a job needs."""
    checks = run_checks()
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: this process serves requests (no dependency is touched)."""
    return JsonResponse({"status": "ok"})
