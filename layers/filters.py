"""Filters of the product side's API lists (django-filter); ids are scoped as in roles.filters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from roles.filters import BooleanFilter, function_filter
from roles.models import Stakeholder

from .models import Assignment, CoverageReport, Layer, Product, Review


class ProductFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)

    class Meta:
        model = Product
        fields = ["name"]


class AssignmentFilter(django_filters.FilterSet):
    layer = django_filters.MultipleChoiceFilter(field_name="layer__key", choices=Layer.Key.choices)
    emphasis = django_filters.ChoiceFilter(choices=Assignment.Emphasis.choices)
    source = django_filters.MultipleChoiceFilter(choices=Assignment.Source.choices)
    function = function_filter()

    class Meta:
        model = Assignment
        fields = ["layer", "emphasis", "source", "function"]


class ReportFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__slug", max_length=50, help_text="A product's slug.")
    trigger = django_filters.ChoiceFilter(choices=CoverageReport.Trigger.choices)
    generated_at = django_filters.DateFromToRangeFilter(
        help_text="generated_at_after=YYYY-MM-DD and/or generated_at_before=YYYY-MM-DD (days inclusive)"
    )

    class Meta:
        model = CoverageReport
        fields = ["product", "trigger", "generated_at"]


def org_people(request: Any) -> QuerySet[Stakeholder]:
    ctx = getattr(request, "ctx", None)
    if ctx is None:
        return Stakeholder.objects.none()
    return Stakeholder.objects.filter(organization=ctx.organization)


class ReviewFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="assignment__product__slug", max_length=50)
    verdict = django_filters.ChoiceFilter(choices=Review.Verdict.choices)
    open = BooleanFilter(method="filter_open", help_text="Disagreements not resolved yet.")
    function = function_filter(field_name="assignment__function")
    stakeholder = django_filters.ModelChoiceFilter(queryset=org_people)

    class Meta:
        model = Review
        fields = ["product", "verdict", "open", "function", "stakeholder"]

    def filter_open(self, queryset: QuerySet[Review], name: str, value: bool) -> QuerySet[Review]:
        open_ = Q(verdict=Review.Verdict.DISAGREE, resolved_at__isnull=True)
        return queryset.filter(open_) if value else queryset.exclude(open_)
