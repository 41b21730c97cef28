"""`{% map_cell cell %}`: one cell of the map editor, its menu, contribution and history buttons.

The map's page draws up to 200 cells (50 functions by four layers), and the cell answer of an
edit draws one: both call this tag, so a cell is written in one place. It was a template included
per cell: Django's include, tag and lookup machinery, not the cell's data, was most of the map's
drawing. Built here with f-strings and `shared.markup.esc`, a page of 50 functions renders its
body in 11 ms where the template took 43 (`format_html`, tried first, still took 36: Django's
escaping checks every value for a lazy string). The HTML is the same but for whitespace.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from shared.markup import csrf_input, esc, truncated

from ..views.map_shapes import menu_options

if TYPE_CHECKING:
    from ..views.map_shapes import Cell

register = template.Library()


CONTRIBUTION_SHOWN = 90  # characters of a contribution the cell shows (truncated with "…")
EMPTY_CONTRIBUTION = "Add a contribution…"
TOGGLE = {"lead": "★ Lead", "contributor": "Contributor"}


@register.simple_tag(takes_context=True)
def map_cell(context: template.Context, cell: Cell) -> SafeString:
    can_edit = bool(context.get("can_edit"))
    function, layer = esc_once(cell.function.name), esc_once(cell.layer.name)
    key, state, url = esc_once(cell.layer.key), esc_once(cell.state), esc(cell.url)
    alert = " has-alert" if cell.error or cell.conflict else ""
    parts = [f'<td id="cell-{cell.function.pk}-{key}" class="map-cell layer-{key} is-{state}{alert}">\n']
    if can_edit:
        parts.append(_menu(context, cell, function, layer, url))
    else:
        shown = TOGGLE.get(cell.state) or '<span class="visually-hidden">Not assigned</span>'
        parts.append(f'<span class="map-toggle">{shown}</span>')
    parts.append("\n")
    assignment = cell.assignment
    if assignment is not None:
        contribution = assignment.contribution
        if can_edit:
            shown = esc(truncated(contribution or EMPTY_CONTRIBUTION, CONTRIBUTION_SHOWN))
            parts.append(
                f'<button type="button" class="map-contribution{"" if contribution else " is-empty"}" '
                f'hx-get="{url}contribution/">{shown}'
                f'<span class="visually-hidden"> ({function}, {layer}: edit)</span></button>'
            )
        elif contribution:
            parts.append(f'<p class="map-contribution">{esc(truncated(contribution, CONTRIBUTION_SHOWN))}</p>')
    parts.append(
        f'\n<button type="button" class="map-history-btn" hx-get="{url}history/" hx-target="#map-history" '
        f'hx-swap="innerHTML"><span aria-hidden="true">⟲</span><span class="visually-hidden">History of {function} '
        f"on the {layer}</span></button>\n"
    )
    if cell.error:
        parts.append(f'<p class="map-alert map-error" role="alert">{esc(cell.error)}</p>\n')
    if cell.conflict:
        parts.append(f'<p class="map-alert map-conflict" role="alert">{esc(cell.conflict)}</p>\n')
    parts.append("</td>")
    return mark_safe("".join(parts))  # noqa: S308 (every value in it is escaped)


def _menu(context: template.Context, cell: Cell, function: str, layer: str, url: str) -> str:
    """The cell's menu: a disclosure holding a form of one button per choice (names come escaped)."""
    replaces = cell.replaces
    options = _options(cell.state, None if replaces is None else replaces.name)
    note = f'<p class="cell-menu-note">{esc_once(replaces.name)} stays on as a contributor.</p>\n' if replaces else ""
    return (
        '<details class="cell-menu" data-cell-menu>\n'
        f'<summary class="map-toggle" aria-label="{esc(cell.label)}: {function} on the {layer}, change" '
        f'title="Change {function} on the {layer}">{TOGGLE.get(cell.state, "+")}</summary>\n'
        f'<form class="cell-menu-panel" method="post" action="{url}" hx-post="{url}">{csrf_input(context)}'
        f'<input type="hidden" name="version" value="{cell.version}">\n'
        f'<p class="cell-menu-title" aria-hidden="true">{function} · {layer}</p>\n'
        f"{options}\n{note}</form>\n</details>"
    )


@functools.lru_cache(maxsize=1024)
def _options(state: str, replaced: str | None) -> str:
    """The menu's buttons (`menu_options`), which depend on the cell's state and on which other
    function leads its layer alone: a map of 200 cells holds a handful of such pairs, each written
    once per process rather than once per cell."""
    return "\n".join(
        f'<button class="cell-menu-item is-current" name="emphasis" value="{esc(option.value)}" '
        f'aria-current="true" disabled><span aria-hidden="true">✓ </span>{esc(option.label)}</button>'
        if option.current
        else f'<button class="cell-menu-item" name="emphasis" value="{esc(option.value)}">{esc(option.label)}</button>'
        for option in menu_options(state, replaced)
    )


