"""The organization side of /api/v1 (DESIGN §6): organizations, functions, people, partnerships,
disruptions, and the tokens integrations sign in with.

Thin views (STYLE §3): a serializer validates, a service of roles.services writes, the same
service the pages call; domain errors become HTTP in wholeproduct.api_errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shared.prepared import prepared
from wholeproduct.api_errors import error_responses

from .. import filters
from ..models import Disruption, Function, Membership, Partnership, Stakeholder
from ..permissions import org_context
from ..rowcounts import page_of
from ..services import disruptions as disruption_services
from ..services import functions as function_services
from ..services import partnerships as partnership_services
from ..services import people as people_services
from ..services import tokens as token_services
from . import serializers as s
from .permissions import ApiPagination, OrgViewSet

VERSION_PARAM = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 0},
    OpenApiParameter.QUERY,
    required=False,
    description="The version you read; a stale one answers 409 and deletes nothing.",
)


def merged(validated: dict[str, Any], instance: Any, names: list[str]) -> dict[str, Any]:
    """PATCH semantics for services that take every field: what was sent, else what is stored."""
    return {name: validated[name] if name in validated else getattr(instance, name) for name in names}


def version_param(request: Request) -> int | None:
    """The optional ?version=N of a DELETE; a malformed one is a 400, never a silent skip of the check."""
    if "version" not in request.query_params:
        return None
    field = serializers.IntegerField(min_value=0, max_value=s.MAX_ID)
    try:
        return field.run_validation(request.query_params["version"])
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"version": error.detail}) from None


# --- organizations ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The organizations you belong to, with your access in each"),
    retrieve=extend_schema(summary="One organization you belong to"),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organizations you belong to; every other endpoint lives under one of them."""

    serializer_class = s.OrganizationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination
    filter_backends: list[Any] = []
    lookup_field = "organization__slug"
    lookup_url_kwarg = "org"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.filter(user=self.request.user)
            .select_related("organization")
            .order_by("organization__name", "pk")
        )

    def get_object(self) -> Membership:
        return org_context(self.request.user, self.kwargs["org"]).membership


# --- functions ----------------------------------------------------------------------------------

