"""The API's error shape `{"error", "detail", "fields"}` for answers given outside DRF's views:
Django's handlers, the input guard, a view outside DRF, an error page that is not JSON.

(Without DRF imports: the input guard and the error handlers load before DRF's settings.)
"""

from __future__ import annotations

from django.http import HttpResponseBase, JsonResponse

# The code and sentence of an answer that carries no body of ours: Django's handlers, the
# guard, a view outside DRF, gunicorn's limits (gunicorn.conf.py) …
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid", "The request could not be read."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("forbidden", "You do not have permission to do this."),
    404: ("not_found", "There is no such address in the API: see /api/docs/."),
    405: ("method_not_allowed", "This address does not take that method."),
    406: ("not_acceptable", "The API answers JSON: ask for application/json."),
    409: ("conflict", "The request conflicts with the current state of the object."),
    413: ("too_large", "The request is too large."),
    414: ("uri_too_long", "The address is too long."),
    415: ("unsupported_media_type", "The API reads JSON: send Content-Type: application/json."),
    422: ("unprocessable", "The request cannot be processed."),
    429: ("throttled", "Too many requests: wait and try again."),
    500: ("server_error", "Something went wrong on our side. It has been logged; try again later."),
    503: ("unavailable", "A service this needs is unavailable right now. Try again in a minute."),
}
# Headers of the original answer a client needs to act on the error.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def api_error(
    status: int, detail: str = "", *, code: str = "", fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The API's error shape as a plain Django answer, for code that runs outside DRF."""
    default_code, default_detail = STATUS_ERRORS.get(status, ("error", "The request failed."))
    body = {"error": code or default_code, "detail": detail or default_detail, "fields": fields or {}}
    return JsonResponse(body, status=status)


def as_api_error(response: HttpResponseBase) -> HttpResponseBase:
    """An error answer under /api/ that is not JSON (an HTML 404, an empty 405 …) in the API's shape."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
        return response
    replaced = api_error(response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            replaced[header] = response[header]
    return replaced
