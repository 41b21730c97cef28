"""The mapping service (DESIGN §3): playbook suggestions for a product, and applying them.

`suggest` reads a constant number of queries, matches every function of the
organization to the playbook and gives each suggestion a status against what is
already mapped. `apply` writes the chosen ones in one transaction with bulk
statements; it never touches a manual assignment, never makes a second lead, and
applying twice changes nothing. `dismiss` remembers a leader's "no" per cell.

Both share one pure planner (`_plan`), so what `suggest` shows is what `apply` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.playbook.model import LayerRule, PlaybookEntry
from domain.playbook.suggestions import APPLIED, DIFFERS, DISMISSED, LEAD_TAKEN, MANUAL, NEW, STATUSES
from layers.models import Assignment, AssignmentChange, DismissedSuggestion, Layer, Product
from layers.readmodel import hooks as readmodel
from layers.services.assignments import check_same_organization, resolve_layer, snapshot
from roles.models import Function, Organization
from roles.services import playbook_matches
from wholeproduct.errors import Conflict

LEAD = Assignment.Emphasis.LEAD

Cell = tuple[int, str]  # (function_id, layer_key)


@dataclass(frozen=True)
class Suggestion:
    function_id: int
    function_name: str
    category: str  # the function's own category (what its chip shows), not the playbook's
    layer_key: str
    emphasis: str
    reason: str
    playbook_name: str
    status: str  # one of STATUSES
    note: str = ""  # why it will not be applied as is (lead_taken, manual, differs), for the page

    @property
    def cell(self) -> Cell:
        return (self.function_id, self.layer_key)

    @property
    def actionable(self) -> bool:
        """Whether apply() would write it."""
        return self.status in (NEW, DIFFERS)


@dataclass(frozen=True)
class Unmatched:
    function_id: int
    function_name: str
    hints: list[str]
    mapped_layers: tuple[str, ...] = ()  # layers it already has by hand, so the page can say "done"


@dataclass
class SuggestionSet:
    suggestions: list[Suggestion]
    unmatched: list[Unmatched]
    go_to_market: str = ""

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(STATUSES, 0)
        for suggestion in self.suggestions:
            tally[suggestion.status] += 1
        return tally


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_manual: int = 0
    conflicts: list[str] = field(default_factory=list)
    skipped_dismissed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    """Everything the planner needs, read in a constant number of queries."""

    product: Product
    go_to_market: str
    functions: list[Function]
    layers: dict[str, Layer]
    assignments: dict[Cell, Assignment]
    dismissed: set[Cell]


def _load(product: Product, *, lock: bool = False) -> _State:
    go_to_market = Organization.objects.values_list("go_to_market", flat=True).get(pk=product.organization_id)
    layers = {layer.key: layer for layer in Layer.objects.all()}
    key_of = {layer.pk: key for key, layer in layers.items()}
    functions = list(
        Function.objects.filter(organization_id=product.organization_id).only(
            "id", "name", "category", "organization", "playbook_name", "playbook_hints"
        )
    )
    rows = Assignment.objects.filter(product=product)
    if lock:
        rows = rows.select_for_update()
    assignments = {(row.function_id, key_of[row.layer_id]): row for row in rows}
    dismissed = {
        (function_id, key_of[layer_id])
        for function_id, layer_id in DismissedSuggestion.objects.filter(product=product).values_list(
            "function_id", "layer_id"
        )
    }
    return _State(product, go_to_market, functions, layers, assignments, dismissed)


def _order(functions: Iterable[Function]) -> list[Function]:
    # Sorted in Python: databases disagree on how to order "ux" and "UX".
    return sorted(functions, key=lambda function: (function.name.casefold(), function.pk))


def _matches(
    state: _State, *, with_hints: bool = True
) -> tuple[list[tuple[Function, PlaybookEntry, LayerRule]], list[Unmatched]]:
    rings = {key: layer.ring for key, layer in state.layers.items()}
    mapped: dict[int, list[str]] = {}
    for function_id, key in sorted(state.assignments, key=lambda cell: rings[cell[1]]):
        mapped.setdefault(function_id, []).append(key)
    pairs: list[tuple[Function, PlaybookEntry, LayerRule]] = []
    unmatched: list[Unmatched] = []
    for function in _order(state.functions):
        entry = playbook_matches.entry_of(function)  # stored on the function, not matched per load
        if entry is None:
            hints = playbook_matches.hints_of(function) if with_hints else []
            unmatched.append(Unmatched(function.pk, function.name, hints, tuple(mapped.get(function.pk, ()))))
            continue
        pairs.extend((function, entry, rule) for rule in entry.rules_for(state.go_to_market))
    pairs.sort(key=lambda item: (rings[item[2].layer], item[0].name.casefold(), item[0].pk))
    return pairs, unmatched


def _plan(
    state: _State, chosen: set[Cell] | None = None, *, with_hints: bool = True
) -> tuple[list[Suggestion], list[Unmatched]]:
    """Give every suggestion its status. `chosen` limits which ones claim a layer's lead (apply's `only`).

    A pair named in `chosen` overrides its dismissal: the leader picked it explicitly.
    """
    pairs, unmatched = _matches(state, with_hints=with_hints)
    dismissed = state.dismissed - (chosen or set())
    leaders = _leaders_after_demotions(state, pairs, chosen, dismissed)
    names = {function.pk: function.name for function in state.functions}
    suggestions = []
    for function, entry, rule in pairs:
        cell = (function.pk, rule.layer)
        row = state.assignments.get(cell)
        status = _status_before_leads(row, rule, cell, dismissed)
        note = _note(status, row, rule)
        if status in (NEW, DIFFERS) and rule.emphasis == LEAD:
            holder = leaders.get(rule.layer)
            if holder is not None and holder != function.pk:
                status = LEAD_TAKEN
                note = lead_taken_note(names[holder], state.layers[rule.layer].name)
            elif chosen is None or cell in chosen:
                leaders[rule.layer] = function.pk  # first come (ring, then name) claims the lead
        suggestions.append(
            Suggestion(
                function_id=function.pk,
                function_name=function.name,
                category=function.category,
                layer_key=rule.layer,
                emphasis=rule.emphasis,
                reason=rule.reason,
                playbook_name=entry.name,
                status=status,
                note=note,
            )
        )
    return suggestions, unmatched


def lead_taken_note(holder_name: str, layer_name: str) -> str:
    return f"{holder_name} already leads the {layer_name} layer."


def _leaders_after_demotions(
    state: _State,
    pairs: list[tuple[Function, PlaybookEntry, LayerRule]],
    chosen: set[Cell] | None,
    dismissed: set[Cell],
) -> dict[str, int]:
    """Who leads each layer once this plan's demotions are done: a demoted lead frees its layer."""
    leaders = {key: fid for (fid, key), row in state.assignments.items() if row.emphasis == LEAD}
    for function, _entry, rule in pairs:
        cell = (function.pk, rule.layer)
        row = state.assignments.get(cell)
        if row is None or row.emphasis != LEAD or (chosen is not None and cell not in chosen):
            continue
        if _status_before_leads(row, rule, cell, dismissed) == DIFFERS:
            leaders.pop(rule.layer, None)
    return leaders


