"""Merging one function into another (a scenario step, DESIGN §10): it spans both apps — the
function's people and aliases (roles) and its cells on every product (layers) — so it lives on
the upper side (DESIGN §9: roles never imports layers). Splitting a function touches people only
and stays in `roles.services.functions.function_split`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from roles import hooks, web_cache
from roles.history import recorded_by
from roles.models import Function, FunctionAlias, Partnership, Stakeholder
from roles.services.functions import move_people
from wholeproduct.errors import DomainError

from ..models import Assignment
from .assignments import assignment_clear, assignment_set


@dataclass(frozen=True)
class MergedFunction:
    name: str
    people_moved: int
    cells_moved: int  # cells the target had not: they now hold the target, with the same emphasis
    cells_dropped: int  # cells the target already had on that layer of that product: its own stays
    partnerships_removed: int


@transaction.atomic
def function_merge(*, function: Function, into: Function, by: Any = None) -> MergedFunction:
    """Merge `function` into `into`: its people join `into`; each of its assignments moves to
    `into` where `into` has none on that layer of that product, and is dropped where it has one
    (the target's own cell is kept as it is, so a lead of the merged function is lost there);
    its partnerships go with it; its name and aliases become aliases of `into`.

    Kept small on purpose: assignments go through the assignment services (history rows, the
    read model's hooks), people move through `roles.services.functions.move_people`, as `function_delete` moves them.
    The merged function's own cell histories (`AssignmentChange`) go with it, as on a deletion.
    """
    if into.organization_id != function.organization_id:
        raise DomainError("That function is not in this organization.", fields={"into": ["Choose a function."]})
    if into.pk == function.pk:
        raise DomainError("Choose another function to merge it into.", fields={"into": ["Choose another function."]})
    ours = list(Assignment.objects.select_related("product", "layer").filter(function=function).order_by("pk"))
    theirs = set(Assignment.objects.filter(function=into).values_list("product_id", "layer_id"))
    moved = dropped = 0
    for cell in ours:
        assignment_clear(product=cell.product, function=function, layer=cell.layer, by=by)
        if (cell.product_id, cell.layer_id) in theirs:
            dropped += 1
            continue
        assignment_set(
            product=cell.product,
            function=into,
            layer=cell.layer,
            emphasis=cell.emphasis,
            contribution=cell.contribution,
            by=by,
            source=cell.source,
        )
        moved += 1
    people = list(Stakeholder.objects.filter(function=function))
    move_people(people, to=into, by=by)
    FunctionAlias.objects.filter(function=function).update(function=into)
    if not FunctionAlias.objects.filter(organization_id=function.organization_id, label__iexact=function.name).exists():
        FunctionAlias.objects.create(organization_id=function.organization_id, function=into, label=function.name)
    links = Partnership.objects.filter(organization_id=function.organization_id)
    touching = links.filter(Q(function_a=function) | Q(function_b=function))
    removed = touching.count()  # delete() would count their check-ins too
    touching.delete()
    name = function.name
    web_cache.changed(function.organization_id)
    recorded_by(function, by).delete()
    hooks.people_changed(organization_id=into.organization_id, function_ids=[into.pk])
    hooks.functions_changed(organization_id=into.organization_id, created=False)
    return MergedFunction(name, len(people), moved, dropped, removed)
