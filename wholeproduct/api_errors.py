"""Errors of the API in one shape, and their documentation in the schema (STYLE: one exception handler).

Every refusal answers `{"error": code, "detail": sentence, "fields": {field: [messages]}}`:
- wholeproduct.errors.DomainError and its kinds carry their own code and status (400, 403,
  404, 409); a Conflict also carries "current", the object as it is now, serialized by the
  view that raised it (null when it no longer exists), so a client can merge and retry;
- DRF's errors keep their status (400, 401, 403, 404, 405, 406, 415, 429) and say it the same
  way; nested field errors are flattened to dotted names ("cells.0.layer").

`ApiAutoSchema` documents those answers on every operation from what the view declares
(who may call it, whether it takes a body, whether it is optimistic-locked), so the schema
cannot forget one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import set_rollback

from wholeproduct.errors import Conflict, DomainError
from wholeproduct.idempotency import HEADER, UNREMEMBERED_PATHS

# --- the handler --------------------------------------------------------------------------------


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: domain and DRF errors to one JSON body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DomainError):
        return _domain_response(exc, context)
    if isinstance(exc, exceptions.APIException):
        return _api_response(exc)
    return None  # a bug: let Django answer 500 and log it


def _domain_response(exc: DomainError, context: dict[str, Any]) -> Response:
    set_rollback()
    body: dict[str, Any] = {"error": exc.code, "detail": exc.detail, "fields": exc.fields}
    if isinstance(exc, Conflict):
        body["current"] = _serialize_current(exc.current, context.get("view"))
    return Response(body, status=exc.status)


def _serialize_current(current: Any, view: Any) -> Any:
    if current is None or view is None:
        return None
    serialize = getattr(view, "serialize_current", None)
    if serialize is not None:
        return serialize(current)
    return view.get_serializer(current).data


def _api_response(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    auth_header, wait = getattr(exc, "auth_header", None), getattr(exc, "wait", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if wait:
        headers["Retry-After"] = str(int(wait))
    code = exc.default_code
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        non_field = fields.pop("non_field_errors", None) or fields.pop("", None)
        detail = (non_field or _first(fields) or ["Check the values you sent."])[0]
        if non_field:
            fields["non_field_errors"] = non_field
        body = {"error": "invalid", "detail": detail, "fields": fields}
    else:
        body = {"error": _code_of(exc, code), "detail": _text(exc.detail), "fields": {}}
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


# DRF's names where the domain already has one: a 403 says "forbidden" whoever refused it.
SAME_AS_DOMAIN = {"permission_denied": "forbidden"}


def _code_of(exc: exceptions.APIException, default: str) -> str:
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else default
    return SAME_AS_DOMAIN.get(code, code)


def _text(detail: Any) -> str:
    if isinstance(detail, list | tuple):
        return " ".join(_text(item) for item in detail)
    if isinstance(detail, Mapping):
        return " ".join(_text(item) for item in detail.values())
    return str(detail)


def _first(fields: dict[str, list[str]]) -> list[str] | None:
    return next(iter(fields.values()), None)


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.0.b": ["message"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            if detail:
                out[prefix] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix] = [str(detail)]
    return out


# --- the schema of errors -----------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A stable code: invalid, not_authenticated, forbidden, not_found …")
    detail = serializers.CharField(help_text="One sentence for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field of the request; dotted names for nested fields (cells.0.layer).",
    )


ERROR_DESCRIPTIONS = {
    400: "The request was refused: `fields` names each problem. Nothing was written.",
    401: "No valid credentials: send `Authorization: Token <key>` (POST /api/v1/auth/token/) or a session cookie.",
    403: "Your access in this organization does not allow this.",
    404: "No such object in your organizations (another organization's objects answer 404 too).",
    409: "Someone changed the object after you read it: `current` is how it is now. Nothing was written. "
    "(On a POST: a request with the same Idempotency-Key is still being answered; `current` is null.)",
    413: "The body is larger than the API reads (a JSON body: 2.5 MB).",
    414: "The address is longer than 4,096 characters.",
    415: "The body is not JSON: send `Content-Type: application/json`.",
    422: "This Idempotency-Key was used before for a different request. Nothing was written.",
    429: "Too many attempts: wait for the seconds in Retry-After.",
    500: "Something went wrong on our side; it has been logged. Nothing was half-written.",
    503: "The job queue or the cache is not answering: nothing was done. Try again after Retry-After seconds.",
}

_conflicts: dict[str, type[serializers.Serializer]] = {}


def conflict_serializer(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The 409 body of one resource: the error plus `current`, that resource or null (cached per name)."""
    name = serializer_class.__name__.removesuffix("Serializer") + "Conflict"
    if name not in _conflicts:
        _conflicts[name] = inline_serializer(
            name=name,
            fields={
                "error": serializers.CharField(),
                "detail": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
                "current": serializer_class(allow_null=True, read_only=True),
            },
        ).__class__
    return _conflicts[name]