def _note(status: str, row: Assignment | None, rule: LayerRule) -> str:
    return note_of(status, row.emphasis if row else None, row.source if row else None, rule.emphasis)


def note_of(status: str, row_emphasis: str | None, row_source: str | None, rule_emphasis: str) -> str:
    """Why a suggestion will not be applied as is (manual, differs), from the cell's emphasis and source."""
    if row_emphasis is None:
        return ""
    if status == MANUAL:
        return f"Kept as mapped by hand ({row_emphasis})."
    if status == DIFFERS:
        return f"Currently {row_emphasis} (from {row_source}); applying makes it {rule_emphasis}."
    return ""


def _status_before_leads(row: Assignment | None, rule: LayerRule, cell: Cell, dismissed: set[Cell]) -> str:
    if row is not None and row.emphasis == rule.emphasis:
        return APPLIED
    if cell in dismissed:
        return DISMISSED
    if row is not None and row.source == Assignment.Source.MANUAL:
        return MANUAL
    return DIFFERS if row is not None else NEW


def suggest(*, product: Product) -> SuggestionSet:
    """The playbook's suggestions for every function of the product's organization, in ring then name order."""
    state = _load(product)
    suggestions, unmatched = _plan(state)
    return SuggestionSet(suggestions=suggestions, unmatched=unmatched, go_to_market=state.go_to_market)


def apply(*, product: Product, by: Any, only: Iterable[tuple[int, str]] | None = None) -> ApplyResult:
    """Write the chosen suggestions (all when `only` is None) in one transaction of bulk statements."""
    try:
        with transaction.atomic():
            return _apply(product, by, None if only is None else {(int(fid), str(key)) for fid, key in only})
    except IntegrityError as exc:
        # Someone mapped a lead between our read and our write: nothing was written.
        raise Conflict(
            f"The map of {product.name} changed while the suggestions were being applied; nothing was written. "
            "Reload the suggestions and try again.",
        ) from exc


