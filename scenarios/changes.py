"""The steps of a scenario: their kinds and fields, and the in-memory replay that validates them.

A step's payload names existing objects by id (a person, a function, a product) and what the
scenario itself creates by reference: `"new:<id of the creating step>"` (a function created or
split off, a planned hire). Layers go by key ("augmented").

    kind              fields
    move_person       person, to
    hire              full_name, email, function, title=""
    leaver            person
    create_function   name, category, is_external=False
    rename_function   function, name
    merge_function    function, into          (the function disappears into `into`)
    split_function    function, name, people, category=<the function's>
    set_assignment    product, function, layer, emphasis      (creates or changes the cell)
    clear_assignment  product, function, layer
    disruption        disruption_kind, title, occurred_on (YYYY-MM-DD), functions

`replay` plays the steps, in order, over the organization as it stands (`Facts`, read once) and
records for each its error, if any, its sentence and its `base`: the values of existing rows it
touches, so applying can tell what changed since. The same `Draft` state is what the impact
(`scenarios.engine`) starts from, so validation and impact cannot disagree.

What a merge does (the same here, in the impact and in `roles.services.functions.function_merge`):
the function's people join the target; each of its cells moves to the target where the target
has no cell on that layer of that product (with its emphasis), and is dropped where the target
already has one (the target's own cell stays as it is: a lead of the merged function is lost
there, which the impact says); its partnerships go with it; its name becomes an alias of the target.
A split creates the new function (mapped nowhere) and moves the listed people into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.db.models.functions import Lower

from layers.coverage import LAYERS, LEAD
from layers.models import Assignment, Product
from roles.models import Disruption, Function, Stakeholder
from wholeproduct.errors import DomainError

from .models import ScenarioChange

Kind = ScenarioChange.Kind
KINDS: dict[str, str] = dict(Kind.choices)
FIELDS: dict[str, tuple[str, ...]] = {
    Kind.MOVE_PERSON: ("person", "to"),
    Kind.HIRE: ("full_name", "email", "function", "title"),
    Kind.LEAVER: ("person",),
    Kind.CREATE_FUNCTION: ("name", "category", "is_external"),
    Kind.RENAME_FUNCTION: ("function", "name"),
    Kind.MERGE_FUNCTION: ("function", "into"),
    Kind.SPLIT_FUNCTION: ("function", "name", "people", "category"),
    Kind.SET_ASSIGNMENT: ("product", "function", "layer", "emphasis"),
    Kind.CLEAR_ASSIGNMENT: ("product", "function", "layer"),
    Kind.DISRUPTION: ("disruption_kind", "title", "occurred_on", "functions"),
}
OPTIONAL = {"title", "is_external", "category"}
LAYER_NAMES = {spec.key: spec.name for spec in LAYERS}
FUNCTION_NAME_MAX = Function._meta.get_field("name").max_length
PERSON_NAME_MAX = Stakeholder._meta.get_field("full_name").max_length
TITLE_MAX = Disruption._meta.get_field("title").max_length

Ref = int | str  # an existing row's id, or "new:<step id>"


class InvalidChange(DomainError):
    """A step that cannot be made where it stands in the scenario."""

    code = "invalid_change"


@dataclass(frozen=True)
class ConflictItem:
    """Something a step touches that changed since drafting (or a step no longer possible)."""

    step: int
    what: str
    drafted: str
    current: str

    def sentence(self) -> str:
        return f"Step {self.step}: {self.what} was {self.drafted} when drafted; it is now {self.current}."

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "what": self.what, "drafted": self.drafted, "current": self.current}


def ref_of(change: ScenarioChange) -> str:
    """How later steps name what this step creates (a function, a hire)."""
    return f"new:{change.pk}"


def describe(change: ScenarioChange) -> str:
    """The step in plain words, as recorded when it was added (or last rebased)."""
    return change.summary or KINDS.get(change.kind, change.kind)


def _invalid(message: str, field_name: str | None = None) -> InvalidChange:
    return InvalidChange(message, fields={field_name: [message]} if field_name else None)


# --- payloads ---------------------------------------------------------------------------------------


def _ref(value: Any, name: str) -> Ref:
    if isinstance(value, bool):
        raise _invalid("Choose one from the list.", name)
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
        if text.startswith("new:") and text[4:].isdigit():
            return text
    raise _invalid("Choose one from the list.", name)


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if value is None or isinstance(value, str) else None
    if text is None:
        raise _invalid("Write it as text.", name)
    if required and not text:
        raise _invalid("This is required.", name)
    if len(text) > limit:
        raise _invalid(f"Keep it to {limit} characters (it has {len(text)}).", name)
    return text


def _choice(value: Any, name: str, choices: Iterable[str], words: str) -> str:
    if not isinstance(value, str) or value not in set(choices):
        raise _invalid(f"Choose {words}.", name)
    return value


def _day(value: Any, name: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _invalid("Give a day as YYYY-MM-DD.", name) from None


def _refs(value: Any, name: str) -> list[Ref]:
    if not isinstance(value, list | tuple) or not value:
        raise _invalid("Choose at least one.", name)
    seen: list[Ref] = []
    for item in value:
        ref = _ref(item, name)
        if ref not in seen:
            seen.append(ref)
    return seen


def clean_payload(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The payload of a step of `kind` from loose input (a form, JSON): types checked, text
    trimmed, unknown fields refused. Raises `InvalidChange` naming the field."""
    if kind not in KINDS:
        raise _invalid(f"Choose a kind of change: {', '.join(KINDS.values()).lower()}.", "kind")
    wanted = FIELDS[kind]
    unknown = sorted(set(fields) - set(wanted))
    if unknown:
        raise _invalid(f"A step of this kind has no field {unknown[0]!r}.", unknown[0])
    missing = [name for name in wanted if name not in OPTIONAL and fields.get(name) in (None, "", [])]
    if missing:
        raise _invalid("This is required.", missing[0])
    out: dict[str, Any] = {}
    for name in wanted:
        value = fields.get(name)
        if name in {"person", "to", "function", "into"}:
            out[name] = _ref(value, name)
        elif name == "product":
            ref = _ref(value, name)
            if not isinstance(ref, int):
                raise _invalid("Choose a product.", name)
            out[name] = ref
        elif name in {"people", "functions"}:
            out[name] = _refs(value, name)
        elif name == "name":
            out[name] = _text(value, name, FUNCTION_NAME_MAX)
        elif name == "full_name":
            out[name] = _text(value, name, PERSON_NAME_MAX)
        elif name == "title":
            out[name] = _text(value, name, TITLE_MAX, required=kind == Kind.DISRUPTION)
        elif name == "email":
            out[name] = _email(value)
        elif name == "category":
            if value not in (None, ""):
                out[name] = _choice(value, name, Function.Category.values, "a category")
        elif name == "is_external":
            out[name] = bool(value) if isinstance(value, bool) or value in (None, "", 0, 1) else True
        elif name == "layer":
            out[name] = _choice(value, name, LAYER_NAMES, "a layer")
        elif name == "emphasis":
            out[name] = _choice(value, name, Assignment.Emphasis.values, "lead or contributor")
        elif name == "disruption_kind":
            out[name] = _choice(value, name, Disruption.Kind.values, "a kind of disruption")
        elif name == "occurred_on":
            out[name] = _day(value, name)
    if kind == Kind.CREATE_FUNCTION and "category" not in out:
        raise _invalid("This is required.", "category")
    return out


