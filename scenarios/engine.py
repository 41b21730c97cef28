"""The impact computation (see `scenarios.impact` for what it answers and how). Both sides of every
product end in `domain.coverage.compute.assemble_coverage`, today's fed as live coverage feeds it
(`layers.readmodel.read`), the scenario's with the named functions' cells recounted (`_Recount`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone

from domain.coverage.compute import assemble_coverage
from domain.coverage.result import Coverage
from domain.coverage.rows import AssignmentRow, FunctionRow, PartnershipRow, Tally
from domain.review_state import AGREE, PairStatus, ReviewFact, is_open, latest_review, pair_status, staleness_cutoff
from layers.models import Review
from layers.readmodel.tables import CellCounts, ReviewPair
from roles.models import Disruption, Partnership
from roles.services.disruptions import effective_moment

from .changes import Draft, replay
from .facts import CellFact, Facts
from .impact import Impact, LeadChange, PartnershipImpact, ProductImpact
from .models import Scenario, ScenarioChange
from .payloads import Ref

Cell = tuple[int, Ref, str]  # (product, function, layer)


def impact(scenario: Scenario, *, now: datetime | None = None, gaps: bool = False) -> Impact:
    """Today's coverage and the scenario's, per product, and what changes between them. The
    coverages carry their figures and layers; `gaps=True` adds each one's list of gaps (slower:
    at 5,000 functions the gap lists are most of the time)."""
    changes = list(ScenarioChange.objects.filter(organization_id=scenario.organization_id, scenario=scenario))
    changes.sort(key=lambda c: (c.position, c.pk))
    return impact_of(scenario.organization_id, changes, scenario_id=scenario.pk, now=now, gaps=gaps)


def impact_of(
    organization_id: int,
    changes: Sequence[ScenarioChange],
    *,
    scenario_id: int = 0,
    now: datetime | None = None,
    gaps: bool = False,
) -> Impact:
    now = now or timezone.now()
    facts = Facts.load(organization_id, changes)
    played = replay(organization_id, changes, facts=facts, skip_invalid=True)
    world = _World.load(organization_id, facts)
    recount = _Recount.of(world, played.draft)
    sides = _Sides.of(world, played.draft)
    products = tuple(_product(world, played.draft, recount, sides, pk, now, gaps) for pk in sorted(facts.products))
    partnerships = _partnerships(world, played.draft)
    skipped = [
        f"Step {number} is no longer possible and is left out: {error.detail}"
        for number, error in zip(played.error_steps, played.errors, strict=True)
    ]
    return Impact(
        scenario_id=scenario_id,
        steps=len(changes),
        computed_at=now,
        products=products,
        people_to_reconfirm=len(recount.reconfirm),
        pairs_to_pending=sum(p.pairs_to_pending for p in products),
        pairs_to_stale=sum(p.pairs_to_stale for p in products),
        partnerships=partnerships,
        consequences=tuple(skipped + _consequences(products, partnerships, len(recount.reconfirm))),
    )


# --- what is read, once -------------------------------------------------------------------------------


@dataclass
class _TodayCell:
    assignment_id: int
    function_id: int
    layer: str
    emphasis: str
    pairs: int
    tally: Tally


@dataclass
class _World:
    """The organization's live inputs, read as live coverage reads them (four queries)."""

    facts: Facts
    cells: dict[int, list[_TodayCell]]  # product -> its cells
    partnerships: list[PartnershipRow]
    disrupted: dict[int, datetime]  # function -> its last applied disruption

    @classmethod
    def load(cls, organization_id: int, facts: Facts) -> _World:
        rows = CellCounts.objects.filter(organization_id=organization_id).values_list(
            "product_id", "assignment_id", "function_id", "layer__key", "emphasis", "pairs", "reviewed", "current",
            "agreeing", "open",
        )  # fmt: skip
        cells: dict[int, list[_TodayCell]] = defaultdict(list)
        for product, pk, function, layer, emphasis, pairs, reviewed, current, agreeing, open_ in rows:
            if function in facts.functions:
                cells[product].append(
                    _TodayCell(pk, function, layer, emphasis, pairs, Tally(reviewed, current, agreeing, open_))
                )
        for product_cells in cells.values():
            product_cells.sort(key=lambda c: c.assignment_id)
        partnerships = [
            PartnershipRow(pk, a, b, trust, checked, fa, fb, flagged)
            for pk, a, b, trust, checked, fa, fb, flagged in Partnership.objects.filter(
                organization_id=organization_id
            ).values_list(
                "id",
                "function_a__name",
                "function_b__name",
                "trust",
                "last_checked_on",
                "function_a_id",
                "function_b_id",
                "needs_trust_check",
            )
        ]
        links = Disruption.functions.through.objects.filter(
            disruption__organization_id=organization_id, disruption__applied_at__isnull=False
        )
        disrupted = dict(links.order_by().values_list("function_id").annotate(last=Max("disruption__effective_at")))
        return cls(facts, dict(cells), partnerships, disrupted)


