"""The product side of /api/v1 (DESIGN §6): layers, products, assignments, suggestions, reviews,
coverage reports and their exports.

Thin views (STYLE §3): serializers validate, the services the pages use write, and
wholeproduct.api_errors turns their refusals into HTTP. Products are addressed by slug and
only the requester's visible products resolve (a stakeholder's own products, DESIGN §5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api.permissions import ApiPagination, OrgAccess, OrgAPIView, OrgViewSet, whole_number
from roles.api.views import VERSION_PARAM, merged, version_param
from roles.rowcounts import page_of
from shared.prepared import prepared

from .. import filters
from ..models import Assignment, Layer, Product
from ..readmodel.gap_page import coverage_page
from ..selectors import products as selectors
from ..selectors.assignment_pages import ORDER, by_layer, listed
from ..selectors.suggestions import ProductSuggestions
from ..services import assignments as assignment_services
from ..services import mapping
from ..services import products as product_services
from ..services import reports as report_services
from . import serializers as s

SLUG = r"[-a-zA-Z0-9_]+"


# --- layers -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The four layers of the Whole Product, from the inside out"),
    retrieve=extend_schema(summary="One layer"),
)
class LayerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The four fixed layers (reference data, the same for every organization)."""

    queryset = Layer.objects.order_by("ring")
    serializer_class = s.LayerSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_field = "key"
    lookup_value_regex = "[a-z]+"


