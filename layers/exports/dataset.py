"""A coverage report as a dataset: four tables (summary, layers, gaps, trend) with labels, not codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from domain.coverage.result import GapKind, Severity
from layers.models import CoverageReport
from shared.exports import Column, Kind, Table

from ..selectors.coverage import product_trend

# The table a CSV holds when none is named: the gaps, the report's list of things to fix
# (the longest table, and the one people sort and filter in a spreadsheet).
MAIN_TABLE = "gaps"

SEVERITY_LABELS = {Severity.HIGH: "High", Severity.MEDIUM: "Medium", Severity.LOW: "Low"}
GAP_KIND_LABELS = {
    GapKind.NO_FUNCTIONS: "No functions",
    GapKind.NO_ASSIGNMENTS: "Nothing mapped",
    GapKind.NO_REVIEW_PAIRS: "Nobody to review",
    GapKind.NO_CURRENT_REVIEWS: "No current reviews",
    GapKind.UNOWNED_LAYER: "Layer without a lead",
    GapKind.OPEN_DISPUTE: "Open dispute",
    GapKind.UNMAPPED_FUNCTION: "Function not mapped",
    GapKind.UNSTAFFED_FUNCTION: "Function without people",
    GapKind.WEAK_PARTNERSHIP: "Low-trust partnership",
    GapKind.UNCHECKED_PARTNERSHIP: "Partnership not checked",
    GapKind.STALE_REVIEW: "Review to re-confirm",
    GapKind.PENDING_REVIEW: "Review pending",
}
TRIGGER_LABELS = dict(CoverageReport.Trigger.choices)

RATIOS = (
    Column("layer_coverage", "Layer coverage", Kind.PERCENT),
    Column("function_coverage", "Function coverage", Kind.PERCENT),
    Column("review_coverage", "Review coverage", Kind.PERCENT),
    Column("agreement", "Agreement", Kind.PERCENT),
)
TOTALS = (
    Column("functions", "Functions", Kind.INTEGER),
    Column("mapped_functions", "Mapped functions", Kind.INTEGER),
    Column("assignments", "Assignments", Kind.INTEGER),
    Column("owned_layers", "Owned layers", Kind.INTEGER),
    Column("review_pairs", "Review pairs", Kind.INTEGER),
    Column("current_reviews", "Current reviews", Kind.INTEGER),
    Column("agreeing_reviews", "Agreeing reviews", Kind.INTEGER),
    Column("stale_reviews", "Stale reviews", Kind.INTEGER),
    Column("pending_reviews", "Pending reviews", Kind.INTEGER),
    Column("open_disputes", "Open disputes", Kind.INTEGER),
    Column("gaps", "Gaps", Kind.INTEGER),
)


def report_stem(report: CoverageReport) -> str:
    """ "coverage-insights-cloud-20261204-1730": the product and the moment, for file names."""
    moment = timezone.localtime(report.generated_at)
    product = slugify(report.product.name) or report.product.slug
    return f"coverage-{product}-{moment:%Y%m%d-%H%M}"


def report_tables(report: CoverageReport) -> list[Table]:
    return [summary(report), layers(report), gaps(report), trend(report)]


def report_size(report: CoverageReport) -> int:
    """How big the report's exports are, in rows: its functions (rings, layers) and its gaps."""
    totals: dict[str, Any] = report.totals or {}
    gaps = totals["gaps"] if "gaps" in totals else len(report.gaps or [])  # counted when it was built
    return int(totals.get("functions", 0)) + int(gaps)


def summary(report: CoverageReport) -> Table:
    totals: dict[str, Any] = report.totals or {}
    columns = [
        Column("organization", "Organization"),
        Column("product", "Product"),
        Column("generated_at", "Generated at", Kind.DATETIME),
        Column("trigger", "Trigger"),
        Column("score", "Score", Kind.INTEGER),
        *RATIOS,
        *(column for column in TOTALS if column.key in totals),
        Column("duration_ms", "Build time (ms)", Kind.INTEGER),
    ]
    row = [
        report.organization.name,
        report.product.name,
        report.generated_at,
        report.get_trigger_display(),
        report.score,
        report.layer_coverage,
        report.function_coverage,
        report.review_coverage,
        report.agreement,
        *(totals[column.key] for column in TOTALS if column.key in totals),
        report.duration_ms,
    ]
    return Table("summary", "Summary", columns, [row])


LAYER_COLUMNS = (
    Column("ring", "Ring", Kind.INTEGER),
    Column("layer", "Layer"),
    Column("lead", "Lead"),
    Column("lead_disputed", "Lead disputed", Kind.BOOLEAN),
    Column("contributors", "Contributors"),
    Column("stakeholders_reached", "Stakeholders reached", Kind.INTEGER),
    Column("current_reviews", "Current reviews", Kind.INTEGER),
    Column("reviewed", "Reviewed", Kind.PERCENT),
    Column("agreement", "Agreement", Kind.PERCENT),
    Column("stale_reviews", "Stale reviews", Kind.INTEGER),
    Column("pending_reviews", "Pending reviews", Kind.INTEGER),
    Column("open_disputes", "Open disputes", Kind.INTEGER),
)


def layers(report: CoverageReport) -> Table:
    rows = [
        (
            row["ring"],
            row["name"],
            row["lead"] or "",
            row["lead_disputed"],
            ", ".join(row["contributors"]),
            row["stakeholders_reached"],
            row["current_reviews"],
            row["reviewed"],
            row["agreement"],
            row["stale_reviews"],
            row["pending_reviews"],
            row["open_disputes"],
        )
        for row in report.layers
    ]
    return Table("layers", "Layers", LAYER_COLUMNS, rows)


GAP_COLUMNS = (
    Column("severity", "Severity"),
    Column("kind", "Kind"),
    Column("about", "About"),
    Column("message", "Message"),
    Column("count", "Count", Kind.INTEGER),
)


def gaps(report: CoverageReport) -> Table:
    rows = (
        (
            _label(SEVERITY_LABELS, gap["severity"]),
            _label(GAP_KIND_LABELS, gap["kind"]),
            gap.get("name", ""),
            gap["message"],
            gap.get("count", 1),
        )
        for gap in report.gaps
    )
    return Table("gaps", "Gaps", GAP_COLUMNS, rows)


def _label(labels: Mapping[Any, Any], code: str) -> str:
    """The label of a code; an unknown code (a snapshot older than the code) in plain words."""
    return str(labels.get(code) or code.replace("_", " ").capitalize())


TREND_COLUMNS = (
    Column("generated_at", "Generated at", Kind.DATETIME),
    Column("trigger", "Trigger"),
    Column("score", "Score", Kind.INTEGER),
    *RATIOS,
)


def trend(report: CoverageReport) -> Table:
    rows = (
        (
            row["generated_at"],
            _label(TRIGGER_LABELS, row["trigger"]),
            row["score"],
            row["layer_coverage"],
            row["function_coverage"],
            row["review_coverage"],
            row["agreement"],
        )
        for row in product_trend(report)
    )
    return Table("trend", "Trend", TREND_COLUMNS, rows)
