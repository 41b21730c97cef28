"""What coverage comes to: the counts, percentages and gaps of one product, and how they round."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .rows import (
    LAYERS,
    SCHEMA_VERSION,
)


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
    # Contributors beyond those named (a page that reads the counters names the first few only).
    contributors_more: int = 0

    @property
    def owned(self) -> bool:
        return self.lead is not None

    @property
    def contributor_count(self) -> int:
        return len(self.contributors) + self.contributors_more

    @property
    def reviewed(self) -> float:
        return share(self.current_reviews, self.stakeholders_reached)

    @property
    def agreement(self) -> float:
        return share(self.agreeing_reviews, self.current_reviews)

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
            "contributor_count": self.contributor_count,
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


# What a layer row stores and answers: `contributors_more` is a page's count of names it did not
# load (a full coverage names every contributor), so it is neither stored nor read back; the
# answer says `contributor_count` (named or not) instead, which a stored row's names equal.
_LAYER_FIELDS = tuple(name for name in LayerCoverage.__dataclass_fields__ if name != "contributors_more")


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
        return share(self.owned_layers, len(LAYERS))

    @property
    def function_coverage(self) -> float:
        return share(self.mapped_functions, self.functions)

    @property
    def review_coverage(self) -> float:
        return share(self.current_reviews, self.review_pairs)

    @property
    def agreement(self) -> float:
        return share(self.agreeing_reviews, self.current_reviews)

    @property
    def score(self) -> int:
        """The mean of the three coverages as a whole percentage, rounded half up: exact integer
        arithmetic (`percent` of the mean's numerator over its denominator), the same as
        `round_half_up(100 * mean)` of the Fractions (tested)."""
        terms = (
            (self.owned_layers, len(LAYERS)),
            (self.mapped_functions, self.functions),
            (self.current_reviews, self.review_pairs),
        )
        if any(type(n) is not int for term in terms for n in term):
            mean = (self._layer_ratio + self._function_ratio + self._review_ratio) / 3
            return round_half_up(100 * mean)
        numerator, denominator = 0, 1
        for part, whole in terms:
            if whole:  # an empty denominator counts 0 (`_ratio`)
                numerator, denominator = numerator * whole + part * denominator, denominator * whole
        return percent(numerator, 3 * denominator)

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

    def to_dict(self, *, gaps: bool = True) -> dict[str, Any]:
        """JSON-ready: plain dicts, lists, str, int, float, bool and None only. Without `gaps`, the
        gaps are left out (a report build encodes the `Gap`s themselves: 11,800 at 5,000 functions)."""
        result = {
            "schema": SCHEMA_VERSION,
            "score": self.score,
            "layer_coverage": self.layer_coverage,
            "function_coverage": self.function_coverage,
            "review_coverage": self.review_coverage,
            "agreement": self.agreement,
            "counts": {name: getattr(self, name) for name in _COUNT_FIELDS},
            "layers": [row.to_dict() for row in self.layers],
        }
        if gaps:
            result["gaps"] = [gap.to_dict() for gap in self.gaps]
        return result

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
COUNT_FIELDS = _COUNT_FIELDS  # the counts of `to_dict()["counts"]`, in order


def _ratio(part: int, whole: int) -> Fraction:
    # An empty denominator gives 0; the caller reports it as a gap.
    return Fraction(part, whole) if whole else Fraction(0)


def share(part: int, whole: int) -> float:
    """`float(_ratio(part, whole))` without making a Fraction: Python divides two ints correctly
    rounded, so `part / whole` is the float nearest the exact ratio, as the Fraction's is (tested)."""
    if type(part) is int and type(whole) is int:
        return part / whole if whole else 0.0
    return float(_ratio(part, whole))


def round_half_up(value: Fraction | int) -> int:
    """Round to the nearest integer, halves away from zero (62.5 -> 63, where round() gives 62)."""
    value = Fraction(value)
    return math.floor(value + Fraction(1, 2)) if value >= 0 else -math.floor(-value + Fraction(1, 2))


def percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole percentage, rounded half up (0 for an empty `whole`): exact
    integer arithmetic, the same as `round_half_up(100 * Fraction(part, whole))` (tested) without
    making Fractions, which a page of 50 reports' four figures each spent 2 ms on."""
    if not whole:
        return 0
    if type(part) is not int or type(whole) is not int:
        return round_half_up(100 * _ratio(part, whole))
    n, d = (100 * part, whole) if whole > 0 else (-100 * part, -whole)
    return (2 * n + d) // (2 * d) if n >= 0 else -((d - 2 * n) // (2 * d))
