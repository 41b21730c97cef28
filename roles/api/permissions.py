"""DESIGN §5 for the API, on top of roles.permissions (one access table for pages and API).

`OrgPermission` resolves the `<org>` of the URL through the requester's membership with
`org_context` (a non-member gets 404, never 403) and requires the Perm the view's action
needs (`perm_for`); `OrgViewSet` is the base every organization endpoint extends: it
carries that permission, the paging of lists, and `self.ctx` for querysets and services.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import rowcounts, statecache
from ..filters import FilterBackend
from ..permissions import GRANTS, OrgContext, Perm, context_of


def whole_number(request: Request, name: str, default: int, *, most: int | None = None, message: str = "") -> int:
    """The query parameter `name` as a whole number from 1 (to `most`), `default` when absent;
    anything else is a 400 naming the parameter and the rule."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        rule = f"from 1 to {most}" if most is not None else "from 1"
        raise ValidationError({name: [message or f"Give a whole number {rule}."]})
    return int(raw)


class ApiPagination(PageNumberPagination):
    """?page=N&page_size=M (up to 200): an integration can read 1,000 rows in a few calls.

    A page size that is not a whole number from 1 to 200 is refused (400) rather than
    silently replaced by the default, so a script learns of its mistake.
    """

    # Counts a list of every row of one organization from the maintained count (roles.rowcounts).
    django_paginator_class = rowcounts.CountedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        return whole_number(request, self.page_size_query_param, self.page_size, most=self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        """A page of an unfiltered list in its default order is read by the view's `page_rows`
        (a prepared statement) when it has one; any other page slices the list."""
        rows = view.page_rows() if isinstance(view, OrgViewSet) and view.unfiltered() else None
        self.django_paginator_class = functools.partial(rowcounts.CountedPaginator, rows=rows)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        """A page number is a whole number from 1, as the schema says: `?page=` or `?page=x` is
        refused (400), not read as page 1; a page past the last one is still 404."""
        message = "Give a page number: a whole number from 1."
        return whole_number(request, self.page_query_param, 1, message=message)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = f"Rows per page (default {self.page_size}, at most {self.max_page_size})."
        return parameters


class OrgApiRequest(Request):
    """An API request inside an organization: `OrgPermission` attaches its `ctx` (as
    `roles.permissions.OrgRequest` for pages)."""

    ctx: OrgContext


class OrgPermission(BasePermission):
    """Membership of the URL's organization (404 otherwise), then the Perm of the action (403 otherwise)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 with the token scheme's WWW-Authenticate
        ctx = context_of(request, view.kwargs["org"])  # the row read with the token, if it was
        cast(OrgApiRequest, request).ctx = ctx
        perm = view.perm_for(getattr(view, "action", None), request.method)
        if not ctx.can(perm):
            self.message = ctx.refusal
            return False
        return True


def perm_for_method(method: str | None) -> Perm:
    """Reading needs VIEW, writing needs EDIT, unless a view says otherwise for an action."""
    return Perm.VIEW if (method or "GET").upper() in SAFE_METHODS else Perm.EDIT


def granted_to_everyone(perm: Perm) -> bool:
    return all(perm in grants for grants in GRANTS.values())


class OrgAccess(APIView):
    """What every /api/v1/orgs/<org>/… view shares: the permission, `perm_for`, and `self.ctx`.

    `action_perms` maps an action to the Perm it needs beyond the default (VIEW to read,
    EDIT to write); `conflict_actions` names the optimistic-locked ones (409 in the schema).
    """

    permission_classes = [IsAuthenticated, OrgPermission]
    action_perms: dict[str, Perm] = {}
    conflict_actions: frozenset[str] = frozenset()
    # Reads (a list, one object, an APIView's GET) answered again from the cache at the same
    # state of the organization's data (roles.statecache); None for a view whose answer
    # depends on more than the database (a job's progress, kept in the cache).
    state_cache: str | None = statecache.DAY
    state_cached_actions = frozenset({None, "list", "retrieve"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After authentication and the permission check: a GET this view answered before at
        the same state is answered from the cache (dispatch calls `self.get` next)."""
        super().initial(request, *args, **kwargs)
        action = getattr(self, "action", None)
        if self.state_cache is None or request.method != "GET" or action not in self.state_cached_actions:
            return
        handler = getattr(self, "get", None)  # a viewset has one only where GET is routed
        if handler is None:
            return
        fresh = self.state_cache

        def cached(request: Request, *args: Any, **kwargs: Any) -> Response:
            produce = lambda: handler(request, *args, **kwargs)  # noqa: E731
            return statecache.serve_data(request, self.ctx.state, produce, fresh=fresh)

        setattr(self, "get", cached)  # noqa: B010 - dispatch looks the handler up after initial()

    @classmethod
    def perm_for(cls, action: str | None, method: str | None) -> Perm:
        return cls.action_perms.get(action or "", perm_for_method(method))

    @property
    def ctx(self) -> OrgContext:
        return cast(OrgApiRequest, self.request).ctx

    @property
    def is_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` with the primary key as the last tie-break, so pages never repeat or skip a
    row whose sort key equals another's (issue 13 item 9: lists page with a stable order)."""

    def get_ordering(self, request: Any, queryset: QuerySet, view: Any) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {field.lstrip("-") for field in ordering} & {"pk", "id"}:
            return [*ordering, "pk"]
        return ordering


class OrgAPIView(OrgAccess, APIView):
    """An organization endpoint that is not a collection of rows (suggestions)."""


class OrgViewSet(OrgAccess, viewsets.GenericViewSet):
    """Base of the organization's collections. Querysets come from `scoped_queryset()`, which
    sees `self.ctx`; during schema generation there is no request, so they answer an empty
    queryset of `model`."""

    pagination_class = ApiPagination
    filter_backends = [FilterBackend, StableOrderingFilter]
    model: type[Model] | None = None

    def get_queryset(self) -> QuerySet:
        if self.is_schema:
            assert self.model is not None
            return self.model._default_manager.none()
        return self.scoped_queryset()

    def _fresh(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        """The object as a list/detail read shows it (annotations included), after a write."""
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def page_rows(self) -> Callable[[int, int, bool], QuerySet] | None:
        """A reader of a page of `scoped_queryset()` in the default `ordering` — rows bottom to
        top, ids first when asked — for `CountedPaginator` (a prepared statement: shared.prepared),
        or None to slice the list. Asked only when the request neither filters nor orders; under
        the test suite each page it reads is compared with the list's own."""
        return None

    def unfiltered(self) -> bool:
        return not set(self.request.query_params) - {"page", "page_size"}

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404:
            name = self.get_queryset().model._meta.verbose_name
            raise Http404(f"No such {name} in {self.ctx.organization.name}.") from None

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not self.is_schema and hasattr(self.request, "ctx"):
            context["ctx"] = self.ctx
            context["organization"] = self.ctx.organization
        return context
