"""A scenario's impact for a leadership meeting: XLSX and PDF, on the one export framework.

The impact is a dataset (shared/exports: tables of labelled, typed columns): a summary per
product (today, the scenario, the change), the layers whose lead changes, the consequences in
plain words and the steps. XLSX is the framework's format over those tables; the PDF is a
designed document (WeasyPrint) with the same figures and, per changed product, the rings today
and in the scenario with the changed cells marked.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from layers.exports.pdf import svg_css
from shared.exports import FORMATS, Column, ExportFile, Kind, Table

from .impact import Impact
from .models import Scenario
from .selectors import changes_of

EXPORT_FORMATS = ("pdf", "xlsx")
FIGURES = (
    ("score", "Score", Kind.INTEGER),
    ("layer_coverage", "Layers with a lead", Kind.PERCENT),
    ("function_coverage", "Functions mapped", Kind.PERCENT),
    ("review_coverage", "Reviews current", Kind.PERCENT),
    ("agreement", "Agreement", Kind.PERCENT),
)


def stem(scenario: Scenario) -> str:
    """ "scenario-merge-customer-success-into-sales-20261204-1730" """
    moment = timezone.localtime(timezone.now())
    return f"scenario-{slugify(scenario.name)[:60] or scenario.pk}-{moment:%Y%m%d-%H%M}"


def step_words(scenario: Scenario) -> list[tuple[int, str]]:
    from .views.pages import step_text

    return [(change.position, step_text(change)) for change in changes_of(scenario)]


def impact_tables(scenario: Scenario, impact: Impact) -> list[Table]:
    summary_columns = [Column("product", "Product")]
    for key, label, kind in FIGURES:
        summary_columns += [
            Column(f"{key}_today", f"{label} today", kind),
            Column(f"{key}_scenario", f"{label} in the scenario", kind),
        ]
    summary_columns += [
        Column("score_change", "Score change", Kind.INTEGER),
        Column("reviews_restarting", "Reviews starting again", Kind.INTEGER),
        Column("reviews_to_confirm", "Reviews to confirm again", Kind.INTEGER),
    ]
    summary_rows = []
    for product in sorted(impact.products, key=lambda p: p.name.lower()):
        row: list[Any] = [product.name]
        for key, _, _ in FIGURES:
            row += [getattr(product.today, key), getattr(product.scenario, key)]
        row += [product.score_delta, product.pairs_to_pending, product.pairs_to_stale]
        summary_rows.append(row)
    leads = [
        [p.name, change.layer_name, change.before or "No lead", change.after or "No lead"]
        for p in sorted(impact.products, key=lambda p: p.name.lower())
        for change in p.lead_changes
    ]
    return [
        Table("summary", "Products", summary_columns, summary_rows),
        Table(
            "leads",
            "Lead changes",
            [
                Column("product", "Product"),
                Column("layer", "Layer"),
                Column("today", "Lead today"),
                Column("scenario", "Lead in the scenario"),
            ],
            leads,
        ),
        Table(
            "consequences",
            "Consequences",
            [Column("consequence", "What would happen")],
            [[c] for c in impact.consequences],
        ),
        Table(
            "steps", "Steps", [Column("step", "Step", Kind.INTEGER), Column("change", "Change")], step_words(scenario)
        ),
    ]


def export_impact(scenario: Scenario, fmt: str) -> ExportFile:
    from .services import impact as compute

    impact = compute(scenario)
    if fmt == "xlsx":
        return FORMATS["xlsx"].render(impact_tables(scenario, impact), stem=stem(scenario))
    if fmt == "pdf":
        return ExportFile(f"{stem(scenario)}.pdf", "application/pdf", render_pdf(scenario, impact))
    raise ValueError(f"Cannot export a scenario as {fmt}.")


def with_style(svg: str) -> SafeString:
    """WeasyPrint styles inline SVG only from a <style> inside it (as layers/exports/pdf.py does)."""
    opening = re.search(r"<svg\b[^>]*>", svg)
    extra = (
        ".wp-chip.is-changed rect { stroke: #1c2133; stroke-width: 3; stroke-dasharray: 5 3; }"
        " .wp-chip-mark { fill: #fff; stroke: #1c2133; stroke-width: 2; }"
    )
    if opening is None:
        return mark_safe(svg)  # noqa: S308 - our own escaped markup
    style = f"<style>{svg_css()} {extra}</style>"
    return mark_safe(svg[: opening.end()] + style + svg[opening.end() :])  # noqa: S308 - our own markup


def render_pdf(scenario: Scenario, impact: Impact) -> bytes:
    import weasyprint  # heavy: loaded only when a PDF is asked for

    from .views.panels import impact_panel

    panel = impact_panel(impact, prefix="pdf")
    pictures = []
    for product in panel.changed_products:
        sides = []
        for picture in (product.today_picture, product.scenario_picture):
            html = render_to_string("scenarios/_rings.html", {"pic": picture}) if picture else ""
            sides.append(with_style(html))
        pictures.append((product, sides))
    html = render_to_string(
        "scenarios/pdf/impact.html",
        {
            "scenario": scenario,
            "org": scenario.organization,
            "panel": panel,
            "pictures": pictures,
            "steps": step_words(scenario),
            "generated": timezone.localtime(timezone.now()),
        },
    )
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