# --- products -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Products (a stakeholder sees their own)"),
    retrieve=extend_schema(summary="One product"),
    create=extend_schema(
        summary="Add a product",
        examples=[
            OpenApiExample(
                "Analytics",
                value={"name": "Northwind Insights 2", "slug": "", "description": "Dashboards", "head": None},
                request_only=True,
            )
        ],
    ),
    update=extend_schema(summary="Change a product"),
    partial_update=extend_schema(summary="Change some fields of a product"),
)
class ProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgViewSet
):
    """Products or product areas; the whole product is mapped per product."""

    model = Product
    serializer_class = s.ProductSerializer
    filterset_class = filters.ProductFilter
    ordering_fields = ["name", "slug", "created_at"]
    ordering = ["name", "pk"]
    lookup_field = "slug"
    lookup_url_kwarg = "product"
    lookup_value_regex = SLUG

    def scoped_queryset(self) -> QuerySet[Product]:
        return selectors.products_for_list(self.ctx)

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Product]] | None:
        if self.ctx.is_stakeholder_only:  # their own products: a few, sliced from the list
            return None
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _products_page(organization_id, bottom, top, by_ids)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = product_services.product_create(
            organization=self.ctx.organization, by=self.request.user, **serializer.validated_data
        )
        return self._fresh(product, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = merged(serializer.validated_data, product, ["name", "slug", "description"])
        values["head"] = serializer.validated_data.get("head", product.head)
        product_services.product_update(product=product, **values)
        return self._fresh(product)


class ProductScoped(OrgAccess):
    """Views under orgs/<org>/products/<product>/: the product, if the requester may see it (else 404)."""

    @cached_property
    def product(self) -> Product:
        product = selectors.product_for(self.ctx, self.kwargs["product"])
        if product is None:
            raise Http404("No such product.")
        return product


# --- assignments --------------------------------------------------------------------------------

ASSIGNMENT_EXAMPLE = OpenApiExample(
    "Customer Success leads the Augmented layer",
    value={"function": 1, "layer": "augmented", "emphasis": "lead", "contribution": "Onboarding and adoption."},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="The map of a product: which function contributes to which layer"),
    retrieve=extend_schema(summary="One assignment"),
    create=extend_schema(
        summary="Assign a function to a layer",
        description="Creates the (function, layer) cell. A cell that exists answers 409 with it; "
        "a second lead of a layer answers 400 (`second_lead`).",
        request=s.AssignmentCreateSerializer,
        responses={201: s.AssignmentSerializer},
        examples=[ASSIGNMENT_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change an assignment",
        description="Send the `version` you read: a stale one answers 409 with the current assignment, "
        "and nothing is written. An omitted `emphasis` or `contribution` keeps its value.",
        request=s.AssignmentUpdateSerializer,
        examples=[OpenApiExample("Make it the lead", value={"version": 1, "emphasis": "lead"}, request_only=True)],
    ),
    destroy=extend_schema(summary="Remove an assignment (its reviews go with it)", parameters=[VERSION_PARAM]),
)
class AssignmentViewSet(
    ProductScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgViewSet,
):
    """The cells of a product's map: (function, layer) with an emphasis, optimistic-locked by `version`."""

    model = Assignment
    serializer_class = s.AssignmentSerializer
    conflict_serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    ordering_fields = ["layer__ring", "function__name", "emphasis", "changed_at"]
    ordering = list(ORDER)
    conflict_actions = frozenset({"create", "partial_update", "destroy"})
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # updates name their version

    def scoped_queryset(self) -> QuerySet[Assignment]:
        return _cells(self.product.pk)

    def paginate_queryset(self, queryset: QuerySet[Any] | Sequence[Any]) -> list[Any] | None:
        """Every cell in the default order (ring, function name, id) is read a layer at a time
        (`by_layer`); a filtered or reordered list slices the list."""
        if self.unfiltered():
            return super().paginate_queryset(by_layer(self.ctx.organization.pk, self.product.pk))
        assert isinstance(queryset, QuerySet)  # the list's own, filtered and ordered
        return super().paginate_queryset(listed(queryset))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.product  # an address naming no product of ours is a 404 before the body is read
        serializer = s.AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        assignment = assignment_services.assignment_set(
            product=product, by=request.user, expected_version=0, **serializer.validated_data
        )
        return self._fresh(assignment, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        serializer = s.AssignmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment_services.assignment_set(
            product=self.product,
            function=assignment.function,
            layer=assignment.layer,
            emphasis=data.get("emphasis", assignment.emphasis),
            contribution=data.get("contribution"),  # None keeps the text
            by=request.user,
            expected_version=data["version"],
        )
        return self._fresh(assignment)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        assignment_services.assignment_clear(
            product=self.product,
            function=assignment.function,
            layer=assignment.layer,
            by=request.user,
            expected_version=version_param(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- suggestions --------------------------------------------------------------------------------


GAPS_PAGE_SIZE = 100  # gaps per answer of the live coverage, unless `gaps_page_size` says otherwise
GAPS_PAGE_SIZE_MAX = 1000


class CoverageView(ProductScoped, OrgAPIView):
    """A product's live coverage, read from the maintained read model (DESIGN §4)."""

    @extend_schema(
        summary="Live coverage of a product: the fields of a report, as of now",
        description="Read from the maintained read model. A report built right after equals it on every "
        "figure. A stakeholder sees only their own products. `gaps` holds one page of the gaps, most "
        "severe first (a large organization has thousands): `gaps_count` says how many there are in "
        "all and `gaps_next` / `gaps_previous` link the neighbouring pages.",
        parameters=[
            OpenApiParameter(
                "gaps_page", OpenApiTypes.INT, required=False, description="The page of gaps, from 1 (default 1)."
            ),
            OpenApiParameter(
                "gaps_page_size",
                OpenApiTypes.INT,
                required=False,
                description=f"Gaps per page, 1 to {GAPS_PAGE_SIZE_MAX} (default {GAPS_PAGE_SIZE}).",
            ),
        ],
        responses={200: s.LiveCoverageSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        number = whole_number(request, "gaps_page", 1)
        size = whole_number(request, "gaps_page_size", GAPS_PAGE_SIZE, most=GAPS_PAGE_SIZE_MAX)
        product = self.product
        start = (number - 1) * size
        page = coverage_page(product, start=start, size=size)
        coverage, total = page.coverage, page.gaps_count
        body = {
            "product": product.slug,
            "product_name": product.name,
            "as_of": page.as_of,
            "score": coverage.score,
            "layer_coverage": coverage.layer_coverage,
            "function_coverage": coverage.function_coverage,
            "review_coverage": coverage.review_coverage,
            "agreement": coverage.agreement,
            "layers": [row.to_dict() for row in coverage.layers],
            "gaps": [gap.to_dict() for gap in coverage.gaps],
            "gaps_count": total,
            "gaps_next": _gaps_link(request, number + 1, size) if start + size < total else None,
            "gaps_previous": _gaps_link(request, number - 1, size) if number > 1 else None,
            "totals": report_services.totals(coverage, people=page.people, gaps_by_severity=page.gaps_by_severity),
        }
        return Response(s.LiveCoverageSerializer(body).data)


def _gaps_link(request: Request, number: int, size: int) -> str:
    query = request.query_params.copy()
    query["gaps_page"] = str(number)
    query["gaps_page_size"] = str(size)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, required=False, description="A page number, from 1."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        required=False,
        description=f"Rows per page (default {ApiPagination.page_size}, at most {ApiPagination.max_page_size}).",
    ),
]


class SuggestionView(ProductScoped, OrgAPIView):
    """The playbook's suggestions for one product (DESIGN §3), and applying them. The list pages as
    every list does (`?page=`, `?page_size=`; count, next, previous, results): a read costs the same
    at any size (layers.selectors.suggestions)."""

    @extend_schema(
        summary="The playbook's suggestions, each with its reason, a page at a time",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=s.SUGGESTION_STATUSES,
                required=False,
                description="Only the suggestions in this state.",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: s.SuggestionPageSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wanted = request.query_params.get("status")
        if wanted not in (None, *s.SUGGESTION_STATUSES):
            raise ValidationError({"status": [f"Choose one of {', '.join(s.SUGGESTION_STATUSES)}."]})
        reader = ProductSuggestions(self.product, go_to_market=self.ctx.organization.go_to_market)
        paginator = ApiPagination()
        size = paginator.get_page_size(request)
        ahead = ((paginator.get_page_number(request, None) - 1) * size, size)  # the page, read with the counts
        window = reader.suggestions(statuses=None if wanted is None else [wanted], ahead=ahead)
        page = paginator.paginate_queryset(window, request, view=self)
        response = paginator.get_paginated_response(s.SuggestionSerializer(page, many=True).data)
        response.data |= {
            "go_to_market": reader.go_to_market,
            "counts": window.tally,
            "unmatched": reader.unmatched().count(),
        }
        return response

    @extend_schema(
        summary="Apply suggestions: all of them, or the chosen cells",
        description="Never overwrites a manual assignment nor makes a second lead; applying twice changes nothing.",
        request=s.ApplySerializer,
        responses={200: s.ApplyResultSerializer},
        examples=[
            OpenApiExample("All", value={"all": True}, request_only=True),
            OpenApiExample("Some", value={"cells": [{"function": 1, "layer": "core"}]}, request_only=True),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ApplySerializer(data=request.data, context={"organization": self.ctx.organization})
        serializer.is_valid(raise_exception=True)
        cells = serializer.validated_data.get("cells")
        only = None if cells is None else [(cell["function"].pk, cell["layer"].key) for cell in cells]
        result = mapping.apply(product=self.product, by=request.user, only=only)
        return Response(s.ApplyResultSerializer(result.as_dict()).data)


class UnmatchedView(ProductScoped, OrgAPIView):
    """The functions the playbook does not know, with the closest playbook names: map them by hand."""

    @extend_schema(
        summary="Functions the playbook has no suggestion for, a page at a time",
        parameters=PAGE_PARAMETERS,
        responses={200: s.UnmatchedPageSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = ProductSuggestions(self.product, go_to_market=self.ctx.organization.go_to_market)
        paginator = ApiPagination()
        page = paginator.paginate_queryset(reader.unmatched(), request, view=self)
        return paginator.get_paginated_response(s.UnmatchedSerializer(page, many=True).data)


# --- reviews ------------------------------------------------------------------------------------


# --- reports ------------------------------------------------------------------------------------


@prepared(shaped=("bottom", "top", "by_ids"))
def _products_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Product]:
    """A page of every product in the list's default order (`ProductViewSet.page_rows`)."""
    products = selectors.every_product_for_list(organization_id).order_by(*ProductViewSet.ordering)
    return page_of(products, bottom, top, by_ids)


def _cells(product_id: int) -> QuerySet[Assignment]:
    return Assignment.objects.filter(product_id=product_id).select_related("function", "layer")
