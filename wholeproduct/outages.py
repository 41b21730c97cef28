"""Degrade, don't crash: when the broker or the cache is down, the actions that need them answer
503 with a plain sentence (a page, or the API's JSON shape under /api/), and nothing else breaks.

The pages that only read the database need neither, so they keep working (the dashboard keeps a
few figures in the cache and reads them from the database when it is down); an action that
queues a job (a report build, an import) or counts in the cache (the token endpoint's throttle)
raises one of `OUTAGES`, which `ServiceOutageMiddleware` turns into the 503. Nothing is half
done: a build is queued after its request's transaction commits, and the cache holds no rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout

from wholeproduct.api_shape import api_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
BROKER_DOWN = (
    "The job queue is not answering right now, so nothing was queued. Try again in a minute; "
    "the pages that show your map keep working meanwhile."
)
CACHE_DOWN = (
    "The cache server is not answering right now, so this could not be done. Try again in a minute; "
    "the pages that show your map keep working meanwhile."
)
# kombu's OperationalError first: with a Redis broker, kombu wraps redis's own errors in it.
OUTAGES: tuple[tuple[type[BaseException], str], ...] = (
    (BrokerUnreachable, BROKER_DOWN),
    (RedisConnectionError, CACHE_DOWN),
    (RedisTimeout, CACHE_DOWN),
    (BusyLoadingError, CACHE_DOWN),
)


def outage_message(exception: BaseException) -> str | None:
    """The sentence for a person when `exception` means a service is down, else None."""
    for kind, message in OUTAGES:
        if isinstance(exception, kind):
            return message
    return None


def unavailable(request: HttpRequest, detail: str) -> HttpResponse:
    """503 with the plain sentence: the API's JSON shape under /api/, the site's page elsewhere."""
    if request.path_info.startswith("/api/"):
        response: HttpResponse = api_error(503, detail, code="unavailable")
    else:
        try:
            response = render(request, "503.html", {"detail": detail}, status=503)
        except Exception:  # the layout itself needed the missing service
            logger.exception("The 503 page could not be rendered")
            response = HttpResponse(f"<h1>Unavailable</h1><p>{escape(detail)}</p>", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceOutageMiddleware:
    """A view that needed the broker or the cache while it was down answers 503, not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        detail = outage_message(exception)
        if detail is None:
            return None
        logger.warning("503 on %s %s: %r", request.method, request.path, exception)
        return unavailable(request, detail)
