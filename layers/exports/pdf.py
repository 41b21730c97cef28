"""PDF (WeasyPrint): a designed two-page report an admin can send to the CEO.

Page one: the score and its four ratios against the previous snapshot, what needs attention,
and the whole product picture as it stood (the `whole_product_rings` tag, drawn from the
snapshot's own rings). Page two: the per-layer table, the score trend with the disruptions
that hit it, and the gaps. The gap list is capped so the PDF of a huge organization stays a
few pages and renders in about a second; the XLSX export has every row.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from layers.models import CoverageReport, Layer
from shared.charts import dial

from ..reporting import report_story, snapshot_rings

GAPS_SHOWN = 40
ATTENTION_SHOWN = 5


def render_pdf(report: CoverageReport) -> bytes:
    import weasyprint  # heavy: loaded only when a PDF is asked for

    html = render_to_string("layers/pdf/report.html", pdf_context(report))
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_context(report: CoverageReport) -> dict[str, Any]:
    story = report_story(report)
    gaps = report.gaps
    return {
        "report": report,
        "story": story,
        "org": report.organization,
        "product": report.product,
        "rings_svg": rings_svg(report),
        "attention": gaps[:ATTENTION_SHOWN],
        "gaps": gaps[:GAPS_SHOWN],
        "gaps_more": max(len(gaps) - GAPS_SHOWN, 0),
        "dial": dial(report.score),
        "layer_meanings": list(Layer.objects.order_by("ring").values("key", "name", "ring", "meaning")),
    }


_RINGS = Template("{% load whole_product %}{% whole_product_rings data %}")


def rings_svg(report: CoverageReport) -> SafeString:
    """The rings tag's markup with a stylesheet inside its <svg>: WeasyPrint styles inline SVG
    only from a <style> of its own, not from the page's CSS (where app.css's variables live)."""
    data = snapshot_rings(report)
    if len(data.rings) != 4:
        return mark_safe("")
    html = _RINGS.render(Context({"data": data}))
    opening = re.search(r"<svg\b[^>]*>", html)
    if opening is None:
        return mark_safe(html)  # noqa: S308 - the tag's own escaped markup
    style = f"<style>{svg_css()}</style>"
    return mark_safe(html[: opening.end()] + style + html[opening.end() :])  # noqa: S308 - our own markup


@lru_cache(maxsize=1)
def palette() -> dict[str, str]:
    """app.css's colour variables (`--layer-core: #3730a3` → {"layer-core": "#3730a3"})."""
    text = (settings.BASE_DIR / "static" / "css" / "app.css").read_text(encoding="utf-8")
    root = text[text.index(":root") : text.index("}", text.index(":root"))]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,8})", root))


@lru_cache(maxsize=1)
def svg_css() -> str:
    """map.css's rules for the rings, with the variables resolved to colours."""
    c = palette()
    rules = [
        "text { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; }",
        ".wp-ring { stroke: #fff; stroke-width: 3; }",
        ".wp-ring-label { font-size: 10.5px; font-weight: 700; letter-spacing: .08em; }",
        f".wp-empty {{ font-size: 10.5px; font-style: italic; fill: {c['ink']}; }}",
        f".wp-chip rect {{ fill: {c['muted']}; stroke: #ffffff; stroke-width: 1; }}",
        ".wp-chip text { fill: #fff; font-size: 12px; font-weight: 700; }",
        f".wp-chip.is-lead rect {{ stroke: {c['ink']}; stroke-width: 2.5; }}",
        f".wp-chip.is-external rect {{ stroke: {c['ink']}; stroke-width: 1.5; stroke-dasharray: 4 3; }}",
        f".wp-chip-more rect {{ fill: #fff; stroke: {c['muted']}; stroke-dasharray: 2 2; }}",
        f".wp-chip-more text {{ fill: {c['ink']}; }}",
    ]
    for layer in ("core", "expected", "augmented", "potential"):
        rules.append(f".wp-ring-{layer} {{ fill: {c[f'layer-{layer}-soft']}; }}")
        rules.append(f".layer-{layer} .wp-ring-label {{ fill: {c[f'layer-{layer}']}; }}")
    for category in ("building", "customer_facing", "cross_functional", "leadership", "partner"):
        rules.append(f".wp-chip.cat-{category} rect {{ fill: {c[f'cat-{category}']}; }}")
    rules.append(f".wp-ring-label.is-warn {{ fill: {c['danger']}; }}")  # after the layers: it wins
    return " ".join(rules)