def error_responses(codes: Iterable[int], conflict_of: Any = None) -> dict[int, OpenApiResponse]:
    """The reusable set for @extend_schema(responses=…): each code with the shared body and description."""
    responses = {}
    for code in codes:
        body: Any = ErrorSerializer
        if code == 409 and conflict_of is not None:
            body = conflict_serializer(conflict_of)
        responses[code] = OpenApiResponse(body, description=ERROR_DESCRIPTIONS[code])
    return responses


IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Any 1 to 255 visible ASCII characters (a UUID), new for each request you mean. Sent again "
    "with the same request, it answers what the first one answered (header `Idempotent-Replayed: true`) and "
    "writes nothing more; with a different request, 422. Kept 24 hours, per credentials.",
)


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give.

    What a view declares decides them: 401 unless it allows anyone; 404 on every path
    under an organization or naming an object, and on paginated lists (a page past the
    end); 403 when its action needs more than seeing (`perm_for`); 400 on writes, lists
    and operations taking query parameters; 409 where `conflict_actions` names the
    action; 429 when it is throttled; 413 and 415 on operations that take a body; 414 and
    500 everywhere; 503 where the operation needs the broker or the cache (throttled, or named
    in the view's `queue_actions`).
    """

    def get_tags(self) -> list[str]:
        """One tag per resource (functions, assignments …), not one for everything under orgs/."""
        parts = [p for p in self.path.removeprefix("/api/v1/").split("/") if p and not p.startswith("{")]
        if len(parts) > 1 and parts[0] == "orgs":
            return [parts[2] if parts[1] == "products" and len(parts) > 2 else parts[1]]
        return parts[:1] or super().get_tags()

    def _takes_query_parameters(self) -> bool:
        overrides = self.get_override_parameters()
        return any(getattr(p, "location", None) == "query" or not hasattr(p, "location") for p in overrides)

    def get_override_parameters(self) -> list[Any]:
        """The organization and product of a path are slugs: any text, 404 when it names nothing of yours."""
        parameters = list(super().get_override_parameters())
        if "{org}" in self.path:
            parameters.append(
                OpenApiParameter("org", str, OpenApiParameter.PATH, description="An organization's slug.")
            )
        if "{product}" in self.path:
            parameters.append(OpenApiParameter("product", str, OpenApiParameter.PATH, description="A product's slug."))
        if self._takes_idempotency_key():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _takes_idempotency_key(self) -> bool:
        return self.method.upper() == "POST" and not self.path.startswith(UNREMEMBERED_PATHS)

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        conflict_of = getattr(self.view, "conflict_serializer_class", None)
        for code, response in error_responses(self._error_codes(), conflict_of).items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return dict(sorted(responses.items()))

    def _error_codes(self) -> set[int]:
        view, method = self.view, self.method.upper()
        action = getattr(view, "action", None)
        codes: set[int] = set()
        public = any(isinstance(p, AllowAny) for p in view.get_permissions())
        if not public:
            codes.add(401)
        paginated = self._is_list_view() and getattr(view, "pagination_class", None) is not None
        if "{" in self.path or paginated:
            codes.add(404)  # a page past the last one is a 404 too
        perm_for = getattr(view, "perm_for", None)
        if perm_for is not None and perm_for(action, method).value != "view":
            codes.add(403)
        if method in {"POST", "PUT", "PATCH"} or paginated or self._takes_query_parameters():
            codes.add(400)
        if action in getattr(view, "conflict_actions", ()):
            codes |= {400, 409}  # a malformed version is refused before a stale one
        if getattr(view, "throttle_scope", None):
            codes |= {429, 503}  # the throttle counts in the cache
        if action in getattr(view, "queue_actions", ()):
            codes.add(503)
        if method in {"POST", "PUT", "PATCH"}:
            codes |= {413, 415}
        if self._takes_idempotency_key():
            codes |= {400, 409, 422}  # a malformed key; its first request still running; reused
        return codes | {414, 500}
