"""`roles.services.functions.function_merge` and `function_split`, the services a scenario applies."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from layers.models import Assignment, AssignmentChange, Product
from layers.readmodel.oracle import coverage_differences
from roles.models import Function, FunctionAlias, Organization, Partnership, Stakeholder
from roles.services.functions import function_merge, function_split
from wholeproduct.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind(db):
    call_command("seed_demo", verbosity=0)
    return Organization.objects.get(slug="northwind")


def _fn(org, name):
    return Function.objects.get(organization=org, name=name)


def test_merge_moves_people_and_cells_the_target_lacks_and_keeps_the_targets_own(northwind):
    cs, sales = _fn(northwind, "Customer Success"), _fn(northwind, "Sales & Account Management")
    insights = Product.objects.get(organization=northwind, slug="insights")
    ours = dict(Assignment.objects.filter(function=cs).values_list("layer__key", "emphasis"))
    theirs_before = dict(Assignment.objects.filter(function=sales).values_list("layer__key", "emphasis"))
    people = Stakeholder.objects.filter(function=cs).count()
    links = Partnership.objects.filter(function_a=cs).count() + Partnership.objects.filter(function_b=cs).count()
    leader = northwind.memberships.get(access="leader").user
    mark = AssignmentChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    merged = function_merge(function=cs, into=sales, by=leader)

    theirs_after = dict(Assignment.objects.filter(function=sales).values_list("layer__key", "emphasis"))
    assert theirs_after == {**{k: v for k, v in ours.items() if k not in theirs_before}, **theirs_before}
    assert merged.people_moved == people and Stakeholder.objects.filter(function=sales).count() >= people
    assert merged.cells_dropped == len(set(ours) & set(theirs_before))
    assert merged.partnerships_removed == links
    assert FunctionAlias.objects.filter(function=sales, label="Customer Success").exists()
    written = AssignmentChange.objects.filter(pk__gt=mark, by=leader)
    assert written.filter(function=sales, action="created").count() == merged.cells_moved
    assert merged.cells_moved + merged.cells_dropped == len(ours)
    assert not Function.objects.filter(pk=cs.pk).exists()
    assert coverage_differences(insights) == []  # the read model followed


def test_merge_refuses_itself_and_another_organizations_function(northwind):
    cs = _fn(northwind, "Customer Success")
    with pytest.raises(DomainError, match="another function"):
        function_merge(function=cs, into=cs)
    elsewhere = Function.objects.exclude(organization=northwind).first()
    with pytest.raises(DomainError, match="not in this organization"):
        function_merge(function=cs, into=elsewhere)


def test_split_creates_the_function_and_moves_only_the_listed_people(northwind):
    cs = _fn(northwind, "Customer Success")
    movers = list(Stakeholder.objects.filter(function=cs).order_by("pk")[:2])
    stayers = Stakeholder.objects.filter(function=cs).count() - 2
    new = function_split(function=cs, name="Renewals", people=movers)
    assert (new.category, new.parent_id) == (cs.category, cs.parent_id)
    assert set(Stakeholder.objects.filter(function=new)) == set(movers)
    assert Stakeholder.objects.filter(function=cs).count() == stayers
    assert not Assignment.objects.filter(function=new).exists()
    for product in Product.objects.filter(organization=northwind):
        assert coverage_differences(product) == []
    stranger = Stakeholder.objects.exclude(function=cs).filter(organization=northwind).first()
    with pytest.raises(DomainError, match="is not in Customer Success"):
        function_split(function=cs, name="Other", people=[stranger])
