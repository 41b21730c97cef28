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

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

from ..review_state import (
    AGREE,
    PairStatus,
    check_verdict,
    is_open,
    latest_disruptions,
    latest_review,
    pair_status,
    staleness_cutoff,
)
from .gaps import (
    FUNCTION_KINDS,
    _denominator_gaps,
    _dispute_gaps,
    _function_gaps,
    _layer_gaps,
    _partnership_gaps,
    function_order,
    in_gap_order,
)
from .result import _COUNT_FIELDS, Coverage, LayerCoverage
from .rows import (
    _LAYER_BY_KEY,
    CONTRIBUTOR,
    LAYERS,
    LEAD,
    AssignmentRow,
    DisruptionRow,
    FunctionRow,
    LayerSpec,
    PartnershipRow,
    ReviewRow,
    StakeholderRow,
    Tally,
)

# --- input rows ---------------------------------------------------------------------------------


# --- output -------------------------------------------------------------------------------------


# --- arithmetic ---------------------------------------------------------------------------------


# --- the computation ----------------------------------------------------------------------------


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
    pairs are counted, not listed. `now` is told in the site's time zone: a trust check's days
    (today, a disruption's day) are that zone's calendar days (`domain.partnerships.calendar_day`)."""
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
        disrupted=disrupted, now=now,
    )  # fmt: skip


def assemble_coverage(
    *,
    functions: dict[int, FunctionRow],
    assigned: list[AssignmentRow],
    staff: Mapping[int, int],
    tallies: Mapping[int, Tally],
    partnerships: Iterable[PartnershipRow],
    disrupted: Mapping[int, datetime],
    now: datetime,
    gaps: bool = True,
) -> Coverage:
    """The numbers and gaps from per-assignment tallies: shared by the oracle (`compute_coverage`,
    tallies from raw rows) and live coverage (`layers.readmodel.read`, tallies maintained), so
    the two cannot follow different formulas. `staff` is the head count of each mapped function.
    `gaps=False` leaves the gap list empty (the figures are the same): a scenario's impact compares
    20 coverages at once and needs their figures, not a list of what to fix in each. `now` is told
    in the site's time zone, as for `compute_coverage`."""
    fns = functions
    staff = Counter(staff)
    by_layer: dict[str, list[AssignmentRow]] = {spec.key: [] for spec in LAYERS}
    for a in assigned:
        if a.layer_key in by_layer:
            by_layer[a.layer_key].append(a)
    # The functions by name once: each kind of function gap is made in this order, and each layer's
    # contributors are listed in it.
    ordered = function_order(fns.values())
    rank = {f.id: i for i, f in enumerate(ordered)}
    layers = tuple(_layer_row(spec, by_layer[spec.key], fns, staff, tallies, rank) for spec in LAYERS)
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
    found = in_gap_order(
        [
            *_denominator_gaps(coverage),
            *_layer_gaps(layers),
            *_function_gaps(fns, assigned, staff, tallies, no_assignments=not assigned, ordered=ordered),
            *_dispute_gaps(assigned, fns, tallies),
            *_partnership_gaps(partnerships, dict(disrupted), now),
        ],
        presorted=FUNCTION_KINDS,
    )
    return Coverage(**{name: getattr(coverage, name) for name in _COUNT_FIELDS}, layers=layers, gaps=tuple(found))


def _checked(a: AssignmentRow) -> AssignmentRow:
    if a.layer_key not in _LAYER_BY_KEY:
        raise ValueError(f"Assignment {a.id} names an unknown layer {a.layer_key!r}.")
    if a.emphasis not in (LEAD, CONTRIBUTOR):
        raise ValueError(f"Assignment {a.id} has an unknown emphasis {a.emphasis!r}.")
    return a


def _last_disruption_by_function(disruptions: Iterable[DisruptionRow], now: datetime) -> dict[int, datetime]:
    return latest_disruptions(((f, d.occurred_at) for d in disruptions for f in d.function_ids), now)


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
    here: list[AssignmentRow],
    fns: dict[int, FunctionRow],
    staff: Counter[int],
    tallies: Mapping[int, Tally],
    rank: Mapping[int, int],
) -> LayerCoverage:
    """The row of the layer `spec` from its assignments `here`; `rank`, each function's place in
    `function_order` (its contributors are listed in it: by `name_order`)."""
    # The database allows one lead per layer; should rows ever hold two, take the first by name.
    leads = sorted((a for a in here if a.emphasis == LEAD), key=lambda a: _name_key(fns[a.function_id].name, a.id))
    lead = leads[0] if leads else None
    contributors = [
        fns[function_id].name
        for function_id in sorted((a.function_id for a in here if a.emphasis == CONTRIBUTOR), key=rank.__getitem__)
    ]
    pairs = reviewed = current = agreeing = open_ = 0
    for a in here:  # one pass: 6,000 assignments at 5,000 functions
        t = tallies[a.id]
        pairs += staff[a.function_id]
        reviewed += t.reviewed
        current += t.current
        agreeing += t.agreeing
        open_ += t.open
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
        agreeing_reviews=agreeing,
        stale_reviews=reviewed - current,
        pending_reviews=pairs - reviewed,
        open_disputes=open_,
    )


def _name_key(name: str, tiebreak: int) -> tuple[str, str, int]:
    return name.casefold(), name, tiebreak


def name_order(name: str) -> tuple[str, str]:
    """How a layer's contributors are listed: by name, case folded, then as written (two names
    that fold alike, such as "Straße" and "STRASSE", keep one order whatever order they came in)."""
    return name.casefold(), name


# --- gaps ---------------------------------------------------------------------------------------
