"""Request hardening in one place: sign-in throttling (django-axes) adapted to this project,
and the guard that refuses input no page or endpoint should ever store.

Sign-in throttling: who is signing in, from where, and what a locked-out person or script
is told.

- The account is the email, compared case-insensitively as roles.backends.EmailBackend
  compares it; the API's token endpoint names it `email`, the sign-in form `username`.
- The address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT proxies stand in front of the app
  (docker-compose behind a TLS terminator): then the address the outermost trusted proxy
  saw, never one a client wrote into X-Forwarded-For itself.
- A lockout answers 429: the lockout page for a browser, the API's JSON error shape under /api/.

The input guard (InputGuardMiddleware), in front of every form and endpoint:
- an address with a NUL byte (path or query string) answers 400, one over MAX_URL_LENGTH 414;
- a body larger than the limits answers 413 before it is read;
- an API write whose body is not JSON (or a multipart upload) answers 415, whatever its
  Content-Type claims: DRF would read `*/*` as JSON, past every check;
- a JSON body nested deeper than MAX_JSON_DEPTH or with a list longer than MAX_JSON_ITEMS
  answers 400 (Python's parser would recurse until it crashes; a list of 100,000 ids would
  be looked up one by one); the API's JSONParser applies the same rules again;
- text the one text rule refuses (wholeproduct/text.py: control characters, bidi controls,
  invisible characters) answers 400 naming the field, the character and its position. The
  guard applies the long-text rule to everything; forms and serializers apply the stricter
  one to names and short text.
- under /api/, any error answer that is not JSON (an HTML 404, an empty 405 …) is given the
  API's error shape (wholeproduct/api_shape.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError

from wholeproduct.api_shape import api_error, as_api_error
from wholeproduct.text import text_problem


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse any sign-in while its account or address is locked out; records nothing itself
    (failures are counted from Django's user_login_failed signal)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            # Not a sign-in over the web (the shell, a management command, the test client's
            # login()): nothing to throttle, and the next backend decides.
            return None
        # DRF's Request wraps the HttpRequest: the lockout flag must land on the one the
        # middleware sees.
        http_request = getattr(request, "_request", request)
        return super().authenticate(http_request, username, password, **kwargs)


def login_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in names, lower-cased: "Ann@X.test" and "ann@x.test" share a counter."""
    source: Any = credentials or getattr(request, "POST", None) or {}
    raw = source.get("username") or source.get("email") or ""
    return str(raw).strip().lower()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Each trusted proxy appended the address it received from: the client's is the
    # proxies-th from the right. Fewer entries than proxies means a request that did not
    # come through them all: fall back to the socket's address.
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def _minutes(cool_off: timedelta | None) -> int:
    if cool_off is None:
        return 0
    return max(1, round(cool_off.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 with when to try again: a page for people, the API's error shape for scripts."""
    minutes = _minutes(get_cool_off(request))
    detail = (
        f"Too many failed sign-ins for this account or from this address. Try again in {minutes} minutes, "
        "or ask an admin of your organization to check your account."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": "locked_out", "detail": detail, "fields": {}}, status=429)
    else:
        context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
        response = render(request, "registration/lockout.html", context, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


# --- the input guard --------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32
MAX_JSON_ITEMS = 1000
# Multipart bodies carry the import's uploads: its form refuses files over 10 MB with its own
# message, so the guard only stops what is far beyond that.
MAX_MULTIPART_BYTES = 32 * 1024 * 1024
# The longest path and query string answered (414 above): no address of this site comes close,
# and gunicorn.conf.py lets requests up to twice as long reach us so that the 414 is ours.
MAX_URL_LENGTH = 4096
# Secrets are compared, never displayed: whatever characters a password has are its own.
UNCHECKED_FIELDS = {"password", "new_password1", "new_password2", "old_password", "csrfmiddlewaretoken"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# What the API reads: JSON, and multipart for an endpoint that takes a file (its parser decides).
API_TYPES = {"application/json", "multipart/form-data"}


class BadInput(Exception):
    def __init__(self, status: int, detail: str, field: str = "", *, in_address: bool = False) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field, self.in_address = status, detail, field, in_address


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_address(request: HttpRequest) -> None:
    """A NUL byte in the address or a query parameter: nothing can look it up (PostgreSQL refuses it)."""
    query = request.META.get("QUERY_STRING", "")
    if len(request.path) + len(query) > MAX_URL_LENGTH:
        raise BadInput(414, f"The address is longer than {MAX_URL_LENGTH} characters.", in_address=True)
    if "\x00" in request.path:
        raise BadInput(400, "The address contains a NUL character (U+0000).", in_address=True)
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise BadInput(
                400,
                f"The query parameter “{key.replace(chr(0), '')}” contains a NUL character (U+0000).",
                key,
                in_address=True,
            )


def _check_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadInput(400, "The request's Content-Length is not a number.") from None
    multipart = request.content_type == "multipart/form-data"
    limit = MAX_MULTIPART_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        raise BadInput(413, f"The request is {_megabytes(length)}; the limit is {_megabytes(limit)}.")


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raise BadInput(413, f"The request is larger than {limit}.") from None


def _check_media_type(request: HttpRequest) -> None:
    """An API write with a body says it is JSON (or a multipart upload): anything else is 415.

    DRF would parse a body labelled `*/*` or `application/*` as JSON; refusing the label
    keeps every body the API reads in front of this guard."""
    if _media_type(request) in API_TYPES or not _body(request):
        return  # (no body: nothing to parse, whatever the label)
    shown = f"“{request.content_type}”" if request.content_type else "no Content-Type"
    raise BadInput(415, f"The API reads JSON: send Content-Type: application/json (this request has {shown}).")


def _json_strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every string of a JSON document (keys too) with its field path, checking its shape on the way."""
    if depth > MAX_JSON_DEPTH:
        raise BadInput(400, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.", path)
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        if len(value) > MAX_JSON_ITEMS:
            raise BadInput(400, f"A list may hold at most {MAX_JSON_ITEMS} items; this one has {len(value)}.", path)
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{index}" if path else str(index), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key, key
            if key not in UNCHECKED_FIELDS:
                yield from _json_strings(item, f"{path}.{key}" if path else key, depth + 1)


def load_json(raw: bytes | str) -> Any:
    """json.loads without the RecursionError a deep document raises (400 instead); ValueError when not JSON."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadInput(400, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.") from None


def check_json(document: Any) -> None:
    """The guard's rules on a parsed JSON document: its depth, its lists' lengths and its text."""
    _check_strings(_json_strings(document))


def _form_data(request: HttpRequest) -> MultiValueDict:
    try:
        return request.POST
    except RequestDataTooBig:
        limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raise BadInput(413, f"The form's fields hold more than {limit} of text.") from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise BadInput(400, "The form sends more fields than any page of this site has.") from None
    except MultiPartParserError as error:
        raise BadInput(400, f"The upload could not be read: {error}") from None


def _form_strings(data: MultiValueDict) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        yield key, key
        if key not in UNCHECKED_FIELDS:
            for value in values:
                yield key, value


def _check_strings(strings: Iterator[tuple[str, str]]) -> None:
    """The long-text rule on every string (the guard cannot tell a name from a note: forms and
    serializers apply the stricter one to names and short text)."""
    for field, value in strings:
        if (problem := text_problem(value, multiline=True)) is not None:
            raise BadInput(400, problem.message(field), field)


def _media_type(request: HttpRequest) -> str:
    return (request.content_type or "").lower()


def _check_text(request: HttpRequest) -> None:
    if _media_type(request) in FORM_TYPES:
        # The API's multipart uploads are left to its parsers: reading them here would leave DRF
        # an empty body, and a JSON-only endpoint could no longer answer 415.
        if not is_api(request):
            _check_strings(_form_strings(_form_data(request)))
        return
    body = _body(request)
    if not body:
        return
    try:
        document = load_json(body)
    except ValueError:
        return  # not JSON at all: the endpoint's parser explains that (or nothing reads it)
    check_json(document)


class InputGuardMiddleware:
    """Refuse bad addresses, oversized bodies, JSON bombs and invisible characters before any view
    sees them; and under /api/ answer every refusal, whoever gave it, in the API's JSON shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check_address(request)
            if request.method in BODY_METHODS:
                _check_size(request)
                if is_api(request):
                    _check_media_type(request)
                _check_text(request)
        except BadInput as error:
            return _bad_input_response(request, error)
        response = self.get_response(request)
        if is_api(request):
            return as_api_error(response)
        return response


def _bad_input_response(request: HttpRequest, error: BadInput) -> HttpResponse:
    if is_api(request):
        fields = {error.field: [error.detail]} if error.field else {}
        return api_error(error.status, error.detail, fields=fields)
    context = {"detail": error.detail, "too_large": error.status == 413, "in_address": error.in_address}
    return render(request, "errors/bad_input.html", context, status=error.status)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser behind the guard's rules, wherever the request came from (the
    middleware checked it already when it came over HTTP; a RecursionError never escapes)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.") from None
        try:
            check_json(data)
        except BadInput as error:
            raise ParseError(error.detail) from None
        return data


# --- the browsable API under the policy --------------------------------------------------------------


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages carry style attributes: they alone may use inline styles (never scripts)."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return super().render(data, accepted_media_type, renderer_context)