# --- the pairs of the functions the steps name ---------------------------------------------------------


@dataclass
class _PairNow:
    state: str
    verdict: str
    is_open: bool


@dataclass
class _Recount:
    """The scenario's tallies of the cells of the named functions, and of the new ones."""

    draft: Draft
    members: dict[Ref, list[Ref]]  # function -> its people in the scenario (named functions, new ones)
    tallies: dict[Cell, Tally] = field(default_factory=dict)
    to_pending: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # product -> pairs
    to_stale: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    reconfirm: set[Ref] = field(default_factory=set)  # people asked to confirm their role again

    @classmethod
    def of(cls, world: _World, draft: Draft) -> _Recount:
        facts = world.facts
        named = set(facts.headcount)  # the existing functions the steps name (and their people's)
        today_members = _members_today(facts.organization_id, named)
        today_of = {person: function for function, people in today_members.items() for person in people}
        members: dict[Ref, list[Ref]] = defaultdict(list)
        for person, function in today_of.items():
            if person in draft.left:
                continue
            state = draft.people.get(person)
            members[state.function if state else _followed(draft, function)].append(person)
        for key, state in draft.people.items():
            if isinstance(key, str):
                members[state.function].append(key)  # the hires
        recount = cls(draft, members)
        pairs = _pairs_today(facts.organization_id, named)
        joiners = {
            (person, function)
            for function, people in members.items()
            if isinstance(function, int)
            for person in people
            if isinstance(person, int) and today_of.get(person) != function
        }
        reviews = _reviews_of_joiners(facts.organization_id, joiners)
        for key, cell in draft.cells.items():
            recount._count(world, key, cell.assignment_id, cell.changed, today_of, pairs, reviews)
        return recount

    def _count(
        self,
        world: _World,
        key: Cell,
        assignment_id: int | None,
        changed: bool,
        today_of: dict[Ref, int],
        pairs: dict[tuple[int, int], _PairNow],
        reviews: dict[tuple[int, int], list[ReviewFact]],
    ) -> None:
        product, function, _ = key
        stale_all = changed or function in self.draft.disrupted
        tally = Tally()
        fact = self._cell_fact(world, key)
        for person in self.members.get(function, ()):
            before = pairs.get((assignment_id, person)) if assignment_id and isinstance(person, int) else None
            if assignment_id is None:
                state, verdict, open_ = PairStatus.PENDING, "", False
            elif today_of.get(person) == function:
                state, verdict, open_ = (
                    (before.state, before.verdict, before.is_open) if before else ("pending", "", False)
                )
            else:
                latest = latest_review(reviews.get((assignment_id, person), ()))
                cutoff = staleness_cutoff(fact.changed_at, world.disrupted.get(function)) if fact else None
                state = pair_status(latest, cutoff) if latest and cutoff else PairStatus.PENDING
                verdict, open_ = (latest.verdict, is_open(latest)) if latest else ("", False)
            if stale_all and state == PairStatus.CURRENT:
                state = PairStatus.STALE
            tally.reviewed += state != PairStatus.PENDING
            tally.current += state == PairStatus.CURRENT
            tally.agreeing += state == PairStatus.CURRENT and verdict == AGREE
            tally.open += open_
            was = before.state if before and today_of.get(person) == function else None
            if state == PairStatus.PENDING and was in (None, PairStatus.CURRENT, PairStatus.STALE):
                self.to_pending[product] += 1
                self.reconfirm.add(person)
            elif state == PairStatus.STALE and was in (None, PairStatus.CURRENT):
                self.to_stale[product] += 1
                self.reconfirm.add(person)
        self.tallies[key] = tally

    def _cell_fact(self, world: _World, key: Cell) -> CellFact | None:
        product, function, layer = key
        return world.facts.cells.get((product, function, layer)) if isinstance(function, int) else None

    def staff(self, function: Ref) -> int:
        return len(self.members.get(function, ()))


