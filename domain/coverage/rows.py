"""What coverage is computed from: plain rows read from the database (or built by a test), and the layers.

The rows live coverage reads by the thousand (functions, assignments, partnerships: 5,000, 6,000
and 7,500 of them at 5,000 functions) are named tuples, which are made three times faster than
frozen dataclasses (which set each field through `object.__setattr__`); immutable alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

SCHEMA_VERSION = 1


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


class FunctionRow(NamedTuple):
    id: int
    name: str
    category: str = ""


class AssignmentRow(NamedTuple):
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


class PartnershipRow(NamedTuple):
    id: int
    a_name: str
    b_name: str
    trust: int  # 1..5
    last_checked_on: date | None
    # The two functions, so a disruption touching either flags the partnership for a check.
    a_function_id: int | None = None
    b_function_id: int | None = None
    needs_trust_check: bool = False  # flagged by an applied disruption, cleared by a check-in


@dataclass(slots=True)
class Tally:
    """Per-assignment counters: filled in one pass over the reviews, or read from `CellCounts`."""

    reviewed: int = 0
    current: int = 0
    agreeing: int = 0
    open: int = 0
