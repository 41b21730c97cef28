"""Filters of the organization side's API lists (django-filter).

A filter taking an id only accepts ids of the requester's organization: its queryset
is built per request from `request.ctx` (set by roles.api.permissions.OrgPermission),
so another organization's id is "not one of the available choices" (400), never a
silent match.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from .api.serializers import INVITE_STATES
from .models import Disruption, Function, Partnership, Stakeholder


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); anything else is refused (400) rather than read as "no filter"."""

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise FormValidationError("Give true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-filter's BooleanWidget reads anything but true/false as "no filter"; keep the text.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class FilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value of a typed filter (`?kind=`, `?occurred_on_after=`)
    is refused rather than read as "no filter": the schema says what each value must be."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        """A request that names none of the filters (no parameter starts with a filter's name, its
        range suffixes included) gets the list as it is, without building a filter set: that
        deep-copies every declared filter, and a filter given no value filters nothing anyway."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        empty = {}
        for name, declared in filterset.filters.items():
            if isinstance(declared, django_filters.CharFilter) and not isinstance(declared, BooleanFilter):
                continue  # an empty text is a text
            ranged = isinstance(declared, django_filters.RangeFilter)  # DateFromToRangeFilter among them
            keys = [f"{name}_after", f"{name}_before"] if ranged else [name]
            for key in keys:
                if any(value == "" for value in request.query_params.getlist(key)):
                    empty[key] = ["Give a value, or leave the parameter out."]
        if empty:
            raise ValidationError(empty)
        return filterset


def org_functions(request: Request | None) -> QuerySet[Function]:
    ctx = getattr(request, "ctx", None)
    if ctx is None:
        return Function.objects.none()
    return Function.objects.filter(organization=ctx.organization)


def function_filter(**kwargs: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=org_functions, **kwargs)


class FunctionFilter(django_filters.FilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Function.Category.choices)
    name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=120, help_text="Part of the name, any case."
    )
    parent = function_filter(help_text="Functions directly inside this one.")
    is_external = BooleanFilter()

    class Meta:
        model = Function
        fields = ["category", "name", "parent", "is_external"]


class StakeholderFilter(django_filters.FilterSet):
    function = function_filter()
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact", max_length=254)
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Part of name, email or title."
    )
    invite_state = django_filters.ChoiceFilter(
        choices=[(state, state) for state in INVITE_STATES], method="filter_invite_state"
    )

    class Meta:
        model = Stakeholder
        fields = ["function", "email", "search", "invite_state"]

    def filter_search(self, queryset: QuerySet[Stakeholder], name: str, value: str) -> QuerySet[Stakeholder]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value) | Q(title__icontains=value))

    def filter_invite_state(self, queryset: QuerySet[Stakeholder], name: str, value: str) -> QuerySet[Stakeholder]:
        # The states come from the invites service (one rule for pages and API): two queries,
        # whatever the number of people, then an id filter in the database.
        from roles.services.invites import invite_states

        states = invite_states(self.request.ctx.organization)
        if value == "not_invited":
            return queryset.exclude(pk__in=list(states))
        return queryset.filter(pk__in=[pk for pk, state in states.items() if state == value])


class PartnershipFilter(django_filters.FilterSet):
    function = function_filter(method="filter_function", help_text="Partnerships of this function (either side).")
    trust_max = django_filters.NumberFilter(field_name="trust", lookup_expr="lte", min_value=1, max_value=5)
    needs_trust_check = BooleanFilter()
    cadence = django_filters.ChoiceFilter(choices=Partnership.Cadence.choices)

    class Meta:
        model = Partnership
        fields = ["function", "trust_max", "needs_trust_check", "cadence"]

    def filter_function(self, queryset: QuerySet[Partnership], name: str, value: Function) -> QuerySet[Partnership]:
        return queryset.filter(Q(function_a=value) | Q(function_b=value))


class DisruptionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Disruption.Kind.choices)
    function = function_filter(field_name="functions", help_text="Disruptions touching this function.")
    occurred_on = django_filters.DateFromToRangeFilter(
        help_text="occurred_on_after=YYYY-MM-DD and/or occurred_on_before=YYYY-MM-DD"
    )

    class Meta:
        model = Disruption
        fields = ["kind", "function", "occurred_on"]
