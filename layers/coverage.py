"""Coverage (DESIGN §4) as a pure function from rows to numbers: no database, no Django.

Selectors load plain rows (the dataclasses below) for one product; ``compute_coverage`` turns
them into a frozen ``Coverage``: the four ratios and the score, one row per layer, and the gaps
a leader should fix. Reports, dashboards, the "my role" page and the review inbox all call it,
and a ``CoverageReport`` stores ``Coverage.to_dict()``.

The formulas, with F = the organization's functions, A = the product's assignments:

- ``layer_coverage``    = owned layers / 4 (owned = has a lead)
- ``function_coverage`` = functions with at least one assignment / |F|
- ``review_coverage``   = review pairs with a current review / |P|, where the review pairs P are
  (assignment, stakeholder of that assignment's function)
- ``agreement``         = current reviews that agree / current reviews
- ``score``             = round-half-up(100 * mean of the first three)

Decisions, and why:

- **Exact arithmetic, rounding half up.** Ratios are kept as counts and computed with
  ``Fraction``, so 62.5 is exactly 62.5 and rounds to 63 (Python's ``round`` would give 62 and
  a float could give 62.4999…). Per-layer percentages round the same way.
- **An empty denominator gives 0 and a gap, never an error.** The denominators form a chain —
  no functions ⇒ no assignments ⇒ no review pairs ⇒ no current reviews — and only the first
  empty link is reported (``no_functions`` …), since the rest follow from it. The layer
  denominator is always 4.
- **A review counts only for a pair in P**: its stakeholder must be in the assignment's
  function, and only the stakeholder's latest review of the assignment counts (see
  ``review_state``: currency is strict, ties are stale, open disputes are counted whether the
  review is current or stale). Rows of other products or functions are ignored.
- **Gaps are aggregated to the level where they are fixed**, so an organization of 20,000
  people gets a readable list: one ``pending_review``/``stale_review`` gap per function (with a
  ``count`` of pairs), one ``open_dispute`` gap per assignment (with the number of people
  disputing it), one gap per unowned layer, per unmapped or unstaffed function and per
  partnership. When the product has no assignment at all, the single ``no_assignments`` gap
  replaces one ``unmapped_function`` gap per function. The list is bounded by
  |A| + 3·|F| + 2·partnerships + 5 whatever the number of people and reviews.
- **Gap order** is deterministic: severity (high, medium, low), then kind (the order of
  ``GapKind``), then name (unowned layers go in ring order instead), then the layer's ring
  (one function's disputes), then target.
- **Partnerships** need a trust check when trust ≤ 2 (``weak_partnership``), or when they were
  never checked, last checked 90 days ago or more, or a disruption touching either function
  happened after the day of the last check (``unchecked_partnership``; DESIGN §2: logging a
  disruption "flags their partnerships for a trust check"). A check made on the day of the
  disruption clears it: ``last_checked_on`` is a date, and a leader who re-checks trust right
  after logging a disruption should not have to wait until tomorrow for the flag to clear.
- A disruption dated after ``now`` does not count yet (``review_state``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .review_state import (
    AGREE,
    PairStatus,
    check_verdict,
    format_day,
    is_open,
    latest_review,
    pair_status,
    staleness_cutoff,
)

SCHEMA_VERSION = 1
UNCHECKED_AFTER_DAYS = 90
WEAK_TRUST = 2  # trust at or below this is a gap


@dataclass(frozen=True, slots=True)
class LayerSpec:
    key: str
    name: str
    ring: int


# Mirrors layers.models.Layer (rows from a data migration); a test keeps the two in step.
LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("core", "Core product", 1),
    LayerSpec("expected", "Expected product", 2),
    LayerSpec("augmented", "Augmented product", 3),
    LayerSpec("potential", "Potential product", 4),
)
_LAYER_BY_KEY = {spec.key: spec for spec in LAYERS}
LEAD = "lead"
CONTRIBUTOR = "contributor"


# --- input rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunctionRow:
    id: int
    name: str
    category: str = ""


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    id: int
    function_id: int
    layer_key: str
    emphasis: str  # "lead" | "contributor"
    changed_at: datetime | None = None  # None where the tallies are already counted (live coverage)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    assignment_id: int
    stakeholder_id: int
    verdict: str  # "agree" | "disagree"
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str = ""
    id: int = 0  # breaks a created_at tie between two reviews of one pair


@dataclass(frozen=True, slots=True)
class StakeholderRow:
    id: int
    function_id: int


@dataclass(frozen=True, slots=True)
class DisruptionRow:
    function_ids: frozenset[int] | tuple[int, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class PartnershipRow:
    id: int
    a_name: str
    b_name: str
    trust: int  # 1..5
    last_checked_on: date | None
    # The two functions, so a disruption touching either flags the partnership for a check.
    a_function_id: int | None = None
    b_function_id: int | None = None
    needs_trust_check: bool = False  # flagged by an applied disruption, cleared by a check-in


# --- output -------------------------------------------------------------------------------------


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class GapKind(StrEnum):
    # Declaration order is the sort order within a severity.
    NO_FUNCTIONS = "no_functions"
    NO_ASSIGNMENTS = "no_assignments"
    NO_REVIEW_PAIRS = "no_review_pairs"
    NO_CURRENT_REVIEWS = "no_current_reviews"
    UNOWNED_LAYER = "unowned_layer"
    OPEN_DISPUTE = "open_dispute"
    UNMAPPED_FUNCTION = "unmapped_function"
    UNSTAFFED_FUNCTION = "unstaffed_function"
    WEAK_PARTNERSHIP = "weak_partnership"
    UNCHECKED_PARTNERSHIP = "unchecked_partnership"
    STALE_REVIEW = "stale_review"
    PENDING_REVIEW = "pending_review"


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}
_KIND_RANK = {kind: rank for rank, kind in enumerate(GapKind)}


@dataclass(frozen=True)
class Gap:
    """Something to fix. ``target`` says where: {"layer": key}, {"function_id": id},
    {"assignment_id": id, "function_id": id, "layer": key}, {"partnership_id": id} or
    {"page": "functions" | "map" | "people" | "reviews"}; JSON-ready so a page can link to it."""

    kind: GapKind
    severity: Severity
    message: str
    target: dict[str, int | str]
    name: str = ""  # what the gap is about (a layer, a function, "A ↔ B"); used for ordering
    count: int = 1  # how many items this gap aggregates (pairs, people disputing …)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "severity": str(self.severity),
            "message": self.message,
            "target": dict(self.target),
            "name": self.name,
            "count": self.count,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gap:
        return cls(
            kind=GapKind(data["kind"]),
            severity=Severity(data["severity"]),
            message=data["message"],
            target=dict(data["target"]),
            name=data.get("name", ""),
            count=data.get("count", 1),
        )


@dataclass(frozen=True, slots=True)
class LayerCoverage:
    key: str
    name: str
    ring: int
    lead: str | None  # the lead function's name
    lead_function_id: int | None
    lead_disputed: bool  # the lead assignment has an open dispute
    contributors: tuple[str, ...]
    stakeholders_reached: int  # review pairs of this layer
    current_reviews: int
    agreeing_reviews: int
    stale_reviews: int
    pending_reviews: int
    open_disputes: int

    @property
    def owned(self) -> bool:
        return self.lead is not None

    @property
    def reviewed(self) -> float:
        return float(_ratio(self.current_reviews, self.stakeholders_reached))

    @property
    def agreement(self) -> float:
        return float(_ratio(self.agreeing_reviews, self.current_reviews))

    @property
    def reviewed_pct(self) -> int:
        return percent(self.current_reviews, self.stakeholders_reached)

    @property
    def agreement_pct(self) -> int:
        return percent(self.agreeing_reviews, self.current_reviews)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in _LAYER_FIELDS}
        data["contributors"] = list(self.contributors)
        data |= {
            "reviewed": self.reviewed,
            "agreement": self.agreement,
            "reviewed_pct": self.reviewed_pct,
            "agreement_pct": self.agreement_pct,
        }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerCoverage:
        values = {name: data[name] for name in _LAYER_FIELDS}
        values["contributors"] = tuple(values["contributors"])
        return cls(**values)


_LAYER_FIELDS = tuple(LayerCoverage.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The numbers of DESIGN §4. Counts are stored; ratios and the score derive from them."""

    functions: int  # |F|
    mapped_functions: int
    assignments: int  # |A| (of functions in F)
    owned_layers: int
    review_pairs: int  # |P|
    current_reviews: int
    agreeing_reviews: int
    stale_reviews: int
    pending_reviews: int
    open_disputes: int
    layers: tuple[LayerCoverage, ...]
    gaps: tuple[Gap, ...] = field(default=())

    @property
    def layer_coverage(self) -> float:
        return float(self._layer_ratio)

    @property
    def function_coverage(self) -> float:
        return float(self._function_ratio)

    @property
    def review_coverage(self) -> float:
        return float(self._review_ratio)

    @property
    def agreement(self) -> float:
        return float(_ratio(self.agreeing_reviews, self.current_reviews))

    @property
    def score(self) -> int:
        mean = (self._layer_ratio + self._function_ratio + self._review_ratio) / 3
        return round_half_up(100 * mean)

    @property
    def _layer_ratio(self) -> Fraction:
        return _ratio(self.owned_layers, len(LAYERS))

    @property
    def _function_ratio(self) -> Fraction:
        return _ratio(self.mapped_functions, self.functions)

    @property
    def _review_ratio(self) -> Fraction:
        return _ratio(self.current_reviews, self.review_pairs)

    def layer(self, key: str) -> LayerCoverage:
        return next(row for row in self.layers if row.key == key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain dicts, lists, str, int, float, bool and None only."""
        return {
            "schema": SCHEMA_VERSION,
            "score": self.score,
            "layer_coverage": self.layer_coverage,
            "function_coverage": self.function_coverage,
            "review_coverage": self.review_coverage,
            "agreement": self.agreement,
            "counts": {name: getattr(self, name) for name in _COUNT_FIELDS},
            "layers": [row.to_dict() for row in self.layers],
            "gaps": [gap.to_dict() for gap in self.gaps],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Coverage:
        """Rebuild from ``to_dict()``; derived numbers are recomputed from the counts."""
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"Unsupported coverage schema {data.get('schema')!r}.")
        return cls(
            **{name: data["counts"][name] for name in _COUNT_FIELDS},
            layers=tuple(LayerCoverage.from_dict(row) for row in data["layers"]),
            gaps=tuple(Gap.from_dict(gap) for gap in data["gaps"]),
        )


_COUNT_FIELDS = tuple(name for name in Coverage.__dataclass_fields__ if name not in ("layers", "gaps"))


# --- arithmetic ---------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> Fraction:
    # An empty denominator gives 0; the caller reports it as a gap.
    return Fraction(part, whole) if whole else Fraction(0)


def round_half_up(value: Fraction | int) -> int:
    """Round to the nearest integer, halves away from zero (62.5 -> 63, where round() gives 62)."""
    value = Fraction(value)
    return math.floor(value + Fraction(1, 2)) if value >= 0 else -math.floor(-value + Fraction(1, 2))


def percent(part: int, whole: int) -> int:
    return round_half_up(100 * _ratio(part, whole))


# --- the computation ----------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """Per-assignment counters: filled in one pass over the reviews, or read from `CellCounts`."""

    reviewed: int = 0
    current: int = 0
    agreeing: int = 0
    open: int = 0


def compute_coverage(
    *,
    functions: Iterable[FunctionRow],
    assignments: Iterable[AssignmentRow],
    stakeholders: Iterable[StakeholderRow],
    reviews: Iterable[ReviewRow],
    disruptions: Iterable[DisruptionRow] = (),
    partnerships: Iterable[PartnershipRow] = (),
    now: datetime,
) -> Coverage:
    """Coverage of one product from raw rows: the oracle (DESIGN §4). Runs in O(|F| + |A| + |S| + |R|):
    pairs are counted, not listed."""
    fns = {f.id: f for f in functions}
    staff: Counter[int] = Counter()  # function id -> number of stakeholders
    stakeholder_function: dict[int, int] = {}
    for s in stakeholders:
        stakeholder_function[s.id] = s.function_id
        staff[s.function_id] += 1
    assigned = [_checked(a) for a in assignments if a.function_id in fns]
    disrupted = _last_disruption_by_function(disruptions, now)
    tallies = _tally_reviews(reviews, assigned, stakeholder_function, disrupted)
    return assemble_coverage(
        functions=fns, assigned=assigned, staff=staff, tallies=tallies, partnerships=partnerships,
        disrupted=disrupted, today=now.date(),
    )  # fmt: skip


def assemble_coverage(
    *,
    functions: dict[int, FunctionRow],
    assigned: list[AssignmentRow],
    staff: Mapping[int, int],
    tallies: Mapping[int, Tally],
    partnerships: Iterable[PartnershipRow],
    disrupted: Mapping[int, datetime],
    today: date,
    gaps: bool = True,
) -> Coverage:
    """The numbers and gaps from per-assignment tallies: shared by the oracle (`compute_coverage`,
    tallies from raw rows) and live coverage (`layers.readmodel.read`, tallies maintained), so
    the two cannot follow different formulas. `staff` is the head count of each mapped function.
    `gaps=False` leaves the gap list empty (the figures are the same): a scenario's impact compares
    20 coverages at once and needs their figures, not a list of what to fix in each."""
    fns = functions
    staff = Counter(staff)
    layers = tuple(_layer_row(spec, assigned, fns, staff, tallies) for spec in LAYERS)
    mapped = {a.function_id for a in assigned}
    pairs = sum(staff[a.function_id] for a in assigned)
    current = sum(t.current for t in tallies.values())
    reviewed = sum(t.reviewed for t in tallies.values())
    coverage = Coverage(
        functions=len(fns),
        mapped_functions=len(mapped),
        assignments=len(assigned),
        owned_layers=sum(row.owned for row in layers),
        review_pairs=pairs,
        current_reviews=current,
        agreeing_reviews=sum(t.agreeing for t in tallies.values()),
        stale_reviews=reviewed - current,
        pending_reviews=pairs - reviewed,
        open_disputes=sum(t.open for t in tallies.values()),
        layers=layers,
    )
    if not gaps:
        return coverage
    found = [
        *_denominator_gaps(coverage),
        *_layer_gaps(layers),
        *_function_gaps(fns, assigned, staff, tallies, no_assignments=not assigned),
        *_dispute_gaps(assigned, fns, tallies),
        *_partnership_gaps(partnerships, dict(disrupted), today),
    ]
    found.sort(key=_gap_order)
    return Coverage(**{name: getattr(coverage, name) for name in _COUNT_FIELDS}, layers=layers, gaps=tuple(found))


def _checked(a: AssignmentRow) -> AssignmentRow:
    if a.layer_key not in _LAYER_BY_KEY:
        raise ValueError(f"Assignment {a.id} names an unknown layer {a.layer_key!r}.")
    if a.emphasis not in (LEAD, CONTRIBUTOR):
        raise ValueError(f"Assignment {a.id} has an unknown emphasis {a.emphasis!r}.")
    return a


def _last_disruption_by_function(disruptions: Iterable[DisruptionRow], now: datetime) -> dict[int, datetime]:
    latest: dict[int, datetime] = {}
    for d in disruptions:
        if d.occurred_at > now:
            continue  # has not happened yet
        for function_id in d.function_ids:
            seen = latest.get(function_id)
            if seen is None or d.occurred_at > seen:
                latest[function_id] = d.occurred_at
    return latest


def _tally_reviews(
    reviews: Iterable[ReviewRow],
    assigned: list[AssignmentRow],
    stakeholder_function: dict[int, int],
    disrupted: dict[int, datetime],
) -> dict[int, Tally]:
    by_id = {a.id: a for a in assigned}
    latest: dict[tuple[int, int], ReviewRow] = {}
    for r in reviews:
        a = by_id.get(r.assignment_id)
        # Only pairs in P count: the reviewer must belong to the assignment's function.
        if a is None or stakeholder_function.get(r.stakeholder_id) != a.function_id:
            continue
        key = (r.assignment_id, r.stakeholder_id)
        seen = latest.get(key)
        if seen is None or latest_review((seen, r)) is r:
            latest[key] = r
    cutoffs = {a.id: staleness_cutoff(_changed(a), disrupted.get(a.function_id)) for a in assigned}
    tallies = {a.id: Tally() for a in assigned}
    for (assignment_id, _), r in latest.items():
        tally = tallies[assignment_id]
        tally.reviewed += 1
        check_verdict(r.verdict)
        if pair_status(r, cutoffs[assignment_id]) == PairStatus.CURRENT:
            tally.current += 1
            tally.agreeing += r.verdict == AGREE
        # Open whether current or stale: only a leader's resolution closes a dispute.
        tally.open += is_open(r)
    return tallies


def _changed(a: AssignmentRow) -> datetime:
    if a.changed_at is None:
        raise ValueError(f"Assignment {a.id} has no changed_at: the oracle needs it.")
    return a.changed_at


def _layer_row(
    spec: LayerSpec,
    assigned: list[AssignmentRow],
    fns: dict[int, FunctionRow],
    staff: Counter[int],
    tallies: dict[int, Tally],
) -> LayerCoverage:
    here = [a for a in assigned if a.layer_key == spec.key]
    # The database allows one lead per layer; should rows ever hold two, take the first by name.
    leads = sorted((a for a in here if a.emphasis == LEAD), key=lambda a: _name_key(fns[a.function_id].name, a.id))
    lead = leads[0] if leads else None
    contributors = sorted((fns[a.function_id].name for a in here if a.emphasis == CONTRIBUTOR), key=str.casefold)
    pairs = sum(staff[a.function_id] for a in here)
    reviewed = sum(tallies[a.id].reviewed for a in here)
    current = sum(tallies[a.id].current for a in here)
    return LayerCoverage(
        key=spec.key,
        name=spec.name,
        ring=spec.ring,
        lead=fns[lead.function_id].name if lead else None,
        lead_function_id=lead.function_id if lead else None,
        lead_disputed=bool(lead and tallies[lead.id].open),
        contributors=tuple(contributors),
        stakeholders_reached=pairs,
        current_reviews=current,
        agreeing_reviews=sum(tallies[a.id].agreeing for a in here),
        stale_reviews=reviewed - current,
        pending_reviews=pairs - reviewed,
        open_disputes=sum(tallies[a.id].open for a in here),
    )


def _name_key(name: str, tiebreak: int) -> tuple[str, str, int]:
    return name.casefold(), name, tiebreak


# --- gaps ---------------------------------------------------------------------------------------


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
) -> list[Gap]:
    layers_of: dict[int, list[str]] = {}
    pending: Counter[int] = Counter()
    stale: Counter[int] = Counter()
    for a in assigned:
        layers_of.setdefault(a.function_id, []).append(a.layer_key)
        t = tallies[a.id]
        pending[a.function_id] += staff[a.function_id] - t.reviewed
        stale[a.function_id] += t.reviewed - t.current
    gaps: list[Gap] = []
    for f in fns.values():
        target: dict[str, int | str] = {"function_id": f.id}
        if f.id not in layers_of:
            if not no_assignments:  # else the one no_assignments gap says it
                message = f"{f.name} is not mapped to any layer of this product."
                gaps.append(Gap(GapKind.UNMAPPED_FUNCTION, Severity.MEDIUM, message, target, f.name))
            continue
        if not staff[f.id]:
            where = _join([_LAYER_BY_KEY[key].name for key in sorted(layers_of[f.id], key=_ring)])
            message = f"{f.name} is mapped to the {where} but has nobody in it to review that."
            gaps.append(Gap(GapKind.UNSTAFFED_FUNCTION, Severity.MEDIUM, message, target, f.name))
        if stale[f.id]:
            message = f"{_n(stale[f.id], 'review')} from {f.name} need re-confirming after a change or a disruption."
            gaps.append(Gap(GapKind.STALE_REVIEW, Severity.LOW, message, target, f.name, stale[f.id]))
        if pending[f.id]:
            message = f"{_n(pending[f.id], 'review')} pending from {f.name}."
            gaps.append(Gap(GapKind.PENDING_REVIEW, Severity.LOW, message, target, f.name, pending[f.id]))
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


def _partnership_gaps(partnerships: Iterable[PartnershipRow], disrupted: dict[int, datetime], today: date) -> list[Gap]:
    disrupted_on = {function_id: moment.date() for function_id, moment in disrupted.items()}
    gaps = []
    for p in partnerships:
        name = f"{p.a_name} ↔ {p.b_name}"
        target: dict[str, int | str] = {"partnership_id": p.id}
        between = f"Trust between {p.a_name} and {p.b_name}"
        if p.trust <= WEAK_TRUST:
            gaps.append(Gap(GapKind.WEAK_PARTNERSHIP, Severity.MEDIUM, f"{between} is {p.trust}/5.", target, name))
        why = _unchecked_reason(p, disrupted_on, today)
        if why:
            gaps.append(Gap(GapKind.UNCHECKED_PARTNERSHIP, Severity.LOW, f"{between} {why}.", target, name))
    return gaps


@dataclass(frozen=True, slots=True)
class TrustCheck:
    """Why a partnership's trust check is due (`trust_check_due`); nothing set means it is not."""

    never: bool = False  # never checked
    disrupted: bool = False  # flagged by a disruption, or one touched either function since the check
    disruption_day: date | None = None  # that disruption's day, when it came after the check
    age: int | None = None  # days since the check, once UNCHECKED_AFTER_DAYS or more

    @property
    def due(self) -> bool:
        return self.never or self.disrupted or self.age is not None


def trust_check_due(
    *, flagged: bool, last_checked_on: date | None, disruption_day: date | None, today: date
) -> TrustCheck:
    """The one rule for "this partnership needs a trust check" (the web and the coverage gaps):
    never checked; flagged by an applied disruption (`needs_trust_check`, cleared by a check-in);
    a disruption touching either function on a day after the check (a check on the disruption's
    own day answers it); or checked UNCHECKED_AFTER_DAYS days ago or more."""
    after = disruption_day if disruption_day and last_checked_on and disruption_day > last_checked_on else None
    age = (today - last_checked_on).days if last_checked_on else None
    return TrustCheck(
        never=last_checked_on is None,
        disrupted=flagged or after is not None,
        disruption_day=after,
        age=age if age is not None and age >= UNCHECKED_AFTER_DAYS else None,
    )


def _unchecked_reason(p: PartnershipRow, disrupted_on: dict[int, date], today: date) -> str:
    days = [disrupted_on[f] for f in (p.a_function_id, p.b_function_id) if f is not None and f in disrupted_on]
    due = trust_check_due(
        flagged=p.needs_trust_check,
        last_checked_on=p.last_checked_on,
        disruption_day=max(days, default=None),
        today=today,
    )
    if due.never:
        return "has never been checked"
    if due.disrupted:
        on = f" on {format_day(due.disruption_day)}" if due.disruption_day else ""
        return f"has not been checked since a disruption{on}"
    if due.age is not None and p.last_checked_on is not None:
        return f"was last checked {due.age} days ago, on {format_day(p.last_checked_on)}"
    return ""


def _gap_order(gap: Gap) -> tuple[Any, ...]:
    # Unowned layers run in ring order (core first) rather than alphabetically; the disputes
    # of one function run in ring order too. Gaps of one kind share target keys, so the target
    # items compare like with like.
    ring = _ring(gap.target["layer"]) if "layer" in gap.target else 0
    first = ring if gap.kind == GapKind.UNOWNED_LAYER else 0
    name = gap.name
    target = tuple(sorted(gap.target.items()))
    return _SEVERITY_RANK[gap.severity], _KIND_RANK[gap.kind], first, name.casefold(), name, ring, target


def _ring(layer_key: Any) -> int:
    return _LAYER_BY_KEY[layer_key].ring


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
