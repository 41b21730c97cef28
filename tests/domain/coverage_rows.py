"""Rows for the coverage tests, built by hand: one line per function, person, assignment and review."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.coverage.compute import compute_coverage
from domain.coverage.result import Coverage, Gap, GapKind
from domain.coverage.rows import (
    AssignmentRow,
    FunctionRow,
    ReviewRow,
    StakeholderRow,
)


def nov(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 11, day, hour, tzinfo=UTC)


NOW = nov(20)


def fn(id_: int, name: str, category: str = "building") -> FunctionRow:
    return FunctionRow(id=id_, name=name, category=category)


def people(function_id: int, *ids: int) -> list[StakeholderRow]:
    return [StakeholderRow(id=i, function_id=function_id) for i in ids]


def assign(id_: int, function_id: int, layer: str, emphasis: str = "contributor", changed: int = 1) -> AssignmentRow:
    return AssignmentRow(id=id_, function_id=function_id, layer_key=layer, emphasis=emphasis, changed_at=nov(changed))


def review(assignment_id: int, stakeholder_id: int, verdict: str = "agree", day: int = 3, **kw) -> ReviewRow:
    return ReviewRow(
        assignment_id=assignment_id, stakeholder_id=stakeholder_id, verdict=verdict, created_at=nov(day), **kw
    )


def compute(**rows) -> Coverage:
    rows.setdefault("functions", [])
    rows.setdefault("assignments", [])
    rows.setdefault("stakeholders", [])
    rows.setdefault("reviews", [])
    return compute_coverage(now=rows.pop("now", NOW), **rows)


def kinds(coverage: Coverage) -> list[str]:
    return [str(gap.kind) for gap in coverage.gaps]


def gaps_of(coverage: Coverage, kind: GapKind) -> list[Gap]:
    return [gap for gap in coverage.gaps if gap.kind == kind]
