"""What the impact panel, the compare page and the exports show: figures side by side, in words.

`impact_panel(impact)` turns `scenarios.impact.Impact` into rows a template prints as they are:
no arithmetic in templates, one place that says how a figure and its change read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layers.coverage import Coverage
from layers.reporting import as_percent
from layers.rings import RingInput
from layers.templatetags.reports import signed

from ..impact import Impact, ProductImpact
from .pictures import MarkedPicture, marked_picture

# (label, how to read it off a Coverage, is it a percentage)
FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("Score", "score", False),
    ("Layers with a lead", "layer_coverage", True),
    ("Functions mapped", "function_coverage", True),
    ("Reviews current", "review_coverage", True),
    ("Agreement", "agreement", True),
)


@dataclass(frozen=True)
class Figure:
    label: str
    key: str
    today: int
    scenario: int
    unit: str  # "%" or ""

    @property
    def delta(self) -> int:
        return self.scenario - self.today

    @property
    def delta_text(self) -> str:
        return signed(self.delta) + (" pts" if self.unit and self.delta else "")

    @property
    def trend(self) -> str:
        """up, down or same: the class of the change, and the words a screen reader hears."""
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def trend_words(self) -> str:
        return {"up": "better", "down": "worse", "same": "no change"}[self.trend]


def value(coverage: Coverage, key: str, is_percent: bool) -> int:
    raw = getattr(coverage, key)
    return as_percent(float(raw)) if is_percent else int(raw)


def figures(today: Coverage, scenario: Coverage) -> list[Figure]:
    return [
        Figure(label, key, value(today, key, pct), value(scenario, key, pct), "%" if pct else "")
        for label, key, pct in FIGURES
    ]


def band(score: int) -> str:
    """The score's colour band (DESIGN §4): the same classes as the dashboard."""
    return "good" if score >= 75 else "fair" if score >= 50 else "poor"


@dataclass(frozen=True)
class ProductPanel:
    impact: ProductImpact
    figures: list[Figure]
    today_picture: MarkedPicture | None
    scenario_picture: MarkedPicture | None
    sentences: list[str]  # this product's consequences, most serious first
    cells: list[str]  # each changed cell in words: "Customer Success, Augmented: lead → gone"

    @property
    def name(self) -> str:
        return self.impact.name

    @property
    def changed(self) -> bool:
        """Whether a reader sees a difference: a figure, a lead, a changed cell or a sentence."""
        return bool(any(f.delta for f in self.figures) or self.impact.lead_changes or self.cells or self.sentences)

    @property
    def score(self) -> Figure:
        return self.figures[0]

    @property
    def today_band(self) -> str:
        return band(self.score.today)

    @property
    def scenario_band(self) -> str:
        return band(self.score.scenario)


def product_sentences(product: ProductImpact) -> list[str]:
    """What changes for one product, in plain words."""
    lines = [change.sentence(product.name) for change in product.lead_changes]
    for name in product.newly_unmapped:
        lines.append(f"{name} would be mapped nowhere on {product.name}.")
    for name in product.newly_unstaffed:
        lines.append(f"{name} would have nobody left to do its part on {product.name}.")
    if product.pairs_to_pending:
        n = product.pairs_to_pending
        lines.append(f"{n} review{'s' if n != 1 else ''} on {product.name} would start again from nothing.")
    if product.pairs_to_stale:
        n = product.pairs_to_stale
        lines.append(f"{n} current review{'s' if n != 1 else ''} on {product.name} would need confirming again.")
    return lines


def _roles(rings: tuple[RingInput, ...]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(function key, layer key) → (function name, layer name, "lead" or "contributor")."""
    return {
        (str(m.function_id), ring.key): (m.name, ring.name, "lead" if m.is_lead else "contributor")
        for ring in rings
        for m in ring.members
    }


def cell_lines(product: ProductImpact) -> list[str]:
    """The changed cells in words, so the picture's marks are never the only way to see them."""
    before, after = _roles(product.rings_today), _roles(product.rings_scenario)
    lines = []
    for function, layer in product.changed_cells:
        key = (str(function), layer)
        was, will = before.get(key), after.get(key)
        if was is None and will is None:
            continue
        name, layer = (will or was)[0], (will or was)[1].removesuffix(" product")  # type: ignore[index]
        if was is None:
            verb = "lead" if will[2] == "lead" else "contribute to"  # type: ignore[index]
            lines.append(f"{name} would {verb} the {layer} layer (new).")
        elif will is None:
            verb = "lead" if was[2] == "lead" else "contribute to"
            lines.append(f"{name} would no longer {verb} the {layer} layer.")
        elif was[2] != will[2]:
            lines.append(f"{name} would go from {was[2]} to {will[2]} on the {layer} layer.")
        else:
            lines.append(f"{name} keeps its part in the {layer} layer; its people or their reviews change.")
    return sorted(lines)


def product_panel(product: ProductImpact, *, prefix: str = "scn") -> ProductPanel:
    changed = product.changed_cells
    return ProductPanel(
        impact=product,
        figures=figures(product.today, product.scenario),
        today_picture=marked_picture(  # marked too: what the scenario takes away shows where it is today
            product.rings_today,
            changed,
            prefix=f"{prefix}-{product.slug}-today",
            title=f"{product.name} today",
        ),
        scenario_picture=marked_picture(
            product.rings_scenario,
            changed,
            prefix=f"{prefix}-{product.slug}-scenario",
            title=f"{product.name} in this scenario",
        ),
        sentences=product_sentences(product),
        cells=cell_lines(product),
    )


@dataclass(frozen=True)
class ImpactPanel:
    impact: Impact
    products: list[ProductPanel]  # changed products first, then the rest

    @property
    def changed_products(self) -> list[ProductPanel]:
        return [p for p in self.products if p.changed]

    @property
    def unchanged_products(self) -> list[ProductPanel]:
        return [p for p in self.products if not p.changed]

    @property
    def consequences(self) -> tuple[str, ...]:
        return self.impact.consequences


def impact_panel(impact: Impact, *, prefix: str = "scn") -> ImpactPanel:
    panels = [product_panel(p, prefix=prefix) for p in impact.products]
    # The products that change most first: a lost lead, then the biggest fall of the score.
    panels.sort(
        key=lambda p: (
            not p.changed,
            -sum(1 for c in p.impact.lead_changes if c.lost),
            p.impact.score_delta,
            p.name.lower(),
        )
    )
    return ImpactPanel(impact=impact, products=panels)


def summary_rows(impact: Impact) -> list[dict[str, Any]]:
    """One row per product: the score today and in the scenario (the compare page and exports)."""
    return [
        {"product": p, "figures": figures(p.today, p.scenario)}
        for p in sorted(impact.products, key=lambda p: p.name.lower())
    ]