def _email(value: Any) -> str:
    email = str(value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise _invalid("Enter a valid email address.", "email") from None
    return email


# --- what the organization holds now (read once) ----------------------------------------------------


@dataclass(frozen=True)
class FunctionFact:
    id: int
    name: str
    category: str
    is_external: bool


@dataclass(frozen=True)
class PersonFact:
    id: int
    function_id: int
    full_name: str
    email: str


@dataclass(frozen=True)
class CellFact:
    assignment_id: int
    product_id: int
    function_id: int
    layer: str
    emphasis: str
    version: int
    changed_at: datetime


@dataclass
class Facts:
    """The rows a replay reads, loaded in a fixed number of queries: every function (names must
    stay unique), every product, the lead of every layer, and only the people, cells, head counts
    and emails the steps name."""

    organization_id: int
    functions: dict[int, FunctionFact]
    products: dict[int, tuple[str, str]]  # id -> (name, slug)
    people: dict[int, PersonFact]
    cells: dict[tuple[int, int, str], CellFact]  # (product, function, layer) of the named functions
    leads: dict[tuple[int, str], int]  # (product, layer) -> function id
    headcount: dict[int, int]  # of the named functions
    emails_taken: set[str]  # lowercased, of the hires' addresses

    @classmethod
    def load(cls, organization_id: int, changes: Sequence[ScenarioChange]) -> Facts:
        functions = {
            pk: FunctionFact(pk, name, category, external)
            for pk, name, category, external in Function.objects.filter(organization_id=organization_id).values_list(
                "pk", "name", "category", "is_external"
            )
        }
        products = {
            pk: (name, slug)
            for pk, name, slug in Product.objects.filter(organization_id=organization_id).values_list(
                "pk", "name", "slug"
            )
        }
        person_ids, function_ids, emails = _named(changes)
        people = {
            pk: PersonFact(pk, function_id, name, email)
            for pk, function_id, name, email in Stakeholder.objects.filter(
                organization_id=organization_id, pk__in=person_ids
            ).values_list("pk", "function_id", "full_name", "email")
        }
        function_ids |= {p.function_id for p in people.values()}
        return cls(
            organization_id=organization_id,
            functions=functions,
            products=products,
            people=people,
            cells=cells_of(organization_id, function_ids),
            leads=leads_of(organization_id),
            headcount=headcount_of(organization_id, function_ids),
            emails_taken=_emails_taken(organization_id, emails),
        )


def _named(changes: Sequence[ScenarioChange]) -> tuple[set[int], set[int], set[str]]:
    people: set[int] = set()
    functions: set[int] = set()
    emails: set[str] = set()
    for change in changes:
        p = change.payload
        for name in ("person",):
            if isinstance(p.get(name), int):
                people.add(p[name])
        people |= {ref for ref in p.get("people", ()) if isinstance(ref, int)}
        for name in ("to", "function", "into"):
            if isinstance(p.get(name), int):
                functions.add(p[name])
        functions |= {ref for ref in p.get("functions", ()) if isinstance(ref, int)}
        if p.get("email"):
            emails.add(p["email"].lower())
    return people, functions, emails


def cells_of(organization_id: int, function_ids: Iterable[int]) -> dict[tuple[int, int, str], CellFact]:
    rows = Assignment.objects.filter(organization_id=organization_id, function_id__in=list(function_ids)).values_list(
        "pk", "product_id", "function_id", "layer__key", "emphasis", "version", "changed_at"
    )
    return {(row[1], row[2], row[3]): CellFact(*row) for row in rows}


def leads_of(organization_id: int) -> dict[tuple[int, str], int]:
    rows = Assignment.objects.filter(organization_id=organization_id, emphasis=LEAD).values_list(
        "product_id", "layer__key", "function_id"
    )
    return {(product, layer): function for product, layer, function in rows}


def headcount_of(organization_id: int, function_ids: Iterable[int]) -> dict[int, int]:
    ids = list(function_ids)
    rows = (
        Stakeholder.objects.filter(organization_id=organization_id, function_id__in=ids)
        .order_by()
        .values_list("function_id")
        .annotate(n=Count("pk"))
    )
    return {**dict.fromkeys(ids, 0), **dict(rows)}


def _emails_taken(organization_id: int, emails: set[str]) -> set[str]:
    if not emails:
        return set()
    rows = Stakeholder.objects.filter(organization_id=organization_id).annotate(low=Lower("email"))
    return set(rows.filter(low__in=sorted(emails)).values_list("low", flat=True))


# --- the state a replay builds ------------------------------------------------------------------------


@dataclass
class FunctionState:
    key: Ref
    name: str
    category: str
    is_external: bool


@dataclass
class PersonState:
    key: Ref
    name: str
    function: Ref
    email: str = ""  # a hire's (an existing person's email is not the replay's business)


@dataclass
class CellState:
    emphasis: str
    assignment_id: int | None  # None: created by the scenario
    changed: bool = False  # its meaning changed in the scenario (reviews of it go stale)


@dataclass
class Draft:
    """The organization after some steps, as far as the steps reach (the rest is `facts`)."""

    facts: Facts
    functions: dict[Ref, FunctionState] = field(default_factory=dict)  # alive
    gone: dict[Ref, str] = field(default_factory=dict)  # function -> "merged into Sales in step 3"
    names: dict[str, Ref] = field(default_factory=dict)  # casefolded name -> function
    people: dict[Ref, PersonState] = field(default_factory=dict)  # the named people and the hires
    left: dict[Ref, str] = field(default_factory=dict)  # person -> "leaves in step 2"
    headcount: dict[Ref, int] = field(default_factory=dict)
    cells: dict[tuple[int, Ref, str], CellState] = field(default_factory=dict)  # named functions' cells
    leads: dict[tuple[int, str], Ref] = field(default_factory=dict)
    disrupted: dict[Ref, str] = field(default_factory=dict)  # function -> the day of its disruption
    merged_into: dict[Ref, Ref] = field(default_factory=dict)  # source -> target (final, followed)
    # The people who left each named function wholesale in a merge (all its people, named or not).
    absorbed: dict[Ref, list[Ref]] = field(default_factory=dict)  # target -> merged sources
    touched_cells: set[tuple[int, Ref, str]] = field(default_factory=set)
    step_of: dict[Ref, int] = field(default_factory=dict)  # what a step created -> that step

    @classmethod
    def of(cls, facts: Facts) -> Draft:
        draft = cls(facts=facts)
        for f in facts.functions.values():
            draft.functions[f.id] = FunctionState(f.id, f.name, f.category, f.is_external)
            draft.names[f.name.casefold()] = f.id
        for p in facts.people.values():
            draft.people[p.id] = PersonState(p.id, p.full_name, p.function_id)
        draft.headcount = dict(facts.headcount)
        for (product, function, layer), cell in facts.cells.items():
            draft.cells[(product, function, layer)] = CellState(cell.emphasis, cell.assignment_id)
        draft.leads = dict(facts.leads)
        return draft

    # --- lookups with the sentences of their refusals

    def function(self, ref: Ref, step: int, verb: str, field_name: str) -> FunctionState:
        alive = self.functions.get(ref)
        if alive is not None:
            return alive
        if ref in self.gone:
            raise _invalid(f"{self.gone[ref]}; it cannot {verb} in step {step}.", field_name)
        if isinstance(ref, str):
            raise _invalid(f"Step {step} names a function created by a step that is not before it.", field_name)
        raise _invalid("That function no longer exists in this organization.", field_name)

    def person(self, ref: Ref, step: int, verb: str, field_name: str) -> PersonState:
        if ref in self.left:
            raise _invalid(f"{self.left[ref]}; they cannot {verb} in step {step}.", field_name)
        found = self.people.get(ref)
        if found is None:
            if isinstance(ref, str):
                raise _invalid(f"Step {step} names a hire planned by a step that is not before it.", field_name)
            raise _invalid("That person is no longer in this organization.", field_name)
        return found

    def check_name_free(self, name: str, field_name: str = "name", *, exclude: Ref | None = None) -> None:
        owner = self.names.get(name.casefold())
        if owner is not None and owner != exclude:
            raise _invalid(f"A function named '{self.functions[owner].name}' already exists.", field_name)

    def product(self, product_id: int) -> str:
        found = self.facts.products.get(product_id)
        if found is None:
            raise _invalid("That product is not in this organization.", "product")
        return found[0]

    def lead_name(self, key: tuple[int, str]) -> str | None:
        lead = self.leads.get(key)
        return None if lead is None else self.functions[lead].name

    def cells_of(self, function: Ref) -> list[tuple[tuple[int, Ref, str], CellState]]:
        return [(key, cell) for key, cell in self.cells.items() if key[1] == function]

    def move_count(self, source: Ref, target: Ref, count: int) -> None:
        self.headcount[source] = self.headcount.get(source, 0) - count
        self.headcount[target] = self.headcount.get(target, 0) + count


@dataclass
class Replay:
    draft: Draft
    errors: list[InvalidChange] = field(default_factory=list)
    error_steps: list[int] = field(default_factory=list)  # the positions of the errors
    bases: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


def replay(
    organization_id: int, changes: Sequence[ScenarioChange], *, facts: Facts | None = None, skip_invalid: bool = False
) -> Replay:
    """Play the steps in order over the organization as it stands. An invalid step is recorded
    (`errors`) and, with `skip_invalid`, left out so that the later ones are judged without it;
    otherwise the replay stops there."""
    facts = facts or Facts.load(organization_id, changes)
    result = Replay(Draft.of(facts))
    for number, change in enumerate(changes, start=1):
        try:
            summary = _step(result.draft, change, number)
        except InvalidChange as error:
            result.errors.append(error)
            result.error_steps.append(number)
            result.bases.append({})
            result.summaries.append("")
            if not skip_invalid:
                break
            continue
        result.summaries.append(summary)
        result.bases.append(base_of(facts, change))
        change.summary = summary
    return result


# --- each kind: check, then change the draft; answer the step in words ---------------------------------


def _step(d: Draft, change: ScenarioChange, n: int) -> str:
    p = change.payload
    return _HANDLERS[change.kind](d, p, n, change)


def _move_person(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    person = d.person(p["person"], n, "be moved", "person")
    target = d.function(p["to"], n, "receive people", "to")
    if person.function == target.key:
        raise _invalid(f"{person.name} is already in {target.name} at step {n}.", "to")
    d.move_count(person.function, target.key, 1)
    person.function = target.key
    return f"Move {person.name} to {target.name}"


def _hire(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    function = d.function(p["function"], n, "hire people", "function")
    email = p["email"].lower()
    earlier = any(q.email.lower() == email for q in d.people.values() if isinstance(q.key, str))
    if email in d.facts.emails_taken or earlier:
        raise _invalid(f"Someone in this organization already uses the email {p['email']}.", "email")
    key = ref_of(change)
    d.people[key] = PersonState(key, p["full_name"], function.key, p["email"])
    d.step_of[key] = n
    d.headcount[function.key] = d.headcount.get(function.key, 0) + 1
    return f"Hire {p['full_name']} into {function.name}"


def _leaver(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    person = d.person(p["person"], n, "leave", "person")
    d.headcount[person.function] = d.headcount.get(person.function, 0) - 1
    d.left[person.key] = f"{person.name} leaves in step {n}"
    del d.people[person.key]
    return f"{person.name} leaves"


def _create_function(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    d.check_name_free(p["name"])
    key = ref_of(change)
    d.functions[key] = FunctionState(key, p["name"], p["category"], p.get("is_external", False))
    d.names[p["name"].casefold()] = key
    d.headcount[key] = 0
    d.step_of[key] = n
    return f"Create the function {p['name']}"


def _rename_function(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    function = d.function(p["function"], n, "be renamed", "function")
    if p["name"] == function.name:
        raise _invalid(f"{function.name} is already called that at step {n}.", "name")
    d.check_name_free(p["name"], exclude=function.key)
    before = function.name
    del d.names[before.casefold()]
    function.name = p["name"]
    d.names[p["name"].casefold()] = function.key
    return f"Rename {before} to {p['name']}"


def _merge_function(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    source = d.function(p["function"], n, "be merged", "function")
    target = d.function(p["into"], n, "receive a merge", "into")
    if source.key == target.key:
        raise _invalid("Choose another function to merge it into.", "into")
    for (product, _, layer), cell in d.cells_of(source.key):
        del d.cells[(product, source.key, layer)]
        d.touched_cells.add((product, source.key, layer))
        there = (product, target.key, layer)
        if there not in d.cells:
            d.cells[there] = CellState(cell.emphasis, None)
            d.touched_cells.add(there)
            if cell.emphasis == LEAD:
                d.leads[(product, layer)] = target.key
        elif cell.emphasis == LEAD:
            d.leads.pop((product, layer), None)  # the target keeps its own cell: the lead is lost
    for person in d.people.values():
        if person.function == source.key:
            person.function = target.key
    d.move_count(source.key, target.key, d.headcount.get(source.key, 0))
    d.headcount.pop(source.key, None)
    for s, t in list(d.merged_into.items()):
        if t == source.key:
            d.merged_into[s] = target.key
    d.merged_into[source.key] = target.key
    d.absorbed.setdefault(target.key, []).extend([source.key, *d.absorbed.pop(source.key, [])])
    if source.key in d.disrupted:
        d.disrupted.pop(source.key)  # its disruption links go with it
    del d.functions[source.key]
    del d.names[source.name.casefold()]
    d.gone[source.key] = f"{source.name} is merged into {target.name} in step {n}"
    return f"Merge {source.name} into {target.name}"


def _split_function(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    source = d.function(p["function"], n, "be split", "function")
    d.check_name_free(p["name"])
    movers = [d.person(ref, n, "move in a split", "people") for ref in p["people"]]
    for person in movers:
        if person.function != source.key:
            raise _invalid(f"{person.name} is not in {source.name} at step {n}.", "people")
    key = ref_of(change)
    d.functions[key] = FunctionState(key, p["name"], p.get("category", source.category), source.is_external)
    d.names[p["name"].casefold()] = key
    d.headcount[key] = 0
    d.step_of[key] = n
    for person in movers:
        person.function = key
    d.move_count(source.key, key, len(movers))
    return f"Split {p['name']} off {source.name} ({_people(len(movers))})"


def _set_assignment(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    product = d.product(p["product"])
    function = d.function(p["function"], n, "be mapped", "function")
    layer, emphasis = p["layer"], p["emphasis"]
    key = (p["product"], function.key, layer)
    cell = d.cells.get(key)
    where = f"the {LAYER_NAMES[layer]} layer of {product}"
    if cell is not None and cell.emphasis == emphasis:
        raise _invalid(f"{function.name} is already {_as(emphasis)} of {where} at step {n}.", "emphasis")
    lead_key = (p["product"], layer)
    if emphasis == LEAD and d.leads.get(lead_key) not in (None, function.key):
        lead = d.lead_name(lead_key)
        raise _invalid(
            f"{lead} leads {where} at step {n}: make it a contributor or clear it in an earlier step.", "emphasis"
        )
    if cell is None:
        d.cells[key] = CellState(emphasis, None)
    else:
        cell.emphasis = emphasis
        cell.changed = True
    if emphasis == LEAD:
        d.leads[lead_key] = function.key
    elif d.leads.get(lead_key) == function.key:
        del d.leads[lead_key]
    d.touched_cells.add(key)
    verb = "Make" if cell is None else "Change"
    return f"{verb} {function.name} {_as(emphasis)} of {where}"


def _clear_assignment(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    product = d.product(p["product"])
    function = d.function(p["function"], n, "be unmapped", "function")
    key = (p["product"], function.key, p["layer"])
    where = f"the {LAYER_NAMES[p['layer']]} layer of {product}"
    if key not in d.cells:
        raise _invalid(f"{function.name} has no assignment on {where} at step {n}.", "layer")
    del d.cells[key]
    if d.leads.get((p["product"], p["layer"])) == function.key:
        del d.leads[(p["product"], p["layer"])]
    d.touched_cells.add(key)
    return f"Take {function.name} off {where}"


def _disruption(d: Draft, p: dict[str, Any], n: int, change: ScenarioChange) -> str:
    functions = [d.function(ref, n, "be disrupted", "functions") for ref in p["functions"]]
    for function in functions:
        d.disrupted[function.key] = p["occurred_on"]
    label = str(Disruption.Kind(p["disruption_kind"]).label)
    names = ", ".join(f.name for f in functions)
    return f"{label} on {date.fromisoformat(p['occurred_on']):%-d %b %Y}: {p['title']} ({names})"


_HANDLERS = {
    Kind.MOVE_PERSON: _move_person,
    Kind.HIRE: _hire,
    Kind.LEAVER: _leaver,
    Kind.CREATE_FUNCTION: _create_function,
    Kind.RENAME_FUNCTION: _rename_function,
    Kind.MERGE_FUNCTION: _merge_function,
    Kind.SPLIT_FUNCTION: _split_function,
    Kind.SET_ASSIGNMENT: _set_assignment,
    Kind.CLEAR_ASSIGNMENT: _clear_assignment,
    Kind.DISRUPTION: _disruption,
}


def _as(emphasis: str) -> str:
    return "the lead" if emphasis == LEAD else "a contributor"


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


# --- base values: what a step touches, as it stands in the organization ---------------------------------


def base_of(facts: Facts, change: ScenarioChange) -> dict[str, Any]:
    """The existing rows a step touches, as they stand now (its conflict check compares them)."""
    p = change.payload
    base: dict[str, Any] = {}
    people = [ref for ref in [p.get("person"), *p.get("people", ())] if isinstance(ref, int)]
    if people:
        base["people"] = {
            str(ref): {"function": facts.people[ref].function_id, "name": facts.people[ref].full_name}
            for ref in people
            if ref in facts.people
        }
    functions = [p.get(name) for name in ("to", "function", "into")] + list(p.get("functions", ()))
    named = {ref for ref in functions if isinstance(ref, int) and ref in facts.functions}
    if named:
        base["functions"] = {str(ref): facts.functions[ref].name for ref in sorted(named)}
    if change.kind in (Kind.SET_ASSIGNMENT, Kind.CLEAR_ASSIGNMENT) and isinstance(p["function"], int):
        cell = facts.cells.get((p["product"], p["function"], p["layer"]))
        base["cell"] = {"version": cell.version if cell else 0, "emphasis": cell.emphasis if cell else None}
    if change.kind == Kind.MERGE_FUNCTION:
        # The cells that move: a merge drafted over one map must not be applied over another.
        for ref in (p["function"], p["into"]):
            if isinstance(ref, int):
                cells = {
                    f"{product}:{layer}": [cell.emphasis, cell.version]
                    for (product, function, layer), cell in facts.cells.items()
                    if function == ref
                }
                base.setdefault("cells", {})[str(ref)] = cells
    return base
