"""What a scenario would do to the whole product (issue 18 item 2), computed in memory.

For each product: today's coverage and the scenario's, both out of the same
`layers.coverage.assemble_coverage` the live read model ends in (DESIGN §4, §8: one formula).
Today's side is fed exactly as `layers.readmodel.read.live_coverage` feeds it (the maintained
`CellCounts` tallies); the scenario's side starts from the same tallies and recounts only the
cells the changes touch, pair by pair, with `layers.review_state`'s rule:

- a pair whose person stays in the function and whose assignment keeps its meaning keeps the
  state the read model holds for it (`ReviewPair`);
- a person joining a function brings their own latest review of its assignments, if any, judged
  against the assignment's cutoff (pending otherwise);
- a changed assignment (another emphasis) or a disrupted function makes every review of it
  stale (the change happens after every review there is); a new assignment has no review;
- a person who leaves a function, or leaves, takes their pairs with them.

Nothing is written. What is read: the organization's functions and every product's cells
(what live coverage reads), the lead of every layer, and, for the functions and people the
changes touch only, their people, review pairs and the reviews of joiners — a fixed number of
queries whatever the organization's size (tests/scenarios/test_impact_queries.py).

The scenario's figures are those once every change has taken effect, planned disruptions
included (a disruption dated next month counts in the scenario: it is part of the future the
leader is looking at). Applying a scenario whose disruptions are dated today or earlier leaves
the organization with exactly the scenario's figures (tests/scenarios/test_impact_equals_apply.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from layers.coverage import LAYERS, LEAD, Coverage, FunctionRow
from layers.rings import Member, RingInput

# A function of the scenario: an existing function's id, or "new:<step id>" for one it creates.
FunctionKey = int | str


@dataclass(frozen=True)
class LeadChange:
    """A layer whose lead is not the same in the scenario (names; None: no lead)."""

    layer_key: str
    layer_name: str
    before: str | None
    after: str | None

    @property
    def lost(self) -> bool:
        return self.before is not None and self.after is None

    @property
    def gained(self) -> bool:
        return self.before is None and self.after is not None

    def sentence(self, product: str) -> str:
        layer = f"the {self.layer_name} layer of {product}"
        if self.lost:
            return f"The {self.layer_name} layer of {product} loses its lead ({self.before})."
        if self.gained:
            return f"{self.after} would lead {layer}, which has no lead today."
        return f"The {self.layer_name} layer of {product} changes lead: {self.before} → {self.after}."


@dataclass(frozen=True)
class ProductImpact:
    product_id: int
    name: str
    slug: str
    today: Coverage
    scenario: Coverage
    lead_changes: tuple[LeadChange, ...] = ()
    # Cells (function, layer key) the scenario creates, changes or clears, or whose people change.
    changed_cells: frozenset[tuple[FunctionKey, str]] = frozenset()
    newly_unmapped: tuple[str, ...] = ()  # function names mapped today, mapped nowhere on it then
    newly_unstaffed: tuple[str, ...] = ()  # mapped function names with people today, with none then
    pairs_to_pending: int = 0  # review pairs current or stale today whose person must review afresh
    pairs_to_stale: int = 0  # current today, stale in the scenario
    # What the two pictures are drawn from, (functions, external ids, (function, layer, emphasis) cells)
    # for today and the scenario: drawn on first use (`rings_today`, `rings_scenario`), since an
    # impact of 10 products at 5,000 functions would otherwise build 100,000 chips nobody looks at.
    ring_sources: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def rings_today(self) -> tuple[RingInput, ...]:
        return draw_rings(*self.ring_sources[0]) if self.ring_sources else ()

    @cached_property
    def rings_scenario(self) -> tuple[RingInput, ...]:
        return draw_rings(*self.ring_sources[1]) if self.ring_sources else ()

    @property
    def score_delta(self) -> int:
        return self.scenario.score - self.today.score

    @property
    def changed(self) -> bool:
        return bool(self.changed_cells or self.lead_changes) or self.today.to_dict() != self.scenario.to_dict()

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": {"id": self.product_id, "name": self.name, "slug": self.slug},
            "today": figures(self.today),
            "scenario": figures(self.scenario),
            "score_delta": self.score_delta,
            "lead_changes": [
                {"layer": c.layer_key, "layer_name": c.layer_name, "before": c.before, "after": c.after, "lost": c.lost}
                for c in self.lead_changes
            ],
            "changed_cells": [
                {"function": str(function), "layer": layer}
                for function, layer in sorted(self.changed_cells, key=lambda cell: (str(cell[0]), cell[1]))
            ],
            "newly_unmapped": list(self.newly_unmapped),
            "newly_unstaffed": list(self.newly_unstaffed),
            "pairs_to_pending": self.pairs_to_pending,
            "pairs_to_stale": self.pairs_to_stale,
        }


@dataclass(frozen=True)
class PartnershipImpact:
    """A partnership the scenario puts in question."""

    partnership_id: int
    a_name: str
    b_name: str
    loses: str | None = None  # the name of the function it loses (merged away)
    needs_trust_check: bool = False  # a planned disruption touches one of its functions

    def sentence(self) -> str:
        link = f"{self.a_name} ↔ {self.b_name}"
        if self.loses:
            return f"The partnership {link} loses {self.loses}."
        return f"The partnership {link} would need a trust check."

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.partnership_id,
            "a": self.a_name,
            "b": self.b_name,
            "loses": self.loses,
            "needs_trust_check": self.needs_trust_check,
        }


@dataclass(frozen=True)
class Impact:
    scenario_id: int
    steps: int
    computed_at: datetime
    products: tuple[ProductImpact, ...]
    people_to_reconfirm: int  # distinct people with at least one pair to review afresh
    pairs_to_pending: int
    pairs_to_stale: int
    partnerships: tuple[PartnershipImpact, ...] = ()
    consequences: tuple[str, ...] = field(default=())  # plain sentences, most serious first

    def product(self, product_id: int) -> ProductImpact:
        return next(p for p in self.products if p.product_id == product_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "steps": self.steps,
            "computed_at": self.computed_at.isoformat(),
            "products": [p.to_dict() for p in self.products],
            "people_to_reconfirm": self.people_to_reconfirm,
            "pairs_to_pending": self.pairs_to_pending,
            "pairs_to_stale": self.pairs_to_stale,
            "partnerships": [p.to_dict() for p in self.partnerships],
            "consequences": list(self.consequences),
        }


def figures(coverage: Coverage) -> dict[str, Any]:
    """One side of the comparison: the ratios and the score, and each layer's lead and reviews."""
    return {
        "score": coverage.score,
        "layer_coverage": coverage.layer_coverage,
        "function_coverage": coverage.function_coverage,
        "review_coverage": coverage.review_coverage,
        "agreement": coverage.agreement,
        "functions": coverage.functions,
        "mapped_functions": coverage.mapped_functions,
        "review_pairs": coverage.review_pairs,
        "current_reviews": coverage.current_reviews,
        "pending_reviews": coverage.pending_reviews,
        "stale_reviews": coverage.stale_reviews,
        "open_disputes": coverage.open_disputes,
        "layers": [
            {
                "key": layer.key,
                "name": layer.name,
                "lead": layer.lead,
                "contributors": list(layer.contributors),
                "stakeholders_reached": layer.stakeholders_reached,
                "reviewed_pct": layer.reviewed_pct,
                "agreement_pct": layer.agreement_pct,
            }
            for layer in coverage.layers
        ],
    }


def draw_rings(
    functions: Mapping[int, FunctionRow], external: frozenset[int], cells: Iterable[tuple[int, str, str]]
) -> tuple[RingInput, ...]:
    """The four rings (`layers.rings.RingInput`, core first) of (function, layer key, emphasis) cells."""
    by_layer: dict[str, list[Member]] = defaultdict(list)
    for function, layer, emphasis in cells:
        row = functions.get(function)
        if row is not None:
            by_layer[layer].append(Member(function, row.name, row.category, function in external, emphasis == LEAD))
    return tuple(
        RingInput(spec.key, spec.name, spec.ring, tuple(sorted(by_layer[spec.key], key=lambda m: m.name.casefold())))
        for spec in LAYERS
    )
