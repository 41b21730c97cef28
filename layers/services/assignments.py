"""Writes to assignment cells (DESIGN §2): one (product, function, layer) at a time.

Every write is optimistic-locked (`expected_version`: None skips the check, 0 means
"I saw no assignment there"), keeps RACI's one lead per (product, layer) both in
Python and through the database constraint (a race ends in the same error), and
records an AssignmentChange so each cell has a history.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from layers.models import Assignment, AssignmentChange, Layer, Product
from layers.readmodel import hooks as readmodel
from roles.models import Function
from wholeproduct.errors import Conflict, DomainError

CONTRIBUTION_MAX = Assignment._meta.get_field("contribution").max_length


class SecondLead(DomainError):
    """A layer of a product already has a lead (RACI's one accountable)."""

    code = "second_lead"


def resolve_layer(layer: Layer | str) -> Layer:
    """Accept a Layer or its key ("core"), so pages and the API can pass either."""
    if isinstance(layer, Layer):
        return layer
    found = Layer.objects.filter(key=layer).first()
    if found is None:
        keys = ", ".join(Layer.Key.values)
        raise DomainError(f"Unknown layer {layer!r}; use one of {keys}.", fields={"layer": [f"Choose one of {keys}."]})
    return found


def snapshot(assignment: Assignment) -> dict[str, Any]:
    """What a history row remembers of an assignment."""
    return {
        "emphasis": assignment.emphasis,
        "contribution": assignment.contribution,
        "source": assignment.source,
        "version": assignment.version,
    }


def second_lead_error(*, lead: Function | str, layer: Layer, product: Product) -> SecondLead:
    detail = f"{lead} already leads the {layer.name} layer of {product.name}"
    hint = f"{detail}. Make this function a contributor, or change the current lead first."
    return SecondLead(detail, fields={"emphasis": [hint]})


def check_same_organization(product: Product, function: Function) -> None:
    if function.organization_id != product.organization_id:
        raise DomainError(
            f"{function.name} belongs to another organization than {product.name}.",
            fields={"function": ["Choose a function of this organization."]},
        )


def _validate(*, emphasis: str, contribution: str | None, source: str) -> None:
    if emphasis not in Assignment.Emphasis.values:
        raise DomainError(
            f"Unknown emphasis {emphasis!r}; use lead or contributor.",
            fields={"emphasis": ["Choose lead or contributor."]},
        )
    if source not in Assignment.Source.values:
        raise DomainError(f"Unknown source {source!r}.", fields={"source": ["Choose playbook, manual or import."]})
    if contribution is not None and len(contribution) > CONTRIBUTION_MAX:
        message = f"Keep the contribution to {CONTRIBUTION_MAX} characters (it has {len(contribution)})."
        raise DomainError(message, fields={"contribution": [message]})


def _lock_cell(product: Product, function: Function, layer: Layer) -> Assignment | None:
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Assignment.objects.select_for_update().filter(product=product, function=function, layer=layer).first()


def _conflict(product: Product, function: Function, layer: Layer, current: Assignment | None) -> Conflict:
    """A stale version: say who changed the cell and when, and hand back what is there now."""
    last = (
        AssignmentChange.objects.select_related("by")
        .filter(product=product, function=function, layer=layer)
        .order_by("-at", "-id")
        .first()
    )
    if current is not None and (last is None or (last.after or {}).get("version") != current.version):
        # Written by something that kept no history: the row itself is the best witness.
        who, when, verb = _person(current.changed_by), current.changed_at, "changed"
    elif last is not None:
        verbs = {"created": "created", "updated": "changed", "deleted": "removed"}
        who, when, verb = _person(last.by), last.at, verbs[last.action]
    else:
        who, when, verb = "Someone", None, "changed"
    stamp = f" on {timezone.localtime(when):%Y-%m-%d at %H:%M %Z}" if when else ""
    detail = (
        f"{who} {verb} the {layer.name} assignment of {function.name}{stamp}, after you loaded it. "
        "Review the current state and try again."
    )
    return Conflict(detail, current=current)


def _person(user: Any) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email or user.get_username()


def _other_lead(product: Product, layer: Layer, function: Function) -> Assignment | None:
    return (
        Assignment.objects.select_related("function")
        .filter(product=product, layer=layer, emphasis=Assignment.Emphasis.LEAD)
        .exclude(function=function)
        .first()
    )


def _record(
    *, assignment: Assignment, action: str, before: dict[str, Any] | None, by: Any, source: str
) -> AssignmentChange:
    return AssignmentChange.objects.create(
        organization_id=assignment.organization_id,
        product_id=assignment.product_id,
        function_id=assignment.function_id,
        layer_id=assignment.layer_id,
        action=action,
        before=before,
        after=None if action == AssignmentChange.Action.DELETED else snapshot(assignment),
        by=by,
        source=source,
    )


def _save_guarded(assignment: Assignment, *, product: Product, layer: Layer, function: Function) -> None:
    """Save, turning a lost race on the database constraints into the domain's errors."""
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        lead = _other_lead(product, layer, function)
        if assignment.emphasis == Assignment.Emphasis.LEAD and lead is not None:
            raise second_lead_error(lead=lead.function, layer=layer, product=product) from exc
        current = Assignment.objects.filter(product=product, function=function, layer=layer).first()
        raise _conflict(product, function, layer, current) from exc


@transaction.atomic
def assignment_set(
    *,
    product: Product,
    function: Function,
    layer: Layer | str,
    emphasis: str,
    contribution: str | None = None,
    by: Any,
    expected_version: int | None = None,
    source: str = "manual",
) -> Assignment:
    """Create or update the (product, function, layer) cell.

    `contribution=None` keeps the current text. A write that changes nothing
    returns the assignment untouched (no version bump, no history row).
    """
    layer = resolve_layer(layer)
    check_same_organization(product, function)
    _validate(emphasis=emphasis, contribution=contribution, source=source)
    current = _lock_cell(product, function, layer)
    if expected_version is not None and expected_version != (current.version if current else 0):
        raise _conflict(product, function, layer, current)
    if emphasis == Assignment.Emphasis.LEAD and (current is None or current.emphasis != emphasis):
        lead = _other_lead(product, layer, function)
        if lead is not None:
            raise second_lead_error(lead=lead.function, layer=layer, product=product)
    if current is None:
        return _create(product, function, layer, emphasis, contribution or "", by, source)
    return _update(current, product, function, layer, emphasis, contribution, by, source)


def _create(
    product: Product, function: Function, layer: Layer, emphasis: str, contribution: str, by: Any, source: str
) -> Assignment:
    assignment = Assignment(
        organization_id=product.organization_id,
        product=product,
        function=function,
        layer=layer,
        emphasis=emphasis,
        contribution=contribution,
        source=source,
        version=1,
        changed_by=by,
    )
    _save_guarded(assignment, product=product, layer=layer, function=function)
    _record(assignment=assignment, action=AssignmentChange.Action.CREATED, before=None, by=by, source=source)
    _changed(product, function)
    return assignment


def _update(
    current: Assignment,
    product: Product,
    function: Function,
    layer: Layer,
    emphasis: str,
    contribution: str | None,
    by: Any,
    source: str,
) -> Assignment:
    new_contribution = current.contribution if contribution is None else contribution
    meaning_changed = emphasis != current.emphasis or new_contribution != current.contribution
    if not meaning_changed and source == current.source:
        return current
    before = snapshot(current)
    current.emphasis, current.contribution, current.source = emphasis, new_contribution, source
    current.version += 1
    if meaning_changed:
        # Only a change of meaning makes reviews stale; a source change alone does not.
        current.changed_at, current.changed_by = timezone.now(), by
    _save_guarded(current, product=product, layer=layer, function=function)
    _record(assignment=current, action=AssignmentChange.Action.UPDATED, before=before, by=by, source=source)
    _changed(product, function)
    return current


@transaction.atomic
def assignment_clear(
    *,
    product: Product,
    function: Function,
    layer: Layer | str,
    by: Any,
    expected_version: int | None = None,
) -> None:
    """Remove the cell's assignment (its reviews go with it). Clearing an empty cell is a no-op."""
    layer = resolve_layer(layer)
    check_same_organization(product, function)
    current = _lock_cell(product, function, layer)
    if expected_version is not None and expected_version != (current.version if current else 0):
        raise _conflict(product, function, layer, current)
    if current is None:
        return
    before = snapshot(current)
    current.delete()
    # A clear is a leader's hand at work, whatever wrote the assignment in the first place.
    _record(assignment=current, action=AssignmentChange.Action.DELETED, before=before, by=by, source="manual")
    _changed(product, function)


def _changed(product: Product, function: Function) -> None:
    readmodel.assignments_changed(
        organization_id=product.organization_id, product_id=product.pk, function_ids=[function.pk]
    )


@transaction.atomic
def assignment_replace_lead(
    *,
    product: Product,
    function: Function,
    layer: Layer | str,
    by: Any,
    expected_version: int | None = None,
) -> tuple[Assignment, Assignment | None]:
    """Make `function` the layer's lead in one step: the current lead stays on as a contributor.

    Both writes go through `assignment_set` in one transaction (two history rows, one per
    cell), so RACI's one lead holds at every moment and a failure leaves both cells as they were.
    Returns (the new lead, the former lead now contributing, or None when there was none).
    """
    layer = resolve_layer(layer)
    check_same_organization(product, function)
    former = _other_lead(product, layer, function)
    demoted = None
    if former is not None:
        demoted = assignment_set(
            product=product, function=former.function, layer=layer, emphasis=Assignment.Emphasis.CONTRIBUTOR, by=by
        )
    lead = assignment_set(
        product=product,
        function=function,
        layer=layer,
        emphasis=Assignment.Emphasis.LEAD,
        by=by,
        expected_version=expected_version,
    )
    return lead, demoted


class UndoRefused(DomainError):
    """A change cannot be undone: a cell moved on since, or the change is not this product's."""

    code = "undo_refused"
    status = 409


@transaction.atomic
def undo_changes(*, product: Product, change_ids: list[int], by: Any) -> list[AssignmentChange]:
    """Put the cells of these changes back as they were before them, newest change first.

    The undo is itself recorded (history keeps both steps). Each cell must still be as the
    change left it: if anyone changed it since, nothing is undone (UndoRefused names the cell).
    """
    changes = list(
        AssignmentChange.objects.select_related("function", "layer")
        .filter(product=product, pk__in=change_ids)
        .order_by("-id")
    )
    if not changes or len(changes) != len(set(change_ids)):
        raise UndoRefused("There is nothing to undo: the change is no longer known.")
    mark = AssignmentChange.objects.filter(product=product).order_by("-id").values_list("id", flat=True).first() or 0
    for change in changes:
        _restore(product, change, by)
    return list(AssignmentChange.objects.filter(product=product, pk__gt=mark).order_by("id"))


def _restore(product: Product, change: AssignmentChange, by: Any) -> None:
    left = (change.after or {}).get("version", 0)
    cell = {"product": product, "function": change.function, "layer": change.layer, "by": by}
    try:
        if change.before is None:
            assignment_clear(**cell, expected_version=left)
        else:
            assignment_set(
                **cell,
                emphasis=change.before["emphasis"],
                contribution=change.before.get("contribution", ""),
                source=change.before.get("source", Assignment.Source.MANUAL),
                expected_version=left,
            )
    except Conflict as error:
        detail = f"{change.function.name} on the {change.layer.name} changed since, so nothing was undone."
        raise UndoRefused(detail) from error
