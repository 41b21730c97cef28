"""`{% heat_row row %}`: a product's row of the dashboard's heat map (its live score, the trend of
its reports as a sparkline and its four layers), written in Python as decision 0014 says: the
template's row, with its sparkline included per row, was most of the dashboard's drawing; and
`{% effect_items effects %}`, what a disruption did to each product's score (a product each, on
each disruption of the timeline), likewise."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from domain.coverage import bands
from shared.markup import esc, plural, row_address, shown_date

register = template.Library()

INK = "#3730a3"  # a sparkline's colour when its product has none on the chart


def sparkline_svg(spark: Any, name: str, colour: str | None) -> str:
    """The sparkline of a product's report scores (`shared.charts.Sparkline`), or a dash."""
    if not spark.points:
        return '<span class="muted small">—</span>'
    count, last, ink = len(spark.points), spark.last, esc(colour or INK)
    line = (
        f'<polyline points="{esc(spark.polyline)}" fill="none" stroke="{ink}" stroke-width="1.8" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
        if count > 1
        else ""
    )
    return (
        f'<svg class="sparkline" viewBox="0 0 {spark.width} {spark.height}" role="img" aria-label="{esc(name)}: '
        f'scores of the last {count} report{plural(count)}, latest {last.value}">\n'
        f'  <line x1="0" x2="{spark.width}" y1="{spark.height}" y2="{spark.height}" stroke="#e3e6ee" '
        'stroke-width="1"/>\n'
        f"  {line}\n"
        f'  <circle cx="{last.x}" cy="{last.y}" r="2.6" fill="{ink}"/>\n'
        "</svg>"
    )


def _cell(cell: Any) -> str:
    """A layer's cell, as the template's loop wrote it (with the whitespace around it)."""
    if cell.state == "disputed":
        note = f"{cell.disputes} open dispute{plural(cell.disputes)}"
    elif cell.state == "unowned":
        note = "Name a lead"
    else:
        note = f"{cell.reviewed_pct}% reviewed"
    return (
        f'\n          <td class="hm-cell hm-{esc(cell.state)}">\n'
        f'            <a href="{esc(cell.url or "#")}" title="{esc(cell.name)}: {esc(cell.label)}">\n'
        f'              <span class="hm-lead">{esc(cell.lead) if cell.lead else "No lead"}</span>\n'
        f'              <span class="hm-note">{esc(note)}</span>\n'
        "            </a>\n"
        "          </td>\n          "
    )


@register.simple_tag(takes_context=True)
def heat_row(context: template.Context, row: Any) -> SafeString:
    """The heat map's row of a product (`layers.views.dashboard.HeatRow`)."""
    slug = context["org"].slug
    product = row.product
    name = esc(product.name)
    key = (
        f'<svg class="series-key" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="3" '
        f'fill="{esc(row.colour)}"/></svg>'
        if row.colour
        else ""
    )
    latest = row.latest
    if latest:
        report = esc(row_address("report-detail", slug, latest.pk))
        built = (
            f'<div class="muted small">Built {esc(shown_date(latest.generated_at, "j M, H:i"))} '
            f'({esc(latest.get_trigger_display().lower())}) · <a href="{report}">report</a></div>\n'
            "            "
        )
        spark = sparkline_svg(row.spark, product.name, row.colour) + "\n"  # the included file's last line
    else:
        built = '<div class="muted small">No report yet</div>'
        rebuild = " Use <strong>Rebuild reports</strong> for its first report." if context.get("can_build") else ""
        spark = f'<span class="muted small">Not built yet.{rebuild}</span>'
    delta = row.delta
    moved = (
        f'<div class="delta {"up" if delta > 0 else "down"}" title="Between its last two reports">'
        f"{f'▲ {delta}' if delta > 0 else f'▼ {row.delta_size}'}</div>"
        if delta
        else ""
    )
    href = esc(reverse("product-detail", kwargs={"org": slug, "product": product.slug}))
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        "        <tr>\n"
        '          <th scope="row" class="hm-product">\n'
        f'            <a href="{href}">{key}{name}</a>\n'
        f"            {built}\n"
        "          </th>\n"
        '          <td class="num hm-score">\n'
        f'            <span class="score score-{esc(bands.score_band(row.score))}" title="Live: as of the last change">'
        f"{esc(row.score)}</span>\n"
        f"            {moved}\n"
        "          </td>\n"
        f'          <td class="hm-spark">{spark}</td>\n'
        f"          {''.join(_cell(cell) for cell in row.cells)}\n"
        "        </tr>"
    )


@register.simple_tag
def effect_items(effects: list[Any]) -> SafeString:
    """A disruption's effects on the scores (`Effect`: product, before, after, delta), as the
    dashboard's template loop wrote them (a test holds the two equal)."""
    out = []
    for effect in effects:
        delta = effect.delta
        trend = "up" if delta > 0 else "down" if delta < 0 else "flat"
        out.append(
            f"<li>{esc(effect.product.name)} <strong>{esc(effect.before)} → {esc(effect.after)}</strong> "
            f'<span class="delta {trend}">{"+" if delta > 0 else ""}{esc(delta)}</span></li>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)
