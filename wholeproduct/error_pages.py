"""Django's error handlers (wholeproduct/urls.py): the API's JSON shape under /api/, the site's
own pages elsewhere (templates 403.html, 404.html, 500.html in the site layout).

The 500 page renders without a database or a signed-in user: it is what shows when those fail.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from wholeproduct.api_shape import api_error
from wholeproduct.security import is_api

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(403, _said(exception))
    return render(request, "403.html", {"detail": _said(exception)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error(500)
    try:
        # No request context: the site's context processors read the database, which may be
        # what failed.
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError("<h1>Something went wrong</h1><p>It has been logged; try again later.</p>")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON under /api/, Django's own explanation elsewhere."""
    if is_api(request):
        return api_error(403, f"CSRF check failed: {reason}. Send the CSRF token, or use token authentication.")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def _said(exception: Exception | None) -> str:
    """The message a PermissionDenied carries, if its raiser wrote one for people."""
    return str(exception) if exception is not None and exception.args else ""