def _followed(draft: Draft, function: int) -> Ref:
    return draft.merged_into.get(function, function)


def _members_today(organization_id: int, function_ids: Iterable[int]) -> dict[int, list[int]]:
    from roles.models import Stakeholder

    out: dict[int, list[int]] = defaultdict(list)
    rows = Stakeholder.objects.filter(organization_id=organization_id, function_id__in=list(function_ids))
    for pk, function in rows.values_list("pk", "function_id"):
        out[function].append(pk)
    return out


def _pairs_today(organization_id: int, function_ids: Iterable[int]) -> dict[tuple[int, int], _PairNow]:
    rows = ReviewPair.objects.filter(organization_id=organization_id, function_id__in=list(function_ids))
    return {
        (a, s): _PairNow(state, verdict, open_)
        for a, s, state, verdict, open_ in rows.values_list(
            "assignment_id", "stakeholder_id", "state", "verdict", "is_open"
        )
    }


def _reviews_of_joiners(organization_id: int, joiners: set[tuple[int, int]]) -> dict[tuple[int, int], list[ReviewFact]]:
    """The reviews people moving into a function once gave of its assignments (one query)."""
    if not joiners:
        return {}
    people = {person for person, _ in joiners}
    functions = {function for _, function in joiners}
    rows = Review.objects.filter(
        organization_id=organization_id, stakeholder_id__in=people, assignment__function_id__in=functions
    ).values_list(
        "assignment_id", "stakeholder_id", "assignment__function_id", "verdict", "created_at", "resolved_at", "id"
    )
    out: dict[tuple[int, int], list[ReviewFact]] = defaultdict(list)
    for assignment, person, function, verdict, created_at, resolved_at, pk in rows:
        if (person, function) in joiners:
            out[(assignment, person)].append(ReviewFact(verdict, created_at, resolved_at, "", pk))
    return out


# --- one product ----------------------------------------------------------------------------------------


def _number(key: Ref) -> int:
    """An id for `assemble_coverage`: an existing function's, or minus the creating step's."""
    return key if isinstance(key, int) else -int(key.split(":", 1)[1])


@dataclass(frozen=True)
class _Sides:
    """What every product shares on each side: the functions, the partnerships, who is external."""

    today_functions: dict[int, FunctionRow]
    scenario_functions: dict[int, FunctionRow]
    scenario_partnerships: list[PartnershipRow]
    external_today: frozenset[int]
    external_scenario: frozenset[int]

    @classmethod
    def of(cls, world: _World, draft: Draft) -> _Sides:
        facts = world.facts
        return cls(
            today_functions={f.id: FunctionRow(f.id, f.name, f.category) for f in facts.functions.values()},
            scenario_functions={
                _number(k): FunctionRow(_number(k), f.name, f.category) for k, f in draft.functions.items()
            },
            scenario_partnerships=_scenario_partnerships(world, draft),
            external_today=frozenset(f.id for f in facts.functions.values() if f.is_external),
            external_scenario=frozenset(_number(k) for k, f in draft.functions.items() if f.is_external),
        )


