"""The gaps of a product's coverage, most severe first (the trust-check rule is domain/partnerships.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from ..partnerships import WEAK_TRUST, calendar_day, partnership_disruption_day, trust_check_due
from ..review_state import (
    format_day,
)
from .result import _KIND_RANK, _SEVERITY_RANK, Coverage, Gap, GapKind, LayerCoverage, Severity
from .rows import _LAYER_BY_KEY, LEAD, AssignmentRow, FunctionRow, PartnershipRow, Tally

UNMAPPED, UNSTAFFED = GapKind.UNMAPPED_FUNCTION, GapKind.UNSTAFFED_FUNCTION
STALE, PENDING = GapKind.STALE_REVIEW, GapKind.PENDING_REVIEW
MEDIUM, LOW = Severity.MEDIUM, Severity.LOW


def _denominator_gaps(c: Coverage) -> list[Gap]:
    chain = (
        (c.functions, GapKind.NO_FUNCTIONS, Severity.HIGH, "functions", 1,
         "The organization has no functions yet: add them before mapping the product."),
        (c.assignments, GapKind.NO_ASSIGNMENTS, Severity.HIGH, "map", c.functions,
         f"No function is mapped to this product yet: {_n(c.functions, 'function')} to map."),
        (c.review_pairs, GapKind.NO_REVIEW_PAIRS, Severity.MEDIUM, "people", 1,
         "No mapped function has people in it, so nobody can review the map."),
        (c.current_reviews, GapKind.NO_CURRENT_REVIEWS, Severity.MEDIUM, "reviews", c.review_pairs,
         "No review is current yet, so agreement is 0%: ask the stakeholders to review their layers."),
    )  # fmt: skip
    for denominator, kind, severity, page, count, message in chain:
        if not denominator:  # only the first empty link: the later ones follow from it
            return [Gap(kind, severity, message, {"page": page}, count=count)]
    return []


def _layer_gaps(layers: tuple[LayerCoverage, ...]) -> list[Gap]:
    message = "The {} has no lead: name the one function accountable for it."
    return [
        Gap(GapKind.UNOWNED_LAYER, Severity.HIGH, message.format(row.name), {"layer": row.key}, row.name)
        for row in layers
        if not row.owned
    ]


def _function_gaps(
    fns: dict[int, FunctionRow],
    assigned: list[AssignmentRow],
    staff: Counter[int],
    tallies: dict[int, Tally],
    *,
    no_assignments: bool,
    ordered: Iterable[FunctionRow] | None = None,
) -> list[Gap]:
    """The gaps of unmapped, unstaffed, stale and pending functions, made function by function in
    the order of `ordered` (the values of `fns` when not given): `function_order`'s makes each
    kind's gaps come in their order (`in_gap_order`'s `presorted`)."""
    layers_of: dict[int, list[str]] = {}
    pending: dict[int, int] = {}
    stale: dict[int, int] = {}
    for a in assigned:  # plain dicts and local names: 6,000 assignments at 5,000 functions
        function_id = a.function_id
        t = tallies[a.id]
        waiting, old = staff[function_id] - t.reviewed, t.reviewed - t.current
        if function_id in layers_of:
            layers_of[function_id].append(a.layer_key)
            pending[function_id] += waiting
            stale[function_id] += old
        else:
            layers_of[function_id] = [a.layer_key]
            pending[function_id] = waiting
            stale[function_id] = old
    gaps: list[Gap] = []
    add = gaps.append
    for f in fns.values() if ordered is None else ordered:
        name = f.name
        if f.id not in layers_of:
            if not no_assignments:  # else the one no_assignments gap says it
                message = f"{name} is not mapped to any layer of this product."
                add(Gap(UNMAPPED, MEDIUM, message, {"function_id": f.id}, name))
            continue
        if not staff[f.id]:
            where = _join([_LAYER_BY_KEY[key].name for key in sorted(layers_of[f.id], key=_ring)])
            message = f"{name} is mapped to the {where} but has nobody in it to review that."
            add(Gap(UNSTAFFED, MEDIUM, message, {"function_id": f.id}, name))
        count = stale[f.id]
        if count:
            message = f"{_n(count, 'review')} from {name} need re-confirming after a change or a disruption."
            add(Gap(STALE, LOW, message, {"function_id": f.id}, name, count))
        count = pending[f.id]
        if count:
            add(Gap(PENDING, LOW, f"{_n(count, 'review')} pending from {name}.", {"function_id": f.id}, name, count))
    return gaps


def _dispute_gaps(assigned: list[AssignmentRow], fns: dict[int, FunctionRow], tallies: dict[int, Tally]) -> list[Gap]:
    gaps = []
    for a in assigned:
        count = tallies[a.id].open
        if not count:
            continue
        name = fns[a.function_id].name
        # A disputed lead puts the layer's ownership itself in question.
        severity = Severity.HIGH if a.emphasis == LEAD else Severity.MEDIUM
        message = f"{_n(count, 'open dispute')} on {name} as {a.emphasis} of the {_LAYER_BY_KEY[a.layer_key].name}."
        target: dict[str, int | str] = {"assignment_id": a.id, "function_id": a.function_id, "layer": a.layer_key}
        gaps.append(Gap(GapKind.OPEN_DISPUTE, severity, message, target, name, count))
    return gaps


def _partnership_gaps(
    partnerships: Iterable[PartnershipRow], disrupted: dict[int, datetime], now: datetime
) -> list[Gap]:
    """The weak links and those due a trust check; days are the calendar's of `now`'s zone."""
    today = now.date()
    disrupted_on = {function_id: calendar_day(moment, now) for function_id, moment in disrupted.items()}
    gaps = []
    # Links share their few (flag, last check, disruption day) combinations: each is judged and
    # worded once (7,500 links at 5,000 functions, a few hundred combinations).
    worded: dict[tuple[bool, date | None, date | None], str] = {}
    for p in partnerships:  # the sentences are written only for a link with a gap
        weak = p.trust <= WEAK_TRUST
        ends = p.a_function_id, p.b_function_id
        # Most links touch no disrupted function: those skip the call (7,500 links at 5,000 functions).
        touched = disrupted_on and (ends[0] in disrupted_on or ends[1] in disrupted_on)
        day = partnership_disruption_day(ends, disrupted_on) if touched else None
        key = (p.needs_trust_check, p.last_checked_on, day)
        why = worded.get(key)
        if why is None:
            why = worded[key] = _unchecked_reason(p.needs_trust_check, p.last_checked_on, day, today)
        if not (weak or why):
            continue
        name = f"{p.a_name} ↔ {p.b_name}"
        target: dict[str, int | str] = {"partnership_id": p.id}
        between = f"Trust between {p.a_name} and {p.b_name}"
        if weak:
            gaps.append(Gap(GapKind.WEAK_PARTNERSHIP, MEDIUM, f"{between} is {p.trust}/5.", target, name))
        if why:
            gaps.append(Gap(GapKind.UNCHECKED_PARTNERSHIP, LOW, f"{between} {why}.", target, name))
    return gaps


def _unchecked_reason(flagged: bool, last_checked_on: date | None, disruption_day: date | None, today: date) -> str:
    due = trust_check_due(flagged=flagged, last_checked_on=last_checked_on, disruption_day=disruption_day, today=today)
    if due.never:
        return "has never been checked"
    if due.disrupted:
        on = f" on {format_day(due.disruption_day)}" if due.disruption_day else ""
        return f"has not been checked since a disruption{on}"
    if due.age is not None and last_checked_on is not None:
        return f"was last checked {due.age} days ago, on {format_day(last_checked_on)}"
    return ""


# The gaps of one function each, their target {"function_id": id}.
FUNCTION_KINDS = frozenset({UNMAPPED, UNSTAFFED, STALE, PENDING})
# The gaps of one link each, their target {"partnership_id": id} (`_partnership_gaps`).
LINK_KINDS = frozenset({GapKind.WEAK_PARTNERSHIP, GapKind.UNCHECKED_PARTNERSHIP})


def function_order(fns: Iterable[FunctionRow]) -> list[FunctionRow]:
    """The functions in the order their gaps take within each kind of `FUNCTION_KINDS`: by
    `order_within_kind` of the target they share, {"function_id": id} (name, case-folded first,
    then id). A layer's contributors are listed in this order too (`compute.name_order`'s, the
    ties between two functions of one name aside, whose names are the same)."""
    # `order_within_kind(UNMAPPED, name, {"function_id": id})` is (0, name folded, name, 0,
    # (("function_id", id),)): ordered as (name folded, name, id), built without the target.
    return sorted(fns, key=lambda f: (f.name.casefold(), f.name, f.id))


def in_gap_order(gaps: Iterable[Gap], *, presorted: Collection[GapKind] = ()) -> list[Gap]:
    """The gaps as `sorted(gaps, key=_gap_order)` orders them, for less: grouped by severity and
    kind (a dozen groups, in their ranks' order), each group sorted by `order_within_kind` unless
    its kind is `presorted` (its gaps came in that order: `function_order`'s). At 5,000 functions,
    computing `_gap_order` for each of 11,800 gaps was a sixth of a report build."""
    groups: dict[tuple[Severity, GapKind], list[Gap]] = {}
    for gap in gaps:
        key = (gap.severity, gap.kind)
        group = groups.get(key)
        if group is None:
            groups[key] = [gap]
        else:
            group.append(gap)
    ordered: list[Gap] = []
    for (_severity, kind), group in sorted(groups.items(), key=lambda item: _rank(*item[0])):
        if kind in presorted:
            pass
        elif kind in LINK_KINDS:
            # A link's target is {"partnership_id": id} alone: `order_within_kind` is (0, name
            # folded, name, 0, (("partnership_id", id),)), ordered as (name folded, name, id).
            group.sort(key=lambda gap: (gap.name.casefold(), gap.name, gap.target["partnership_id"]))
        else:
            group.sort(key=lambda gap: order_within_kind(kind, gap.name, gap.target))
        ordered += group
    return ordered


def _rank(severity: Severity, kind: GapKind) -> tuple[int, int]:
    return _SEVERITY_RANK[severity], _KIND_RANK[kind]


def _gap_order(gap: Gap) -> tuple[Any, ...]:
    return *_rank(gap.severity, gap.kind), *order_within_kind(gap.kind, gap.name, gap.target)


def order_within_kind(kind: GapKind, name: str, target: Mapping[str, Any]) -> tuple[Any, ...]:
    """A gap's place among the gaps of its kind and severity (the tail of `_gap_order`): a page of
    gaps orders what it will build by this, before building it."""
    # Unowned layers run in ring order (core first) rather than alphabetically; the disputes
    # of one function run in ring order too. Gaps of one kind share target keys, so the target
    # items compare like with like.
    if "layer" in target:
        ring = _ring(target["layer"])
        first = ring if kind == GapKind.UNOWNED_LAYER else 0
    else:
        ring = first = 0
    items = tuple(sorted(target.items())) if len(target) > 1 else tuple(target.items())
    return first, name.casefold(), name, ring, items


def _ring(layer_key: Any) -> int:
    return _LAYER_BY_KEY[layer_key].ring


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
