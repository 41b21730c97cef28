"""What the report page and the PDF say about one snapshot (issue 5): its numbers beside the
previous snapshot's, its score trend with the disruptions that hit it, its gaps by severity.

Three queries (the trend, the disruptions, the first functions each touched); the rest reads the
snapshot's JSON. Pages and the PDF exporter share it so both tell the same story.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone

from domain.coverage.result import percent
from domain.rings.shapes import Member, RingInput, WholeProductData
from roles.models import Disruption
from roles.selectors.disruptions import Touched, touched
from shared.charts import TrendChart, dial, trend_chart
from shared.markup import page_address
from shared.prepared import prepared

from .models import Assignment, CoverageReport
from .selectors.coverage import product_trend

RATIOS = (
    ("layer_coverage", "Layer coverage", "layers with a lead"),
    ("function_coverage", "Function coverage", "functions mapped to a layer"),
    ("review_coverage", "Review coverage", "people who confirmed their part"),
    ("agreement", "Agreement", "current reviews that agree"),
)
SEVERITIES = ("high", "medium", "low")
TOUCHED_NAMED = 8  # functions a disruption in the story names; the rest are counted


@dataclass(frozen=True)
class RatioRow:
    key: str
    label: str
    help: str
    pct: int
    delta: int | None  # percentage points since the previous snapshot


@dataclass
class ReportStory:
    report: CoverageReport
    trend: list[dict[str, Any]]
    chart: TrendChart
    disruptions: list[Disruption] = field(default_factory=list)
    touched: dict[int, Touched] = field(default_factory=dict)  # by disruption: its first functions

    @property
    def touching(self) -> list[tuple[Disruption, Touched]]:
        return [(d, self.touched.get(d.pk, Touched())) for d in self.disruptions]

    @property
    def previous(self) -> dict[str, Any] | None:
        return self.trend[-2] if len(self.trend) >= 2 else None

    @property
    def score_delta(self) -> int | None:
        return self.report.score - self.previous["score"] if self.previous else None

    @property
    def score_delta_size(self) -> int | None:
        delta = self.score_delta
        return None if delta is None else abs(delta)

    @property
    def ratios(self) -> list[RatioRow]:
        before = self.previous
        return [
            RatioRow(
                key=key,
                label=label,
                help=help_,
                pct=as_percent(getattr(self.report, key)),
                delta=as_percent(getattr(self.report, key)) - as_percent(before[key]) if before else None,
            )
            for key, label, help_ in RATIOS
        ]

    @property
    def severity_counts(self) -> dict[str, int]:
        totals = self.report.totals or {}
        if all(f"gaps_{severity}" in totals for severity in SEVERITIES):  # counted when it was built
            return {severity: int(totals[f"gaps_{severity}"]) for severity in SEVERITIES}
        counts = dict.fromkeys(SEVERITIES, 0)
        for gap in self.report.gaps:
            counts[gap["severity"]] = counts.get(gap["severity"], 0) + 1
        return counts

    @property
    def dial(self) -> dict[str, Any]:
        return dial(self.report.score)


def as_percent(ratio: float) -> int:
    """A stored ratio as a whole percentage, rounded half up like every other figure."""
    return percent(round(ratio * 1_000_000), 1_000_000)


def report_story(report: CoverageReport) -> ReportStory:
    trend = product_trend(report)
    start = trend[0]["generated_at"] if len(trend) > 1 else report.generated_at - timedelta(days=30)
    disruptions = _disruptions(report, start)
    chart = trend_chart(
        [(report.product.name, [(row["generated_at"], row["score"]) for row in trend])],
        markers=[(d.effective_at, d.title) for d in disruptions],
        zone=timezone.get_current_timezone(),
    )
    found = touched([d.pk for d in disruptions], first=TOUCHED_NAMED, organization_id=report.organization_id)
    return ReportStory(report=report, trend=trend, chart=chart, disruptions=disruptions, touched=found)


def _disruptions(report: CoverageReport, start: datetime) -> list[Disruption]:
    """Disruptions between the trend's first snapshot and this one that touched a function
    mapped on the product: the ones that could have moved its numbers."""
    return list(_disruptions_between(report.organization_id, report.product_id, start, report.generated_at))


@prepared
def _disruptions_between(organization_id: int, product_id: int, start: datetime, end: datetime) -> QuerySet[Disruption]:
    mapped = Assignment.objects.filter(product_id=product_id).values("function_id")
    return (
        Disruption.objects.filter(
            organization_id=organization_id, effective_at__gte=start, effective_at__lte=end, functions__in=mapped
        )
        .distinct()
        .order_by("effective_at", "id")[:20]
    )


# --- where each gap is fixed --------------------------------------------------------------------


@dataclass(frozen=True)
class GapLink:
    url: str
    label: str


# Per gap kind: the pages that fix it, best first (a route another issue adds may be missing:
# the next one answers), and the button's label.
_FIXED_ON: dict[str, tuple[tuple[str, ...], str]] = {
    "no_functions": (("function-list",), "Add functions"),
    "no_assignments": (("product-map", "product-detail"), "Map the product"),
    "unowned_layer": (("product-map", "product-detail"), "Name a lead"),
    "unmapped_function": (("product-map", "product-detail"), "Map it"),
    "no_review_pairs": (("people-list",), "Add people"),
    "unstaffed_function": (("people-list",), "Add people"),
    "open_dispute": (("review-inbox", "product-detail"), "Resolve"),
    "no_current_reviews": (("review-inbox", "product-detail"), "Ask for reviews"),
    "pending_review": (("review-inbox", "product-detail"), "See reviews"),
    "stale_review": (("review-inbox", "product-detail"), "See reviews"),
    "weak_partnership": (("web", "function-list"), "Check trust"),
    "unchecked_partnership": (("web", "function-list"), "Check trust"),
}
_PRODUCT_PAGES = frozenset({"product-map", "product-detail"})


# What a stakeholder can do about a gap: review their own part. The rest is a leader's to fix.
_REVIEW_GAPS = ("pending_review", "stale_review", "no_current_reviews")
_STAKEHOLDER_FIXES: dict[str, tuple[tuple[str, ...], str]] = dict.fromkeys(_REVIEW_GAPS, (("me",), "Review your part"))


def gap_link(gap: dict[str, Any], *, org_slug: str, product_slug: str, can_edit: bool = True) -> GapLink | None:
    """The page where `gap` is fixed, from its kind and `target` (None for an unknown kind, or
    for a gap the requester cannot fix: a stakeholder only reviews their own part)."""
    fixes = _FIXED_ON if can_edit else _STAKEHOLDER_FIXES
    names, label = fixes.get(gap.get("kind", ""), ((), ""))
    target = gap.get("target", {})
    for name in names:
        try:
            url = page_address(name, org_slug, product_slug if name in _PRODUCT_PAGES else None)
        except NoReverseMatch:
            continue
        return GapLink(url + _refinement(name, target), label)
    return None


def _refinement(name: str, target: dict[str, Any]) -> str:
    """Point inside the page where it can: the layer's row of the map, the function's people."""
    if name == "people-list" and "function_id" in target:
        return f"?function={target['function_id']}"
    if name == "web" and "partnership_id" in target:
        return f"#partnership-{target['partnership_id']}"
    if name in _PRODUCT_PAGES and "layer" in target:
        return f"#layer-{target['layer']}"
    return ""


# --- comparing two snapshots --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class LayerDiff:
    key: str
    name: str
    ring: int
    lead_before: str | None
    lead_after: str | None
    added: tuple[str, ...]  # contributors
    removed: tuple[str, ...]
    reviewed: Change
    agreement: Change
    disputes: Change

    @property
    def lead_change(self) -> str:
        """ "gained", "lost", "changed" or "" (the same lead, or none in both)."""
        if self.lead_before == self.lead_after:
            return ""
        if self.lead_before is None:
            return "gained"
        return "lost" if self.lead_after is None else "changed"

    @property
    def changed(self) -> bool:
        moved = (self.reviewed.delta, self.agreement.delta, self.disputes.delta)
        return bool(self.lead_change or self.added or self.removed or any(moved))


@dataclass
class ReportDiff:
    """From the older snapshot to the newer, whichever order they were asked in."""

    older: CoverageReport
    newer: CoverageReport
    ratios: list[Change]
    counts: list[Change]
    layers: list[LayerDiff]
    mapped: list[str]
    unmapped: list[str]
    gaps_opened: list[dict[str, Any]]
    gaps_closed: list[dict[str, Any]]

    @property
    def score(self) -> Change:
        return Change("Score", self.older.score, self.newer.score)

    @property
    def same_product(self) -> bool:
        return self.older.product_id == self.newer.product_id

    @property
    def layers_changed(self) -> list[LayerDiff]:
        return [row for row in self.layers if row.changed]

    @property
    def identical(self) -> bool:
        return not (
            self.score.delta
            or any(c.delta for c in self.ratios + self.counts)
            or self.layers_changed
            or self.mapped
            or self.unmapped
            or self.gaps_opened
            or self.gaps_closed
        )


_COUNTS = (
    ("review_pairs", "Review pairs"),
    ("current_reviews", "Current reviews"),
    ("stale_reviews", "Stale reviews"),
    ("pending_reviews", "Pending reviews"),
    ("open_disputes", "Open disputes"),
    ("mapped_functions", "Mapped functions"),
    ("functions", "Functions"),
)


def compare_reports(a: CoverageReport, b: CoverageReport) -> ReportDiff:
    older, newer = sorted((a, b), key=lambda r: (r.generated_at, r.pk))
    before_counts, after_counts = older.totals or {}, newer.totals or {}
    return ReportDiff(
        older=older,
        newer=newer,
        ratios=[
            Change(label, as_percent(getattr(older, key)), as_percent(getattr(newer, key))) for key, label, _ in RATIOS
        ],
        counts=[
            Change(label, before_counts.get(key, 0), after_counts.get(key, 0))
            for key, label in _COUNTS
            if key in before_counts or key in after_counts
        ],
        layers=_layer_diffs(older.layers, newer.layers),
        mapped=sorted(mapped_functions(newer) - mapped_functions(older), key=str.casefold),
        unmapped=sorted(mapped_functions(older) - mapped_functions(newer), key=str.casefold),
        gaps_opened=_gaps_only_in(newer.gaps, older.gaps),
        gaps_closed=_gaps_only_in(older.gaps, newer.gaps),
    )


def mapped_functions(report: CoverageReport) -> set[str]:
    """Names of the functions on any layer of the snapshot."""
    names: set[str] = set()
    for row in report.layers:
        if row.get("lead"):
            names.add(row["lead"])
        names.update(row.get("contributors", []))
    return names


def _layer_diffs(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[LayerDiff]:
    old = {row["key"]: row for row in before}
    rows = []
    for row in after:
        prev = old.get(row["key"], {})
        was, now = set(prev.get("contributors", [])), set(row["contributors"])
        rows.append(
            LayerDiff(
                key=row["key"],
                name=row["name"],
                ring=row["ring"],
                lead_before=prev.get("lead"),
                lead_after=row["lead"],
                added=tuple(sorted(now - was, key=str.casefold)),
                removed=tuple(sorted(was - now, key=str.casefold)),
                reviewed=Change("Reviewed", prev.get("reviewed_pct", 0), row["reviewed_pct"]),
                agreement=Change("Agreement", prev.get("agreement_pct", 0), row["agreement_pct"]),
                disputes=Change("Open disputes", prev.get("open_disputes", 0), row["open_disputes"]),
            )
        )
    return rows


def _gap_key(gap: dict[str, Any]) -> tuple[str, str]:
    return gap["kind"], json.dumps(gap.get("target", {}), sort_keys=True)


def _gaps_only_in(these: list[dict[str, Any]], those: list[dict[str, Any]]) -> list[dict[str, Any]]:
    others = {_gap_key(gap) for gap in those}
    return [gap for gap in these if _gap_key(gap) not in others]


# --- a layer's state on the portfolio heat map --------------------------------------------------

LAYER_STATES = {
    "unowned": "No lead",
    "unreviewed": "Owned, not fully reviewed",
    "reviewed": "Owned and reviewed",
    "disputed": "Disputed",
}


def layer_state(row: dict[str, Any]) -> str:
    """unowned (no lead) / disputed (an open dispute on any of its assignments) / reviewed (every
    review pair has a current review) / unreviewed (owned, but some pairs pending or stale)."""
    if not row.get("lead"):
        return "unowned"
    if row.get("open_disputes"):
        return "disputed"
    reached = row.get("stakeholders_reached", 0)
    if reached and row.get("current_reviews", 0) >= reached:
        return "reviewed"
    return "unreviewed"


def snapshot_rings(report: CoverageReport) -> WholeProductData:
    """The picture as the snapshot saw it (its `data["rings"]`), not as the map stands today."""
    return stored_picture(report.product, report.data.get("rings", []))


def stored_picture(product: Any, rings: Iterable[Mapping[str, Any]]) -> WholeProductData:
    """A picture from rings as a snapshot stores them (key, name, ring, members), each with the
    number of members left out (`more`) when only the first were read."""
    return WholeProductData(
        product=product,
        rings=[
            RingInput(
                key=ring["key"],
                name=ring["name"],
                ring=ring["ring"],
                members=tuple(Member(**member) for member in ring["members"]),
                more=ring.get("more", 0),
            )
            for ring in rings
        ],
    )