FUNCTION_EXAMPLE = OpenApiExample(
    "Customer Success",
    value={"name": "Customer Success", "category": "customer_facing", "is_external": False, "description": ""},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="Functions of the organization"),
    retrieve=extend_schema(summary="One function"),
    create=extend_schema(summary="Add a function", examples=[FUNCTION_EXAMPLE]),
    update=extend_schema(summary="Change a function"),
    partial_update=extend_schema(summary="Change some fields of a function"),
)
class FunctionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgViewSet,
):
    """Organizational functions (Engineering, Sales, Customer Success …) that contribute to layers."""

    model = Function
    serializer_class = s.FunctionSerializer
    filterset_class = filters.FunctionFilter
    ordering_fields = ["name", "category", "created_at"]
    ordering = ["name", "pk"]
    # Deleting people names the head count seen: a different one now is a 409.
    conflict_actions = frozenset({"destroy"})

    def scoped_queryset(self) -> QuerySet[Function]:
        return _functions(self.ctx.organization.pk, listed=self.action == "list")

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Function]]:
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _functions_page(organization_id, bottom, top, by_ids)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        function = function_services.function_create(
            organization=self.ctx.organization, by=self.request.user, **serializer.validated_data
        )
        return self._fresh(function, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        function = self.get_object()
        serializer = self.get_serializer(function, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = merged(serializer.validated_data, function, ["name", "category", "is_external", "description"])
        values["parent"] = serializer.validated_data.get("parent", function.parent)
        function_services.function_update(function=function, **values)
        return self._fresh(function)

    @extend_schema(
        summary="Delete a function and its assignments",
        description="A function with people needs `move_people_to` (another function's id) or "
        "`delete_people=true` with `people_confirmed` (the head count you saw); otherwise 400.",
        parameters=[s.FunctionDeleteSerializer],
        responses={200: s.FunctionDeletedSerializer},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        function = self.get_object()
        choice = s.FunctionDeleteSerializer(data=request.query_params, context=self.get_serializer_context())
        choice.is_valid(raise_exception=True)
        result = function_services.function_delete(
            function=function,
            move_people_to=choice.validated_data.get("move_people_to"),
            delete_people=choice.validated_data["delete_people"],
            people_confirmed=choice.validated_data.get("people_confirmed"),
        )
        return Response(s.FunctionDeletedSerializer(result).data)


# --- people -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="People of the organization (stakeholders)"),
    retrieve=extend_schema(summary="One person"),
    create=extend_schema(
        summary="Add a person",
        examples=[
            OpenApiExample(
                "A customer success manager",
                value={"full_name": "Ada Lovelace", "title": "CSM", "email": "ada@example.com", "function": 1},
                request_only=True,
            )
        ],
    ),
    update=extend_schema(summary="Change a person"),
    partial_update=extend_schema(summary="Change some fields of a person"),
)
class StakeholderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgViewSet,
):
    """People of the organization, each in one function."""

    model = Stakeholder
    serializer_class = s.StakeholderSerializer
    filterset_class = filters.StakeholderFilter
    ordering_fields = ["full_name", "email", "created_at", "updated_at"]
    ordering = ["full_name", "pk"]

    def scoped_queryset(self) -> QuerySet[Stakeholder]:
        return _people(self.ctx.organization.pk, listed=self.action == "list")

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Stakeholder]]:
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _people_page(organization_id, bottom, top, by_ids)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["invite_states"] = getattr(self, "_invite_states", {})
        return context

    def _load_invite_states(self, people: list[Stakeholder]) -> None:
        from ..services.invites import invite_states

        self._invite_states = invite_states(self.ctx.organization, people)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        self._load_invite_states(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._fresh(self.get_object())

    def _fresh(self, person: Stakeholder, code: int = status.HTTP_200_OK) -> Response:
        person = self.get_queryset().get(pk=person.pk)
        self._load_invite_states([person])
        return Response(self.get_serializer(person).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = people_services.stakeholder_create(
            organization=self.ctx.organization, by=self.request.user, **serializer.validated_data
        )
        return self._fresh(person, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = merged(serializer.validated_data, person, ["full_name", "email", "function", "title"])
        people_services.stakeholder_update(stakeholder=person, by=self.request.user, **values)
        return self._fresh(person)


# --- partnerships -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The partnership web: links between functions and their trust"),
    retrieve=extend_schema(summary="One partnership"),
    create=extend_schema(
        summary="Link two functions",
        examples=[
            OpenApiExample(
                "Sales and Engineering",
                value={"function_a": 1, "function_b": 2, "trust": 3, "cadence": "monthly", "shared_goal": ""},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a partnership",
        description="Send the `version` you read and the fields to change: a stale version answers 409 "
        "with the partnership as it is now, and nothing is written.",
        request=s.PartnershipUpdateSerializer,
        examples=[OpenApiExample("Trust up", value={"version": 1, "trust": 4}, request_only=True)],
    ),
    destroy=extend_schema(summary="Remove a partnership", parameters=[VERSION_PARAM]),
)
class PartnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgViewSet,
):
    """The Whole Product Partnership web: links between two functions, with trust and what flows back."""

    model = Partnership
    serializer_class = s.PartnershipSerializer
    conflict_serializer_class = s.PartnershipSerializer
    filterset_class = filters.PartnershipFilter
    ordering_fields = ["trust", "last_checked_on", "updated_at"]
    ordering = ["function_a__name", "function_b__name", "pk"]
    conflict_actions = frozenset({"partial_update", "destroy", "check_in"})
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # updates name their version

    def scoped_queryset(self) -> QuerySet[Partnership]:
        # The first function's organization too (it is the link's): the list, in the order of the
        # two names, is then read from the first few functions of the name index with their links
        # (0.6 ms), where sorting every link of the organization took 12 ms at 7,500 links.
        return _links(self.ctx.organization.pk, listed=self.action == "list")

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Partnership]]:
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _links_page(organization_id, bottom, top, by_ids)

    def serialize_current(self, current: Partnership) -> dict[str, Any]:
        return s.PartnershipSerializer(current, context=self.get_serializer_context()).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partnership = partnership_services.partnership_create(
            organization=self.ctx.organization, by=request.user, **serializer.validated_data
        )
        return self._fresh(partnership, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership = self.get_object()
        serializer = s.PartnershipUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        partnership_services.partnership_update(
            partnership=partnership, expected_version=values.pop("version"), by=request.user, **values
        )
        return self._fresh(partnership)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership = self.get_object()
        partnership_services.partnership_delete(
            partnership=partnership, expected_version=version_param(request), by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Record a trust reading (a check-in)",
        request=s.CheckInSerializer,
        responses={201: s.CheckInSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check-ins")
    def check_in(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership = self.get_object()
        serializer = s.CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        check_in = partnership_services.checkin_record(
            partnership=partnership, expected_version=values.pop("version"), by=request.user, **values
        )
        return Response(s.CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


# --- disruptions --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Disruptions: reorgs, leadership changes, new hires, sustained pressure"),
    retrieve=extend_schema(summary="One disruption"),
)
class DisruptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgViewSet):
    """Dated events touching some functions; logging one puts their reviews and partnerships in question."""

    model = Disruption
    serializer_class = s.DisruptionSerializer
    filterset_class = filters.DisruptionFilter
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["-occurred_on", "-pk"]

    def scoped_queryset(self) -> QuerySet[Disruption]:
        # The functions' ids are read by the serializer, a page at a time (`function_ids_of`).
        return _disruptions(self.ctx.organization.pk)

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Disruption]]:
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _disruptions_page(organization_id, bottom, top, by_ids)

    @extend_schema(
        summary="Log a disruption",
        description="Marks the reviews of the functions it touches as needing re-confirmation and flags "
        "their partnerships for a trust check; the answer says how many.",
        responses={201: s.DisruptionLoggedSerializer},
        examples=[
            OpenApiExample(
                "A reorg",
                value={
                    "kind": "reorg",
                    "title": "Sales split by region",
                    "occurred_on": "2025-01-15",
                    "functions": [1],
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        effects = disruption_services.disruption_log(
            organization=self.ctx.organization, function_ids=values.pop("functions"), by=request.user, **values
        )
        disruption = self.get_queryset().get(pk=effects.disruption.pk)
        body = {
            "disruption": self.get_serializer(disruption).data,
            "effects": {
                "summary": effects.summary(),
                "reviews_made_stale": effects.reviews_made_stale,
                "reviews_by_function": effects.reviews_by_function,
                "partnerships_flagged": effects.partnerships_flagged,
                "planned": effects.planned,
            },
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- tokens -------------------------------------------------------------------------------------


class TokenObtainView(APIView):
    """Trade an email and password for a new API token, valid API_TOKEN_DAYS days (stored hashed)."""

    authentication_classes: list[Any] = []  # credentials are in the body; no session, so no CSRF
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api-token"

    @extend_schema(
        summary="Get an API token",
        description="Each call issues a new token, shown this once: only its hash is kept. It expires at `expiry`; "
        "list and revoke your tokens with auth/tokens/.",
        request=s.TokenObtainSerializer,
        responses={200: s.TokenIssuedSerializer, **error_responses([400, 429])},
        auth=[],
        examples=[
            OpenApiExample(
                "Demo leader", value={"email": "leader@northwind.test", "password": "demo"}, request_only=True
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request, email=serializer.validated_data["email"], password=serializer.validated_data["password"]
        )
        if user is None:
            # 400 rather than 401: the request is bad, not the credentials of the request.
            raise serializers.ValidationError({"non_field_errors": ["That email and password do not match."]})
        row, key = token_services.token_issue(user=user)
        body = {"token": key, "id": token_services.token_id(row), "created": row.created, "expiry": row.expiry}
        return Response(body)


@extend_schema_view(
    list=extend_schema(summary="Your API tokens"),
    destroy=extend_schema(summary="Revoke one of your API tokens"),
)
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens: list them, revoke one (sign-in gives them: POST auth/token/)."""

    serializer_class = s.TokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination
    filter_backends: list[Any] = []
    lookup_url_kwarg = "token_id"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return token_services.AuthToken.objects.none()
        return token_services.tokens_of(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        rows = [{"id": token_services.token_id(t), "created": t.created, "expiry": t.expiry} for t in page]
        return self.get_paginated_response(s.TokenSerializer(rows, many=True).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not token_services.token_revoke(user=request.user, token_id=self.kwargs["token_id"]):
            raise NotFound("You have no such token.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- pages of the unfiltered lists, prepared (shared.prepared; OrgViewSet.page_rows) ---------------


def _functions(organization_id: int, *, listed: bool = False) -> QuerySet[Function]:
    # A correlated count, computed for the page's rows only: a join and GROUP BY over every
    # person of the organization costs the whole tenant on each page (issue 13 item 9). It is
    # COUNT(*) over the people's (organization, function) index, which it reads alone.
    people = (
        Stakeholder.objects.filter(organization_id=organization_id, function=OuterRef("pk"))
        .order_by()
        .values("function")
    )
    functions = Function.objects.filter(organization_id=organization_id).annotate(
        people_count=Coalesce(Subquery(people.annotate(n=Count("*")).values("n")), 0)
    )
    # A list leaves out the playbook match, the map editor's (the serializer shows neither column).
    return functions.defer("playbook_name", "playbook_hints") if listed else functions


@prepared(shaped=("bottom", "top", "by_ids"))
def _functions_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Function]:
    functions = _functions(organization_id, listed=True)
    return page_of(functions.order_by(*FunctionViewSet.ordering), bottom, top, by_ids)


def _disruptions(organization_id: int) -> QuerySet[Disruption]:
    return Disruption.objects.filter(organization_id=organization_id)


@prepared(shaped=("bottom", "top", "by_ids"))
def _disruptions_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Disruption]:
    return page_of(_disruptions(organization_id).order_by(*DisruptionViewSet.ordering), bottom, top, by_ids)


def _own(model: Any) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


# What a list's row shows of a person's or a link's functions (their serializers): the rest of a
# function's row (its description, its decoded playbook hints) was read for every row of a page.
PEOPLE_LISTED = (*_own(Stakeholder), "function__id", "function__name")
LINKS_LISTED = (*_own(Partnership), "function_a__id", "function_a__name", "function_b__id", "function_b__name")


def _people(organization_id: int, *, listed: bool = False) -> QuerySet[Stakeholder]:
    people = Stakeholder.objects.filter(organization_id=organization_id).select_related("function")
    return people.only(*PEOPLE_LISTED) if listed else people


@prepared(shaped=("bottom", "top", "by_ids"))
def _people_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Stakeholder]:
    people = _people(organization_id, listed=True)
    return page_of(people.order_by(*StakeholderViewSet.ordering), bottom, top, by_ids)


def _links(organization_id: int, *, listed: bool = False) -> QuerySet[Partnership]:
    links = Partnership.objects.filter(
        organization_id=organization_id, function_a__organization_id=organization_id
    ).select_related("function_a", "function_b")
    return links.only(*LINKS_LISTED) if listed else links


@prepared(shaped=("bottom", "top", "by_ids"))
def _links_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Partnership]:
    links = _links(organization_id, listed=True)
    return page_of(links.order_by(*PartnershipViewSet.ordering), bottom, top, by_ids)
