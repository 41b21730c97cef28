"""Writes of functions: create, edit, delete (with an explicit choice for their people)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from wholeproduct.errors import Conflict, DomainError, save_or_explain

from .. import hooks, web_cache
from ..history import recorded_by
from ..models import Function, Organization, Stakeholder
from ..selectors import functions as selectors
from . import playbook_matches

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
    hooks.functions_changed(organization_id=organization.pk)
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
    reordered = renamed != function.name or category != function.category  # where it sits on a ring
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
    function = _save(function)
    if reordered:
        hooks.functions_renamed(organization_id=organization.pk, function_ids=[function.pk])
    return function


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
        moved = move_people(list(people), to=move_people_to)
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
        hooks.people_changed(organization_id=function.organization_id, function_ids=[move_people_to.pk])
    hooks.functions_changed(organization_id=function.organization_id, created=False)
    return DeletedFunction(name=name, people_moved=moved, people_deleted=deleted, assignments_deleted=assignments)


def _check_move_target(function: Function, target: Function) -> None:
    if target.organization_id != function.organization_id:
        raise DomainError("That function is not in this organization.", fields={"move_to": ["Choose a function."]})
    if target.pk == function.pk:
        message = "Choose another function: this one is being deleted."
        raise DomainError(message, fields={"move_to": [message]})


def move_people(people: list[Stakeholder], *, to: Function, by: Any = None) -> int:
    """Move these people into `to`: one UPDATE per batch, and a history row for each person (the
    activity log), recorded as `by`'s. The caller calls the read model's hook for both ends."""
    now = timezone.now()
    for person in people:
        person.function, person.updated_at = to, now
    user = by if getattr(by, "pk", None) else None
    bulk_update_with_history(people, Stakeholder, ["function", "updated_at"], batch_size=500, default_user=user)
    return len(people)


def people_phrase(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


# --- merge and split (issue 18: what a scenario applies) -----------------------------------------------


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
    move_people(people, to=new, by=by)
    hooks.people_changed(organization_id=function.organization_id, function_ids=[function.pk, new.pk])
    return new
