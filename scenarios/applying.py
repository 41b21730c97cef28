"""Applying a scenario: the conflict check, the steps through the organization's services, rebase.

`conflicts` compares what each step recorded in its `base` with today's rows, then replays the
steps over today: a difference or a step no longer possible is a `ConflictItem`. `perform` runs
the steps through the same services the pages call (people, functions, assignments,
disruptions), so every rule, history row and read-model hook applies; it runs inside the
caller's transaction, so a step refused half-way leaves nothing behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction

from layers.models import Assignment, Product
from layers.services.assignments import assignment_clear, assignment_set
from roles.models import Function, Organization, Stakeholder
from roles.services import disruptions, people
from roles.services import functions as function_services
from wholeproduct.errors import DomainError

from .changes import LAYER_NAMES, ConflictItem, Facts, Kind, base_of, ref_of, replay
from .models import ScenarioChange


def conflicts(organization_id: int, changes: Sequence[ScenarioChange]) -> list[ConflictItem]:
    """Each value a step recorded in its `base` that is no longer so, and each step no longer possible."""
    facts = Facts.load(organization_id, changes)
    items: list[ConflictItem] = []
    for number, change in enumerate(changes, start=1):
        items += _differences(number, change.base or {}, base_of(facts, change), facts)
    if not items:
        played = replay(organization_id, changes, facts=facts, skip_invalid=True)
        for number, error in zip(played.error_steps, played.errors, strict=True):
            items.append(ConflictItem(number, "this step", "possible", f"not possible: {error.detail}"))
    return items


def _differences(number: int, drafted: dict[str, Any], now: dict[str, Any], facts: Facts) -> list[ConflictItem]:
    items = []
    for pk, was in drafted.get("people", {}).items():
        is_ = now.get("people", {}).get(pk)
        if is_ is None:
            items.append(ConflictItem(number, f"{was['name']}", "in the organization", "no longer in it"))
        elif is_["function"] != was["function"]:
            items.append(
                ConflictItem(
                    number, f"{was['name']}'s function", _fname(facts, was["function"]), _fname(facts, is_["function"])
                )
            )
    for pk, was in drafted.get("functions", {}).items():
        is_ = now.get("functions", {}).get(pk)
        if is_ is None:
            items.append(ConflictItem(number, f"the function {was}", "in the organization", "deleted"))
        elif is_ != was:
            items.append(ConflictItem(number, f"the name of the function {was}", was, is_))
    if "cell" in drafted and drafted["cell"] != now.get("cell"):
        was, is_ = drafted["cell"], now.get("cell") or {}
        items.append(ConflictItem(number, "the assignment it changes", _cell(was), _cell(is_)))
    for pk, was in drafted.get("cells", {}).items():
        is_ = now.get("cells", {}).get(pk)
        if is_ is not None and is_ != was:
            name = drafted.get("functions", {}).get(pk, "a function")
            items.append(ConflictItem(number, f"the assignments of {name}", _cells(was), _cells(is_)))
    return items


def _fname(facts: Facts, pk: int) -> str:
    found = facts.functions.get(pk)
    return found.name if found else "a deleted function"


def _cell(cell: dict[str, Any]) -> str:
    if not cell or not cell.get("emphasis"):
        return "no assignment"
    return f"{cell['emphasis']} (version {cell['version']})"


def _cells(cells: dict[str, Any]) -> str:
    return (
        f"{len(cells)} assignment{'s' if len(cells) != 1 else ''} ("
        + ", ".join(
            f"{LAYER_NAMES[key.split(':')[1]]} of product {key.split(':')[0]}: {emphasis} v{version}"
            for key, (emphasis, version) in sorted(cells.items())
        )
        + ")"
        if cells
        else "no assignment"
    )


def perform(organization: Organization, changes: Sequence[ScenarioChange], *, by: Any) -> dict[int, set[int]]:
    """Run the steps through the services; {product id: ids of the functions whose cells or
    people changed there}. A refusal raises `StepRefused`, and the caller's transaction rolls back."""
    run = _Run(organization, by)
    for number, change in enumerate(changes, start=1):
        try:
            with transaction.atomic():
                run.step(change)
        except DomainError as error:
            raise StepRefused(number, change, error) from error
    return run.touched_by_product()


class StepRefused(DomainError):
    code = "scenario_conflict"
    status = 409

    def __init__(self, number: int, change: ScenarioChange, error: DomainError) -> None:
        super().__init__(f"Nothing was applied: step {number} ({change.summary}) was refused: {error.detail}")
        self.item = ConflictItem(number, change.summary or "this step", "possible", f"refused: {error.detail}")


