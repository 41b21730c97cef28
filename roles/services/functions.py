"""Writes of functions: create, edit, delete (with an explicit choice for their people)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from layers.readmodel import hooks as readmodel
from layers.services import playbook_matches
from wholeproduct.errors import Conflict, DomainError, save_or_explain

from .. import selectors, web_cache
from ..history import recorded_by
from ..models import Function, Organization, Stakeholder

NAME_MAX = Function._meta.get_field("name").max_length


def _duplicate_name(existing: Function) -> DomainError:
    message = f"A function named '{existing.name}' already exists."
    return DomainError(message, fields={"name": [message]})


def _clean_name(organization: Organization, name: str, *, exclude_pk: int | None) -> str:
    name = " ".join(name.split())  # "Customer  Success " and "Customer Success" are one function
    if not name:
        raise DomainError("Give the function a name.", fields={"name": ["Give the function a name."]})
    if len(name) > NAME_MAX:
        message = f"Keep the name under {NAME_MAX} characters."
        raise DomainError(message, fields={"name": [message]})
    existing = selectors.function_name_taken(organization, name, exclude_pk=exclude_pk)
    if existing is not None:
        raise _duplicate_name(existing)
    return name


def _check_category(category: str) -> None:
    if category not in Function.Category.values:
        message = f"'{category}' is not a category; choose one of {', '.join(Function.Category.labels)}."
        raise DomainError(message, fields={"category": [message]})


def _check_parent(organization: Organization, function: Function | None, parent: Function | None) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.pk:
        raise DomainError("That function is not in this organization.", fields={"parent": ["Choose a function."]})
    if function is None or not function.pk:
        return
    if parent.pk == function.pk or parent.pk in selectors.descendant_ids(function):
        message = f"'{parent.name}' is inside '{function.name}', so it cannot contain it."
        if parent.pk == function.pk:
            message = "A function cannot be inside itself."
        raise DomainError(message, fields={"parent": [message]})


def _save(function: Function) -> Function:
    def explain() -> DomainError | None:
        existing = selectors.function_name_taken(function.organization, function.name, exclude_pk=function.pk)
        return None if existing is None else _duplicate_name(existing)

    return save_or_explain(function, explain)


@transaction.atomic
def function_create(
    *,
    organization: Organization,
    name: str,
    category: str,
    is_external: bool = False,
    description: str = "",
    parent: Function | None = None,
    by: Any = None,
) -> Function:
    name = _clean_name(organization, name, exclude_pk=None)
    _check_category(category)
    _check_parent(organization, None, parent)
    function = Function(
        organization=organization,
        name=name,
        category=category,
        is_external=is_external,
        description=description.strip(),
        parent=parent,
        created_by=by if getattr(by, "pk", None) else None,
    )
    playbook_matches.stamp(function)
    web_cache.changed(organization.pk)
    function = _save(recorded_by(function, by))
    readmodel.functions_changed(organization_id=organization.pk)
    return function


@transaction.atomic
def function_update(
    *,
    function: Function,
    name: str,
    category: str,
    is_external: bool,
    description: str,
    parent: Function | None,
) -> Function:
    organization = function.organization
    renamed = _clean_name(organization, name, exclude_pk=function.pk)
    if renamed != function.name or function.playbook_name is None:
        function.name = renamed
        playbook_matches.stamp(function)
    _check_category(category)
    _check_parent(organization, function, parent)
    function.category = category
    function.is_external = is_external
    function.description = description.strip()
    function.parent = parent
    web_cache.changed(organization.pk)
    return _save(function)


@dataclass(frozen=True)
class DeletedFunction:
    name: str
    people_moved: int
    people_deleted: int
    assignments_deleted: int


@transaction.atomic
def function_delete(
    *,
    function: Function,
    move_people_to: Function | None = None,
    delete_people: bool = False,
    people_confirmed: int | None = None,
) -> DeletedFunction:
    """Delete a function and its assignments; its people are moved or deleted, never silently.

    `people_confirmed` is the head count the leader saw when ticking "delete them
    too": if people joined meanwhile the deletion is refused rather than taking
    them along unseen.
    """
    people = Stakeholder.objects.filter(function=function)
    count = people.count()
    if move_people_to is not None and delete_people:
        raise DomainError("Either move the people or delete them, not both.")
    moved = deleted = 0
    if count and move_people_to is not None:
        _check_move_target(function, move_people_to)
        movers, now = list(people), timezone.now()
        for person in movers:
            person.function, person.updated_at = move_people_to, now
        # One UPDATE per batch, and a history row for each person (the activity log).
        bulk_update_with_history(movers, Stakeholder, ["function", "updated_at"], batch_size=500)
        moved = len(movers)
    elif count and delete_people:
        if people_confirmed != count:
            raise Conflict(
                f"{function.name} now has {people_phrase(count)}, not {people_confirmed}. "
                "Review the list and confirm again."
            )
        deleted = count
        people.delete()
    elif count:
        raise DomainError(
            f"{function.name} has {people_phrase(count)}. Move them to another function or delete them too.",
            fields={"move_to": [f"Choose where the {people_phrase(count)} go, or tick 'delete them too'."]},
        )
    assignments = function.assignments.count()
    name = function.name
    web_cache.changed(function.organization_id)
    try:
        function.delete()
    except ProtectedError:
        # Someone added a person between our count and the delete.
        raise Conflict(f"Someone just added people to {name}. Review and confirm again.") from None
    if moved:
        readmodel.people_changed(organization_id=function.organization_id, function_ids=[move_people_to.pk])
    readmodel.functions_changed(organization_id=function.organization_id)
    return DeletedFunction(name=name, people_moved=moved, people_deleted=deleted, assignments_deleted=assignments)


def _check_move_target(function: Function, target: Function) -> None:
    if target.organization_id != function.organization_id:
        raise DomainError("That function is not in this organization.", fields={"move_to": ["Choose a function."]})
    if target.pk == function.pk:
        message = "Choose another function: this one is being deleted."
        raise DomainError(message, fields={"move_to": [message]})


def people_phrase(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


# --- merge and split (issue 18: what a scenario applies) -----------------------------------------------


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
    read model's hooks), people move in bulk with their history rows, as `function_delete` moves them.
    The merged function's own cell histories (`AssignmentChange`) go with it, as on a deletion.
    """
    from layers.models import Assignment
    from layers.services.assignments import assignment_clear, assignment_set

    from ..models import FunctionAlias, Partnership

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
    now = timezone.now()
    for person in people:
        person.function, person.updated_at = into, now
    user = by if getattr(by, "pk", None) else None
    bulk_update_with_history(people, Stakeholder, ["function", "updated_at"], batch_size=500, default_user=user)
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
    readmodel.people_changed(organization_id=into.organization_id, function_ids=[into.pk])
    readmodel.functions_changed(organization_id=into.organization_id)
    return MergedFunction(name, len(people), moved, dropped, removed)


@transaction.atomic
def function_split(
    *,
    function: Function,
    name: str,
    people: list[Stakeholder],
    category: str | None = None,
    by: Any = None,
) -> Function:
    """Create a function beside `function` (same category unless given; mapped nowhere yet) and
    move the listed people of `function` into it."""
    if not people:
        raise DomainError("Choose the people who move to the new function.", fields={"people": ["Choose people."]})
    strangers = [p.full_name for p in people if p.function_id != function.pk]
    if strangers:
        message = f"{strangers[0]} is not in {function.name}."
        raise DomainError(message, fields={"people": [message]})
    new = function_create(
        organization=function.organization,
        name=name,
        category=category or function.category,
        is_external=function.is_external,
        parent=function.parent,
        by=by,
    )
    now = timezone.now()
    for person in people:
        person.function, person.updated_at = new, now
    user = by if getattr(by, "pk", None) else None
    bulk_update_with_history(people, Stakeholder, ["function", "updated_at"], batch_size=500, default_user=user)
    readmodel.people_changed(organization_id=function.organization_id, function_ids=[function.pk, new.pk])
    return new
