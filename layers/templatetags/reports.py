"""Filters of the report pages: `{{ ratio|pct }}` → 63 (a stored 0.625, rounded half up like the score),
`{{ score|score_band }}` → good, fair or poor; and `{% report_row report pick_a pick_b %}`, a report's
row of the reports list (a page of 50, written in Python as decision 0014 says: the template's
row spent 0.2 ms a report on its lookups, dates and addresses); and `{% gap_items gaps %}`, a
report page's list of 50 gaps with their links, likewise."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from domain.coverage import bands
from layers.reporting import as_percent
from shared.markup import esc, row_address, shown_date

register = template.Library()
MINUS = "\u2212"


@register.filter
def contributors_beyond(row: Any, shown: int) -> int:
    """How many contributors a layer row has beyond its first `shown`: a live row counts the ones it
    does not name (`LayerCoverage.contributors_more`), a snapshot's row names them all."""
    names = row.get("contributors", []) if isinstance(row, dict) else row.contributors
    more = row.get("contributors_more", 0) if isinstance(row, dict) else row.contributors_more
    return max(len(names) + more - int(shown), 0)


@register.filter
def pct(ratio: float | None) -> int | str:
    if ratio is None:
        return ""
    return as_percent(float(ratio))


@register.filter
def score_band(score: int) -> str:
    return bands.score_band(score)


@register.filter
def signed(value: int | None) -> str:
    """+3, -2 (with a true minus sign, U+2212) or ±0: deltas read as changes."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    return f"{MINUS}{abs(value)}" if value < 0 else "±0"


@register.simple_tag(takes_context=True)
def report_row(context: template.Context, report: Any, pick_a: int | None, pick_b: int | None) -> SafeString:
    """The row of `report` (read with its product) in the reports list, `pick_a` and `pick_b` the
    reports whose A and B boxes are ticked."""
    pk = report.pk
    name = esc(report.product.name)
    day, hour = shown_date(report.generated_at, "j M Y|H:i").split("|")  # one formatting for both
    when, shown = esc(f"{day} {hour}"), esc(f"{day}, {hour}")
    href = esc(row_address("report-detail", context["org"].slug, pk))
    figures = "".join(
        f'          <td class="num">{pct(getattr(report, figure))}%</td>\n'
        for figure in ("layer_coverage", "function_coverage", "review_coverage", "agreement")
    )
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        "        <tr>\n"
        f'          <td class="pick"><input type="radio" name="a" value="{pk}" aria-label="Compare from {name}, '
        f'{when}"{" checked" if pk == pick_a else ""}></td>\n'
        f'          <td class="pick"><input type="radio" name="b" value="{pk}" aria-label="Compare to {name}, '
        f'{when}"{" checked" if pk == pick_b else ""}></td>\n'
        f'          <td><a class="row-title" href="{href}">{name}</a></td>\n'
        f'          <td class="nowrap">{shown} '
        f'<span class="badge trigger-{esc(report.trigger)}">{esc(report.get_trigger_display())}</span></td>\n'
        f'          <td class="num"><span class="score score-{esc(score_band(report.score))}">'
        f"{esc(report.score)}</span></td>\n"
        f"{figures}"
        f'          <td class="row-actions"><a class="btn btn-small" href="{href}">Open</a></td>\n'
        "        </tr>"
    )


@register.simple_tag
def gap_items(gaps: list[tuple[dict[str, Any], Any]]) -> SafeString:
    """The report page's items of its page of gaps: (gap, link or None), as its template loop wrote
    them (a test holds the two equal)."""
    out = []
    for gap, link in gaps:
        severity = esc(gap["severity"])
        action = f'<a class="btn btn-small" href="{esc(link.url)}">{esc(link.label)}</a>' if link else ""
        out.append(
            f'\n      <li class="gap gap-{severity}">\n'
            f'        <span class="sev sev-{severity}">{severity}</span>\n'
            f'        <div class="gap-body">{esc(gap["message"])}</div>\n'
            f"        {action}\n"
            "      </li>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)
