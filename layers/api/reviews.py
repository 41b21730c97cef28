"""The API of reviews (DESIGN §5): list, read, and a stakeholder's verdict or a leader's resolution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api.permissions import OrgViewSet
from roles.permissions import Perm
from roles.rowcounts import page_of
from shared.prepared import prepared

from .. import filters
from ..models import Assignment, Review
from ..selectors import products as selectors
from ..selectors.reviews import CARD_COLUMNS, visible_reviews, with_parents
from ..services import reviews as review_services
from . import serializers as s


@extend_schema_view(
    list=extend_schema(summary="Reviews (leaders: all; a stakeholder: their own)"),
    retrieve=extend_schema(summary="One review"),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Stakeholders' verdicts on their own function's assignments; leaders resolve disagreements."""

    model = Review
    serializer_class = s.ReviewSerializer
    conflict_serializer_class = s.AssignmentSerializer
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]
    action_perms = {"create": Perm.REVIEW, "resolve": Perm.RESOLVE}
    conflict_actions = frozenset({"resolve"})

    filterset_class = filters.ReviewFilter

    def scoped_queryset(self) -> QuerySet[Review]:
        # The assignments' layers are read apart (one read of the four-row layer table, whenever
        # the page has a review): joined too, the page's statement of seven tables took PostgreSQL
        # 5-8 ms to plan for 1 ms of work, against 2-3 ms with six.
        return _with_cards(visible_reviews(self.ctx), listed=self.action == "list")

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[Review]] | None:
        if not self.ctx.can_resolve:  # a stakeholder's own reviews: the list as it is
            return None
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _reviews_page(organization_id, bottom, top, by_ids)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """A review or page of reviews to show gets its product and layers from the organization's
        products and the layer table (`with_parents`: two prepared reads), as the inbox's cards do."""
        shown = args[0] if args and "data" not in kwargs else None
        rows = shown if isinstance(shown, list) else [shown] if isinstance(shown, Review) else []
        with_parents([row for row in rows if isinstance(row, Review)])
        return super().get_serializer(*args, **kwargs)

    def serialize_current(self, current: Any) -> Any:
        return s.AssignmentSerializer(current).data if isinstance(current, Assignment) else None

    @extend_schema(
        summary="Review an assignment of your own function: agree, or disagree and say why",
        request=s.ReviewCreateSerializer,
        responses={201: s.ReviewSerializer},
        examples=[
            OpenApiExample(
                "Disagree",
                value={
                    "assignment": 1,
                    "verdict": "disagree",
                    "comment": "We also run onboarding.",
                    "suggested_layer": "augmented",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = self.ctx.stakeholder
        if person is None:
            raise PermissionDenied("Only a person of a function can review: your login is linked to no person here.")
        assignment = (
            Assignment.objects.select_related("product", "layer", "function")
            .filter(pk=data["assignment"], product__in=selectors.visible_products(self.ctx))
            .first()
        )
        if assignment is None:
            raise ValidationError({"assignment": ["No such assignment in your products."]})
        if assignment.function_id != person.function_id:
            raise PermissionDenied(f"You review {person.function.name}'s assignments only.")
        review = review_services.review_submit(
            assignment=assignment,
            stakeholder=person,
            verdict=data["verdict"],
            comment=data["comment"],
            suggested_layer=data["suggested_layer"],
        )
        return self._fresh(review, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Resolve a dispute: keep the assignment with a note, or change it",
        request=s.ResolveSerializer,
        responses={200: s.ReviewSerializer},
        examples=[
            OpenApiExample("Keep", value={"action": "keep", "note": "Onboarding stays with CS."}, request_only=True),
            OpenApiExample(
                "Change",
                value={"action": "change", "emphasis": "lead", "contribution": "", "version": 1},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()
        serializer = s.ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "keep":
            review_services.dispute_keep(review=review, note=data["note"], by=request.user)
        else:
            assignment = review.assignment
            review_services.dispute_change(
                review=review,
                emphasis=data.get("emphasis", assignment.emphasis),
                contribution=data.get("contribution", assignment.contribution),
                add_suggested_layer=data["add_suggested_layer"],
                note=data["note"],
                expected_version=data["version"],
                by=request.user,
            )
        return self._fresh(review)


def _with_cards(reviews: QuerySet[Review], *, listed: bool) -> QuerySet[Review]:
    """What a review's answer names, the four tables the page joins; the product and the layers
    (a few rows each, whatever the organization's size) are attached before it is serialized
    (`ReviewViewSet.get_serializer`): joined with the rest, the page's statement of six tables took
    PostgreSQL 3.4 ms to plan for under 1 ms of work, against 1.1 ms with four (EXPLAIN (SUMMARY)
    at 5,000 functions), and prefetched they were three statements built on every request. A list
    reads only the columns a card shows (`listed`; `CARD_COLUMNS`, the inbox's): a function's
    description and decoded playbook hints, a person's dates, were read for every row. One review
    read to be resolved is read whole (the service writes it)."""
    chosen = reviews.select_related("assignment__function", "stakeholder")
    return chosen.only(*CARD_COLUMNS) if listed else chosen


@prepared(shaped=("bottom", "top", "by_ids"))
def _reviews_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Review]:
    """A page of every review of the organization (what leaders list) in the default order."""
    reviews = _with_cards(Review.objects.filter(organization_id=organization_id), listed=True)
    return page_of(reviews.order_by(*ReviewViewSet.ordering), bottom, top, by_ids)
