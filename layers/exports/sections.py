"""The rows of a coverage report, in four sections: summary, layers, gaps and trend."""

from __future__ import annotations

from typing import Any

from layers.models import CoverageReport
from layers.selectors_coverage import product_trend

from .base import Ratio, Section, local

SEVERITY = {"high": "High", "medium": "Medium", "low": "Low"}


def report_sections(report: CoverageReport) -> list[Section]:
    return [summary(report), layers(report), gaps(report), trend(report)]


def summary(report: CoverageReport) -> Section:
    totals: dict[str, Any] = report.totals or {}
    rows: list[tuple[str, Any]] = [
        ("Organization", report.organization.name),
        ("Product", report.product.name),
        ("Generated at", local(report.generated_at).replace(tzinfo=None)),
        ("Trigger", report.get_trigger_display()),
        ("Score", report.score),
        ("Layer coverage", Ratio(report.layer_coverage)),
        ("Function coverage", Ratio(report.function_coverage)),
        ("Review coverage", Ratio(report.review_coverage)),
        ("Agreement", Ratio(report.agreement)),
    ]
    labels = (
        ("functions", "Functions"),
        ("mapped_functions", "Mapped functions"),
        ("assignments", "Assignments"),
        ("owned_layers", "Owned layers"),
        ("review_pairs", "Review pairs"),
        ("current_reviews", "Current reviews"),
        ("agreeing_reviews", "Agreeing reviews"),
        ("stale_reviews", "Stale reviews"),
        ("pending_reviews", "Pending reviews"),
        ("open_disputes", "Open disputes"),
        ("gaps", "Gaps"),
    )
    rows += [(label, totals[key]) for key, label in labels if key in totals]
    rows.append(("Build time (ms)", report.duration_ms))
    return Section("Summary", ("Metric", "Value"), rows)


def layers(report: CoverageReport) -> Section:
    headers = (
        "Ring",
        "Layer",
        "Lead",
        "Lead disputed",
        "Contributors",
        "Stakeholders reached",
        "Current reviews",
        "Reviewed",
        "Agreement",
        "Stale reviews",
        "Pending reviews",
        "Open disputes",
    )
    rows = [
        (
            row["ring"],
            row["name"],
            row["lead"] or "",
            "yes" if row["lead_disputed"] else "no",
            ", ".join(row["contributors"]),
            row["stakeholders_reached"],
            row["current_reviews"],
            Ratio(row["reviewed"]),
            Ratio(row["agreement"]),
            row["stale_reviews"],
            row["pending_reviews"],
            row["open_disputes"],
        )
        for row in report.layers
    ]
    return Section("Layers", headers, rows)


def gaps(report: CoverageReport) -> Section:
    rows = (
        (
            SEVERITY.get(gap["severity"], gap["severity"]),
            gap["kind"],
            gap.get("name", ""),
            gap["message"],
            gap.get("count", 1),
        )
        for gap in report.gaps
    )
    return Section("Gaps", ("Severity", "Kind", "About", "Message", "Count"), rows)


def trend(report: CoverageReport) -> Section:
    headers = (
        "Generated at",
        "Trigger",
        "Score",
        "Layer coverage",
        "Function coverage",
        "Review coverage",
        "Agreement",
    )
    trigger = dict(CoverageReport.Trigger.choices)
    rows = (
        (
            local(row["generated_at"]).replace(tzinfo=None),
            trigger.get(row["trigger"], row["trigger"]),
            row["score"],
            Ratio(row["layer_coverage"]),
            Ratio(row["function_coverage"]),
            Ratio(row["review_coverage"]),
            Ratio(row["agreement"]),
        )
        for row in product_trend(report)
    )
    return Section("Trend", headers, rows)