def _product(
    world: _World, draft: Draft, recount: _Recount, sides: _Sides, product_id: int, now: datetime, gaps: bool
) -> ProductImpact:
    facts = world.facts
    name, slug = facts.products[product_id]
    today_fns = sides.today_functions
    today_cells = world.cells.get(product_id, [])
    today = _assemble(
        today_fns,
        [AssignmentRow(c.assignment_id, c.function_id, c.layer, c.emphasis) for c in today_cells],
        {c.function_id: c.pairs for c in today_cells},
        {c.assignment_id: c.tally for c in today_cells},
        world,
        world.partnerships,
        {},
        now,
        gaps,
    )
    scen_fns = sides.scenario_functions
    assigned, staff, tallies, changed = [], {}, {}, set()
    named = set(facts.headcount)
    today_by_cell: dict[tuple[int, str], _TodayCell] = {}
    for c in today_cells:
        if c.function_id in named:
            today_by_cell[(c.function_id, c.layer)] = c
            continue  # recounted below
        assigned.append(AssignmentRow(c.assignment_id, c.function_id, c.layer, c.emphasis))
        staff[c.function_id] = c.pairs
        tallies[c.assignment_id] = c.tally
    fresh = 0
    for key, cell in sorted(draft.cells.items(), key=lambda item: (str(item[0][1]), item[0][2])):
        product, function, layer = key
        if product != product_id:
            continue
        if cell.assignment_id is None:
            fresh -= 1
        pk = cell.assignment_id or fresh
        number = _number(function)
        assigned.append(AssignmentRow(pk, number, layer, cell.emphasis))
        staff[number] = recount.staff(function)
        tallies[pk] = recount.tallies[key]
    for key in draft.touched_cells:
        if key[0] == product_id:
            changed.add((key[1], key[2]))
    for key in draft.cells:
        if key[0] != product_id:
            continue
        before = today_by_cell.get((key[1], key[2])) if isinstance(key[1], int) else None
        after = recount.tallies[key]
        if before is None or before.pairs != recount.staff(key[1]) or before.tally != after:
            changed.add((key[1], key[2]))
    scenario = _assemble(
        scen_fns, assigned, staff, tallies, world, sides.scenario_partnerships, draft.disrupted, now, gaps
    )
    return ProductImpact(
        product_id=product_id,
        name=name,
        slug=slug,
        today=today,
        scenario=scenario,
        lead_changes=_lead_changes(today, scenario),
        changed_cells=frozenset(changed),
        newly_unmapped=_newly_unmapped(today_cells, draft, {a.function_id for a in assigned}),
        newly_unstaffed=_newly_unstaffed(today_cells, assigned, staff, scen_fns),
        pairs_to_pending=recount.to_pending.get(product_id, 0),
        pairs_to_stale=recount.to_stale.get(product_id, 0),
        ring_sources=(
            (today_fns, sides.external_today, ((c.function_id, c.layer, c.emphasis) for c in today_cells)),
            (scen_fns, sides.external_scenario, ((a.function_id, a.layer_key, a.emphasis) for a in assigned)),
        ),
    )


def _assemble(
    functions: dict[int, FunctionRow],
    assigned: list[AssignmentRow],
    staff: dict[int, int],
    tallies: dict[int, Tally],
    world: _World,
    partnerships: list[PartnershipRow],
    planned: dict[Ref, str],
    now: datetime,
    gaps: bool,
) -> Coverage:
    """`assemble_coverage` fed as live coverage feeds it: partnerships and disruptions of the
    product's mapped functions only (`layers.readmodel.read.live_coverage`)."""
    mapped = {a.function_id for a in assigned}
    disrupted = {f: world.disrupted[f] for f in mapped if f in world.disrupted}
    for key, day in planned.items():
        number = _number(key)
        if number in mapped:
            moment = effective_moment(date.fromisoformat(day), now)
            disrupted[number] = max(moment, disrupted.get(number, moment))
    return assemble_coverage(
        functions=functions,
        assigned=assigned,
        staff=staff,
        tallies=tallies,
        partnerships=[p for p in partnerships if p.a_function_id in mapped or p.b_function_id in mapped],
        disrupted=disrupted,
        now=timezone.localtime(now),  # the site's calendar days, as live coverage (`calendar_day`)
        gaps=gaps,
    )