@functools.lru_cache(maxsize=4096)
def esc_once(value: str) -> str:
    """`esc` of a text a map repeats (a function's name on its four cells, a layer's on fifty)."""
    return esc(value)


# --- the suggestions panel's items ------------------------------------------------------------------

NL = "\n          "  # what the panel's template wrote around each of an item's two forms


@register.simple_tag(takes_context=True)
def suggestion_items(context: template.Context, items: list[Any], apply_url: str, dismiss_url: str) -> SafeString:
    """The panel's shown suggestions (`PanelItem`s, up to 25), each with its accept and dismiss
    forms, as its template loop wrote them (a test holds the two equal): 25 items with two forms
    of six inputs each were most of the panel's drawing."""
    filters = context.get("filters")
    kept = "".join(
        f'<input type="hidden" name="{name}" value="{esc(getattr(filters, name, ""))}">'
        for name in ("category", "q", "page")
    )
    csrf = csrf_input(context)
    out = []
    for item in items:
        s = item.suggestion
        name, layer, key, status = esc(s.function_name), esc(item.layer_name), esc(s.layer_key), esc(s.status)
        cell = (
            f'<input type="hidden" name="function" value="{esc(s.function_id)}">'
            f'<input type="hidden" name="layer" value="{key}">'
        )
        inputs = f"{csrf}{cell}{kept}"
        hidden = f'<span class="visually-hidden">: {name} on the {layer}</span>'
        accept = _form(apply_url, inputs, "btn btn-small", f"Accept{hidden}") if s.actionable else ""
        dismiss = _form(dismiss_url, inputs, "btn btn-link btn-small", f"Dismiss{hidden}") if item.dismissable else ""
        match = (
            f'<p class="sugg-match small muted">Matched as {esc(s.playbook_name)}</p>'
            if str(s.playbook_name).lower() != str(s.function_name).lower()
            else ""
        )
        note = f'<span class="small muted">{esc(s.note)}</span>' if s.note else ""
        reason = esc(s.reason)
        out.append(
            f'\n    <li class="sugg sugg-{status}">\n'
            '      <div class="sugg-head">\n'
            f'        <span class="chip chip-sm cat-{esc(s.category)}">{name}</span>\n'
            '        <span aria-hidden="true">→</span>\n'
            f'        <span class="layer-pill layer-{key}">{"★ Lead, " if s.emphasis == "lead" else ""}{layer}</span>\n'
            "      </div>\n"
            f'      <p class="sugg-reason" title="{reason}">{reason}</p>\n'
            f"      {match}\n"
            '      <div class="sugg-foot">\n'
            f'        <span class="badge sugg-status sugg-status-{status}">{esc(item.status_label)}</span>\n'
            f"        {note}\n"
            f'        <span class="sugg-actions">{NL}{accept}{NL}{dismiss}\n'
            "        </span>\n"
            "      </div>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)


def _form(url: str, inputs: str, classes: str, label: str) -> str:
    """A suggestion's accept or dismiss form (`label` comes escaped)."""
    url = esc(url)
    return (
        f'{NL}<form method="post" action="{url}" hx-post="{url}">{inputs}'
        f'<button class="{classes}" type="submit">{label}</button></form>{NL}'
    )


# --- the matrix's rows ---------------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def map_rows(context: template.Context, rows: list[Any]) -> SafeString:
    """A group's rows of the matrix (`Row`: a function, its cells, its playbook match), each cell
    by `map_cell`, as the body's template loop wrote them (a test holds the two equal)."""
    out = []
    for row in rows:
        function = row.function
        external = ' <span class="badge">External</span>' if function.is_external else ""
        hint = ""
        if row.unmatched:
            closest = f" — closest: {esc(', '.join(row.hints))}" if row.hints else ""
            hint = f'<span class="map-hint">No playbook match{closest}</span>'
        cells = "".join(map_cell(context, cell) for cell in row.cells)
        marked = ' class="is-unmatched"' if row.unmatched else ""
        out.append(
            f'\n          <tr id="fn-{esc(function.pk)}"{marked}>\n'
            f'            <th scope="row" class="map-fn"><span class="map-fn-name">{esc(function.name)}</span>'
            f"{external}{hint}</th>\n"
            f"            {cells}\n"
            "          </tr>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)