def _apply(product: Product, by: Any, chosen: set[Cell] | None) -> ApplyResult:
    # Lock the product row: two leaders applying at once take turns instead of racing.
    list(Product.objects.select_for_update().filter(pk=product.pk).values_list("pk", flat=True))
    state = _load(product, lock=True)
    suggestions, _ = _plan(state, chosen, with_hints=False)
    result = ApplyResult()
    picked = [s for s in suggestions if chosen is None or s.cell in chosen]
    result.conflicts.extend(_unknown_cells(state, suggestions, chosen))
    creates: list[Assignment] = []
    updates: list[tuple[Assignment, dict[str, Any]]] = []
    now = timezone.now()
    for suggestion in picked:
        row = state.assignments.get(suggestion.cell)
        layer = state.layers[suggestion.layer_key]
        if suggestion.status == APPLIED:
            result.unchanged += 1
        elif suggestion.status == MANUAL:
            result.skipped_manual += 1
        elif suggestion.status == DISMISSED:
            result.skipped_dismissed += 1
        elif suggestion.status == LEAD_TAKEN:
            result.conflicts.append(
                f"{suggestion.note.removesuffix('.')} of {product.name}; "
                f"{suggestion.function_name} was not made its lead."
            )
        elif suggestion.status == DIFFERS and row is not None:
            before = snapshot(row)
            row.emphasis, row.source = suggestion.emphasis, Assignment.Source.PLAYBOOK
            row.contribution = row.contribution or _contribution(suggestion)
            row.version += 1
            row.changed_at, row.changed_by = now, by
            updates.append((row, before))
        else:
            creates.append(_new_assignment(product, suggestion, layer, by, now))
    _write(product, by, now, creates, updates)
    result.created, result.updated = len(creates), len(updates)
    return result


def _unknown_cells(state: _State, suggestions: list[Suggestion], chosen: set[Cell] | None) -> list[str]:
    if chosen is None:
        return []
    known = {suggestion.cell for suggestion in suggestions}
    names = {function.pk: function.name for function in state.functions}
    messages = []
    for function_id, key in sorted(chosen - known):
        layer = state.layers.get(key)
        where = f"the {layer.name} layer" if layer else f"an unknown layer {key!r}"
        who = names.get(function_id, f"function #{function_id}")
        messages.append(f"There is no playbook suggestion for {who} at {where}; reload the suggestions.")
    return messages


def _contribution(suggestion: Suggestion) -> str:
    limit = Assignment._meta.get_field("contribution").max_length
    return suggestion.reason[:limit]


def _new_assignment(product: Product, suggestion: Suggestion, layer: Layer, by: Any, now: Any) -> Assignment:
    return Assignment(
        organization_id=product.organization_id,
        product=product,
        function_id=suggestion.function_id,
        layer=layer,
        emphasis=suggestion.emphasis,
        contribution=_contribution(suggestion),
        source=Assignment.Source.PLAYBOOK,
        version=1,
        created_at=now,
        changed_at=now,
        changed_by=by,
    )


def _write(
    product: Product,
    by: Any,
    now: Any,
    creates: list[Assignment],
    updates: list[tuple[Assignment, dict[str, Any]]],
) -> None:
    fields = ["emphasis", "source", "contribution", "version", "changed_at", "changed_by"]
    # Demotions first: the one-lead constraint is checked row by row, so a layer's old
    # lead must step down before the new one steps up.
    demoted = [row for row, before in updates if before["emphasis"] == LEAD]
    promoted = [row for row, before in updates if before["emphasis"] != LEAD]
    Assignment.objects.bulk_update(demoted, fields)
    Assignment.objects.bulk_update(promoted, fields)
    Assignment.objects.bulk_create(creates)
    changes = [_change(row, AssignmentChange.Action.CREATED, None, by, now) for row in creates]
    changes += [_change(row, AssignmentChange.Action.UPDATED, before, by, now) for row, before in updates]
    AssignmentChange.objects.bulk_create(changes)
    touched = {row.function_id for row in creates} | {row.function_id for row, _ in updates}
    if touched:
        readmodel.assignments_changed(
            organization_id=product.organization_id, product_id=product.pk, function_ids=touched
        )


def _change(row: Assignment, action: str, before: dict[str, Any] | None, by: Any, now: Any) -> AssignmentChange:
    return AssignmentChange(
        organization_id=row.organization_id,
        product_id=row.product_id,
        function_id=row.function_id,
        layer_id=row.layer_id,
        action=action,
        before=before,
        after=snapshot(row),
        by=by,
        at=now,
        source=Assignment.Source.PLAYBOOK,
    )


@transaction.atomic
def dismiss(*, product: Product, function: Function, layer: Layer | str, by: Any) -> DismissedSuggestion:
    """Remember that a leader rejected the playbook's suggestion for this cell (idempotent)."""
    layer = resolve_layer(layer)
    check_same_organization(product, function)
    dismissal, created = DismissedSuggestion.objects.get_or_create(
        product=product, function=function, layer=layer, defaults={"by": by}
    )
    if created:
        readmodel.suggestion_dismissed(
            organization_id=product.organization_id, product_id=product.pk, function_id=function.pk
        )
    return dismissal


@transaction.atomic
def undismiss(*, product: Product, function: Function, layer: Layer | str, by: Any) -> None:
    """Forget a dismissal, so the suggestion is offered (and applied) again."""
    layer = resolve_layer(layer)
    check_same_organization(product, function)
    deleted, _ = DismissedSuggestion.objects.filter(product=product, function=function, layer=layer).delete()
    if deleted:
        readmodel.suggestion_dismissed(
            organization_id=product.organization_id, product_id=product.pk, function_id=function.pk
        )