def _scenario_partnerships(world: _World, draft: Draft) -> list[PartnershipRow]:
    """The partnerships once the steps are made: a merged function's go with it (deleted with
    the function), names follow renames, a planned disruption flags its functions' links."""
    out = []
    for p in world.partnerships:
        if p.a_function_id in draft.gone or p.b_function_id in draft.gone:
            continue
        flagged = p.needs_trust_check or p.a_function_id in draft.disrupted or p.b_function_id in draft.disrupted
        a, b = draft.functions[p.a_function_id], draft.functions[p.b_function_id]
        out.append(
            PartnershipRow(p.id, a.name, b.name, p.trust, p.last_checked_on, p.a_function_id, p.b_function_id, flagged)
        )
    return out


def _partnerships(world: _World, draft: Draft) -> tuple[PartnershipImpact, ...]:
    out = []
    for p in world.partnerships:
        lost = [draft.facts.functions[f].name for f in (p.a_function_id, p.b_function_id) if f in draft.gone]
        checked = not lost and (p.a_function_id in draft.disrupted or p.b_function_id in draft.disrupted)
        if lost or checked:
            out.append(
                PartnershipImpact(p.id, p.a_name, p.b_name, loses=", ".join(lost) or None, needs_trust_check=checked)
            )
    return tuple(out)


def _lead_changes(today: Coverage, scenario: Coverage) -> tuple[LeadChange, ...]:
    out = []
    for before, after in zip(today.layers, scenario.layers, strict=True):
        if before.lead_function_id != after.lead_function_id:
            out.append(LeadChange(before.key, before.name, before.lead, after.lead))
    return tuple(out)


def _newly_unmapped(today_cells: list[_TodayCell], draft: Draft, mapped: set[int]) -> tuple[str, ...]:
    was = {c.function_id for c in today_cells}
    names = [
        f.name
        for key, f in draft.functions.items()
        if _number(key) not in mapped and (key in was or isinstance(key, str))
    ]
    return tuple(sorted(names, key=str.casefold))


def _newly_unstaffed(
    today_cells: list[_TodayCell], assigned: list[AssignmentRow], staff: dict[int, int], fns: dict[int, FunctionRow]
) -> tuple[str, ...]:
    staffed_today = {c.function_id for c in today_cells if c.pairs}
    mapped_today = {c.function_id for c in today_cells}
    names = {
        fns[a.function_id].name
        for a in assigned
        if not staff.get(a.function_id) and (a.function_id in staffed_today or a.function_id not in mapped_today)
    }
    return tuple(sorted(names, key=str.casefold))


# --- in words -------------------------------------------------------------------------------------------


def _consequences(
    products: Sequence[ProductImpact], partnerships: Sequence[PartnershipImpact], people: int
) -> list[str]:
    lost, other, scores, functions = [], [], [], []
    for p in products:
        for change in p.lead_changes:
            (lost if change.lost else other).append(change.sentence(p.name))
        if p.score_delta:
            scores.append(f"{p.name}: the score goes from {p.today.score} to {p.scenario.score}.")
        for name in p.newly_unmapped:
            functions.append(f"{name} would be mapped to no layer of {p.name}.")
        for name in p.newly_unstaffed:
            functions.append(f"{name} would be mapped on {p.name} with nobody in it to review that.")
    pairs_pending = sum(p.pairs_to_pending for p in products)
    pairs_stale = sum(p.pairs_to_stale for p in products)
    asked = []
    if people:
        asked.append(
            f"{_n(people, 'person', 'people')} would be asked to confirm their role again "
            f"({_n(pairs_stale, 'review')} turning stale, {_n(pairs_pending, 'new review')} to give)."
        )
    return lost + other + scores + functions + asked + [p.sentence() for p in partnerships]


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
