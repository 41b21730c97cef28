"""`{% map_cell cell %}`: one cell of the map editor, its menu, contribution and history buttons.

The map's page draws up to 200 cells (50 functions by four layers), and the cell answer of an
edit draws one: both call this tag, so a cell is written in one place. It was a template included
per cell, and Django's include and tag machinery, not the cell's data, was most of the map's
rendering: drawn, the demo's map went from 36 to 28 ms and a page of 50 functions from 123 to
101 ms when the same HTML was built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

if TYPE_CHECKING:
    from ..views.map_shapes import Cell

register = template.Library()

CONTRIBUTION_SHOWN = 90  # characters of a contribution the cell shows (truncated with "…")
EMPTY_CONTRIBUTION = "Add a contribution…"
NO_TOKEN = "NOTPROVIDED"  # noqa: S105 (what Django's csrf context holds when there is no token)
TOGGLE = {"lead": "★ Lead", "contributor": "Contributor"}


@register.simple_tag(takes_context=True)
def map_cell(context: template.Context, cell: Cell) -> SafeString:
    can_edit = bool(context.get("can_edit"))
    function, layer = cell.function.name, cell.layer.name
    state = cell.state
    alert = " has-alert" if cell.error or cell.conflict else ""
    parts = [
        format_html(
            '<td id="cell-{}-{}" class="map-cell layer-{} is-{}{}">\n',
            cell.function.pk,
            cell.layer.key,
            cell.layer.key,
            state,
            alert,
        )
    ]
    if can_edit:
        parts.append(_menu(context, cell, function, layer, state))
    else:
        shown = TOGGLE.get(state) or mark_safe('<span class="visually-hidden">Not assigned</span>')
        parts.append(format_html('<span class="map-toggle">{}</span>', shown))
    parts.append("\n")
    assignment = cell.assignment
    if assignment is not None:
        contribution = assignment.contribution
        if can_edit:
            parts.append(
                format_html(
                    '<button type="button" class="map-contribution{}" hx-get="{}contribution/">{}'
                    '<span class="visually-hidden"> ({}, {}: edit)</span></button>',
                    "" if contribution else " is-empty",
                    cell.url,
                    Truncator(contribution or EMPTY_CONTRIBUTION).chars(CONTRIBUTION_SHOWN),
                    function,
                    layer,
                )
            )
        elif contribution:
            parts.append(
                format_html('<p class="map-contribution">{}</p>', Truncator(contribution).chars(CONTRIBUTION_SHOWN))
            )
    parts.append(
        format_html(
            '\n<button type="button" class="map-history-btn" hx-get="{}history/" hx-target="#map-history" '
            'hx-swap="innerHTML"><span aria-hidden="true">⟲</span><span class="visually-hidden">History of {} '
            "on the {}</span></button>\n",
            cell.url,
            function,
            layer,
        )
    )
    if cell.error:
        parts.append(format_html('<p class="map-alert map-error" role="alert">{}</p>\n', cell.error))
    if cell.conflict:
        parts.append(format_html('<p class="map-alert map-conflict" role="alert">{}</p>\n', cell.conflict))
    parts.append("</td>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def _menu(context: template.Context, cell: Cell, function: str, layer: str, state: str) -> SafeString:
    """The cell's menu: a disclosure holding a form of one button per choice."""
    options = format_html_join(
        "\n",
        '<button class="cell-menu-item{}" name="emphasis" value="{}"{}>{}{}</button>',
        (
            (
                " is-current" if option.current else "",
                option.value,
                mark_safe(' aria-current="true" disabled') if option.current else "",
                mark_safe('<span aria-hidden="true">✓ </span>') if option.current else "",
                option.label,
            )
            for option in cell.options
        ),
    )
    replaces = cell.replaces
    note = (
        format_html('<p class="cell-menu-note">{} stays on as a contributor.</p>\n', replaces.name)
        if replaces is not None
        else ""
    )
    return format_html(
        '<details class="cell-menu" data-cell-menu>\n'
        '<summary class="map-toggle" aria-label="{}: {} on the {}, change" title="Change {} on the {}">{}</summary>\n'
        '<form class="cell-menu-panel" method="post" action="{}" hx-post="{}">{}'
        '<input type="hidden" name="version" value="{}">\n'
        '<p class="cell-menu-title" aria-hidden="true">{} · {}</p>\n'
        "{}\n{}</form>\n</details>",
        cell.label,
        function,
        layer,
        function,
        layer,
        TOGGLE.get(state, "+"),
        cell.url,
        cell.url,
        _csrf_input(context),
        cell.version,
        function,
        layer,
        options,
        note,
    )


def _csrf_input(context: template.Context) -> SafeString | str:
    """What `{% csrf_token %}` writes, made once per page rather than once per cell."""
    found = context.render_context.get(_csrf_input)
    if found is None:
        token = context.get("csrf_token")
        found = (
            format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
            if token and token != NO_TOKEN
            else ""
        )
        context.render_context[_csrf_input] = found
    return found