class _Run:
    def __init__(self, organization: Organization, by: Any) -> None:
        self.organization, self.by = organization, by
        self.created: dict[str, Any] = {}  # "new:<step id>" -> the Function or Stakeholder it made
        self.functions: set[int] = set()  # functions whose cells or people changed
        self.cells: set[tuple[int, int]] = set()  # (product, function) written

    def function(self, ref: Any) -> Function:
        if isinstance(ref, str):
            return self.created[ref]
        return Function.objects.get(organization=self.organization, pk=ref)

    def person(self, ref: Any) -> Stakeholder:
        if isinstance(ref, str):
            return self.created[ref]
        return Stakeholder.objects.get(organization=self.organization, pk=ref)

    def product(self, pk: int) -> Product:
        return Product.objects.get(organization=self.organization, pk=pk)

    def step(self, change: ScenarioChange) -> None:
        p, kind, by = change.payload, change.kind, self.by
        if kind == Kind.MOVE_PERSON:
            person, target = self.person(p["person"]), self.function(p["to"])
            self.functions |= {person.function_id, target.pk}
            people.stakeholder_update(
                stakeholder=person, full_name=person.full_name, email=person.email, function=target,
                title=person.title, by=by,
            )  # fmt: skip
        elif kind == Kind.HIRE:
            target = self.function(p["function"])
            self.created[ref_of(change)] = people.stakeholder_create(
                organization=self.organization, full_name=p["full_name"], email=p["email"], function=target,
                title=p.get("title", ""), by=by,
            )  # fmt: skip
            self.functions.add(target.pk)
        elif kind == Kind.LEAVER:
            person = self.person(p["person"])
            self.functions.add(person.function_id)
            people.stakeholder_delete(stakeholder=person)
        elif kind == Kind.CREATE_FUNCTION:
            self.created[ref_of(change)] = function_services.function_create(
                organization=self.organization, name=p["name"], category=p["category"],
                is_external=p.get("is_external", False), by=by,
            )  # fmt: skip
        elif kind == Kind.RENAME_FUNCTION:
            function = self.function(p["function"])
            function_services.function_update(
                function=function, name=p["name"], category=function.category, is_external=function.is_external,
                description=function.description, parent=function.parent,
            )  # fmt: skip
        elif kind == Kind.MERGE_FUNCTION:
            source, target = self.function(p["function"]), self.function(p["into"])
            self.functions.discard(source.pk)
            self.functions.add(target.pk)
            function_services.function_merge(function=source, into=target, by=by)
        elif kind == Kind.SPLIT_FUNCTION:
            source = self.function(p["function"])
            movers = [self.person(ref) for ref in p["people"]]
            self.created[ref_of(change)] = function_services.function_split(
                function=source, name=p["name"], people=movers, category=p.get("category"), by=by
            )
            self.functions.add(source.pk)
        elif kind == Kind.SET_ASSIGNMENT:
            product, function = self.product(p["product"]), self.function(p["function"])
            version = self._expected(change, product, function)
            assignment_set(
                product=product, function=function, layer=p["layer"], emphasis=p["emphasis"], by=by,
                expected_version=version,
            )  # fmt: skip
            self.cells.add((product.pk, function.pk))
        elif kind == Kind.CLEAR_ASSIGNMENT:
            product, function = self.product(p["product"]), self.function(p["function"])
            version = self._expected(change, product, function)
            assignment_clear(product=product, function=function, layer=p["layer"], by=by, expected_version=version)
            self.cells.add((product.pk, function.pk))
        elif kind == Kind.DISRUPTION:
            touched = [self.function(ref) for ref in p["functions"]]
            disruptions.disruption_log(
                organization=self.organization, kind=p["disruption_kind"], title=p["title"],
                occurred_on=date.fromisoformat(p["occurred_on"]), function_ids=touched, by=by,
            )  # fmt: skip
            self.functions |= {f.pk for f in touched}

    def _expected(self, change: ScenarioChange, product: Product, function: Function) -> int | None:
        """The drafted version for the first write of an existing cell (a later write of the same
        cell in this scenario sees the scenario's own version)."""
        cell = (change.base or {}).get("cell")
        key = (product.pk, function.pk, change.payload["layer"])
        if cell is None or key in self._seen:
            return None
        self._seen.add(key)
        return cell["version"]

    @property
    def _seen(self) -> set[tuple[int, int, str]]:
        if not hasattr(self, "_seen_cells"):
            self._seen_cells: set[tuple[int, int, str]] = set()
        return self._seen_cells

    def touched_by_product(self) -> dict[int, set[int]]:
        """{product: functions mapped on it whose cells or people changed} (one query)."""
        out: dict[int, set[int]] = defaultdict(set)
        for product, function in self.cells:
            out[product].add(function)
        alive = self.functions | {f for _, f in self.cells}
        rows = Assignment.objects.filter(organization=self.organization, function_id__in=alive)
        for product, function in rows.values_list("product_id", "function_id"):
            out[product].add(function)
        return {product: functions for product, functions in out.items() if functions}


def rebase(
    organization_id: int, changes: Sequence[ScenarioChange]
) -> tuple[list[ScenarioChange], list[tuple[ScenarioChange, str]]]:
    """(the steps kept, their base and words recorded again; the steps dropped with the reason)."""
    facts = Facts.load(organization_id, changes)
    played = replay(organization_id, changes, facts=facts, skip_invalid=True)
    failed = dict(zip(played.error_steps, played.errors, strict=True))
    kept, dropped = [], []
    for number, (change, base) in enumerate(zip(changes, played.bases, strict=True), start=1):
        if number in failed:
            dropped.append((change, failed[number].detail))
        else:
            change.base = base
            kept.append(change)
    return kept, dropped


def start_campaigns(touched: dict[int, set[int]], *, deadline: datetime, by: Any, name: str) -> list[Any]:
    """A review campaign on each product the scenario changed, for its functions touched there
    that are still mapped and have people; a product with a campaign open already is skipped."""
    from layers.services.campaigns import campaign_start

    started = []
    for product_id in sorted(touched):
        product = Product.objects.get(pk=product_id)
        mapped = set(Assignment.objects.filter(product=product).values_list("function_id", flat=True))
        functions = list(
            Function.objects.filter(pk__in=touched[product_id] & mapped, stakeholders__isnull=False).distinct()
        )
        if not functions:
            continue
        try:
            started.append(campaign_start(product=product, deadline=deadline, by=by, name=name, functions=functions))
        except DomainError:
            continue  # one is open already: it asks the same people
    return started
