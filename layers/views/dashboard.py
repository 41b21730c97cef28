"""The organization's dashboard (issue 5): the portfolio heat map, each product's score and trend,
the disruptions under the trend, the top gaps with where each is fixed, and a rebuild button.

An empty organization gets its first steps instead. Scores and layer cells are live (the read
model's counter rows); the trend, the sparklines and the disruptions' effects come from the
snapshots. Either way it costs the same few queries for 3 products or 300 (a test counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from domain.coverage.rows import LAYERS
from roles.models import Disruption
from roles.permissions import OrgContext, OrgRequest, Perm, org_view
from roles.selectors.disruptions import Touched
from roles.statecache import DAY
from shared.charts import PALETTE, Sparkline, TrendChart, sparkline, trend_chart

from ..models import CoverageReport, Product
from ..readmodel.read import layer_counts, layer_row, summary_of
from ..readmodel.tables import ProductCounts
from ..reporting import LAYER_STATES, GapLink, gap_link, layer_state
from ..selectors import products as selectors
from ..selectors.portfolio import GAP_HEADS, Portfolio, portfolio

TOP_GAPS = GAP_HEADS  # the portfolio reads this many of each snapshot's gaps
CHART_LINES = len(PALETTE)
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


class Step(NamedTuple):
    title: str
    hint: str
    action: str
    url_name: str
    done: bool


@dataclass(frozen=True)
class Cell:
    key: str
    name: str
    state: str
    label: str
    lead: str | None
    reviewed_pct: int
    disputes: int
    url: str


@dataclass(frozen=True)
class HeatRow:
    product: Product
    latest: CoverageReport | None  # the last snapshot: its trend and its report link
    cells: list[Cell]  # live, from the read model
    spark: Sparkline
    score: int  # live, from the read model
    colour: str | None  # its line's colour on the trend chart

    @property
    def delta(self) -> int | None:
        return self.spark.delta

    @property
    def delta_size(self) -> int:
        return abs(self.delta or 0)


@dataclass(frozen=True)
class TopGap:
    product: Product
    gap: dict[str, Any]
    link: GapLink | None


@dataclass(frozen=True)
class Effect:
    product: Product
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class DisruptionEntry:
    number: int
    disruption: Disruption
    effects: list[Effect]
    touched: Touched  # its first functions by name, and how many


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def dashboard(request: OrgRequest) -> HttpResponse:
    ctx: OrgContext = request.ctx
    products = selectors.products_with_counts(ctx)
    counts = selectors.organization_counts(ctx, products=len(products))
    steps = _steps(counts)
    folio = portfolio(ctx, products)
    slug = ctx.organization.slug
    totals = {p.pk: p.counts for p in products if _has_counts(p)}
    rows = _heat_rows(folio, slug, _live(ctx, totals))
    entries = _disruption_entries(folio)
    context = {
        "counts": counts,
        "products": products,
        "steps": steps,
        "next_step": next((step for step in steps if not step.done), None),
        "getting_started": ctx.can_edit and not all(step.done for step in steps),
        "rows": rows,
        "layers": LAYERS,
        "states": LAYER_STATES,
        "chart": _chart(folio, entries),
        "chart_more": max(len(folio.built) - CHART_LINES, 0),
        "disruptions": entries,
        "top_gaps": _top_gaps(folio, slug, can_edit=ctx.can_edit),
        "last_build": folio.last_build,
        "built_count": len(folio.built),
        "can_build": ctx.can_edit and bool(products),
        "import_url": _url("import", slug),
        # A badge until every dispute is answered (issue 15): only for those who can answer them.
        "open_disputes": _open_disputes(ctx, totals),
    }
    return render(request, "layers/dashboard.html", context)


def _has_counts(product: Product) -> bool:
    try:
        return product.counts is not None
    except ProductCounts.DoesNotExist:  # a product whose counter row is not written yet
        return False


def _steps(counts: selectors.OrganizationCounts) -> list[Step]:
    return [
        Step(
            "Add your functions",
            "Engineering, Sales, Customer Success, the Board, partners… or import your org chart.",
            "Add a function",
            "function-create",
            counts.functions > 0,
        ),
        Step(
            "Add the people in them",
            "Each person belongs to one function.",
            "Add a person",
            "person-create",
            counts.people > 0,
        ),
        Step(
            "Create a product and map it",
            "Then say which function adds value at which layer: the playbook suggests a first map.",
            "New product",
            "product-create",
            counts.products > 0,
        ),
    ]


def _url(name: str, org: str, **kwargs: Any) -> str:
    """A route another issue adds may not exist yet: an empty link hides the button."""
    try:
        return reverse(name, kwargs={"org": org, **kwargs})
    except NoReverseMatch:
        return ""


class Live(NamedTuple):
    score: int
    layers: list[dict[str, Any]]


def _live(ctx: OrgContext, totals: dict[int, ProductCounts]) -> dict[int, Live]:
    """Each product's live score and layer rows, from the read model's counter rows (`totals`,
    and one query for the layers)."""
    layers = layer_counts(ctx.organization.pk, totals)
    return {
        pk: Live(summary_of(row).score, [layer_row(layer) for layer in layers.get(pk, [])])
        for pk, row in totals.items()
    }


def _open_disputes(ctx: OrgContext, totals: dict[int, ProductCounts]) -> int:
    """The organization's open disputes, for those who answer them: the products' counters summed
    (each counts its review pairs the read model marks open, the inbox's disputes). Those members
    see every product, so `totals` holds them all."""
    if not ctx.can_resolve:
        return 0
    return sum(row.open for row in totals.values())


def _heat_rows(folio: Portfolio, slug: str, live: dict[int, Live]) -> list[HeatRow]:
    colours = {s.product.pk: PALETTE[i] for i, s in enumerate(folio.built[:CHART_LINES])}
    rows = []
    for series in folio.series:
        map_url = _url("product-map", slug, product=series.product.slug) or _url(
            "product-detail", slug, product=series.product.slug
        )
        now = live.get(series.product.pk, Live(0, []))
        rows.append(
            HeatRow(
                product=series.product,
                latest=series.latest,
                cells=_cells(now.layers, map_url),
                spark=sparkline([row["score"] for row in series.trend]),
                colour=colours.get(series.product.pk),
                score=now.score,
            )
        )
    # Weakest live score first: what needs a leader comes first.
    rows.sort(key=lambda r: (r.score, r.product.name.casefold()))
    return rows


def _cells(layers: list[dict[str, Any]], map_url: str) -> list[Cell]:
    cells = []
    for row in layers:
        state = layer_state(row)
        cells.append(
            Cell(
                key=row["key"],
                name=row["name"],
                state=state,
                label=LAYER_STATES[state],
                lead=row.get("lead"),
                reviewed_pct=row.get("reviewed_pct", 0),
                disputes=row.get("open_disputes", 0),
                url=f"{map_url}#layer-{row['key']}" if map_url else "",
            )
        )
    return cells


def _top_gaps(folio: Portfolio, slug: str, *, can_edit: bool) -> list[TopGap]:
    """The most severe gaps across the portfolio; within a severity, each report's own order.

    A report's gaps are sorted by severity, so its first TOP_GAPS (`top_gaps`) hold every one of
    its gaps that can make the list."""
    ranked = []
    for series in folio.built:
        for index, gap in enumerate(series.top_gaps):
            ranked.append((SEVERITY_RANK.get(gap["severity"], 3), index, series.product.name.casefold(), series, gap))
    ranked.sort(key=lambda item: item[:3])
    return [
        TopGap(series.product, gap, gap_link(gap, org_slug=slug, product_slug=series.product.slug, can_edit=can_edit))
        for *_, series, gap in ranked[:TOP_GAPS]
    ]


def _disruption_entries(folio: Portfolio) -> list[DisruptionEntry]:
    """Each disruption with what it did: every product's score in the last snapshot before it
    and the first one after it."""
    entries = []
    for number, disruption in enumerate(folio.disruptions, start=1):
        effects = []
        for series in folio.built:
            before = [r for r in series.trend if r["generated_at"] < disruption.effective_at]
            after = [r for r in series.trend if r["generated_at"] >= disruption.effective_at]
            if before and after:
                effects.append(Effect(series.product, before[-1]["score"], after[0]["score"]))
        entries.append(DisruptionEntry(number, disruption, effects, folio.touched.get(disruption.pk, Touched())))
    return entries


def _chart(folio: Portfolio, entries: list[DisruptionEntry]) -> TrendChart | None:
    # The moments as stored; the chart takes them to the site's zone, once per different chart.
    lines = [(s.product.name, [(r["generated_at"], r["score"]) for r in s.trend]) for s in folio.built[:CHART_LINES]]
    if not lines:
        return None
    markers = [(e.disruption.effective_at, e.disruption.title) for e in entries]
    return trend_chart(lines, markers=markers, width=760, height=220, zone=timezone.get_current_timezone())
