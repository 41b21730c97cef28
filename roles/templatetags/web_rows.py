"""`{% web_link_row link %}`: one partnership's row of the web's table; and the small web's picture's
lines, boxes and badges (`{% web_edges %}`, `{% web_nodes %}`, `{% web_badges %}`).

A page of the table holds up to 50 links, each with two functions, trust and its trend, the
cadence, the last check, the feedback carried, its flags and, for an editor, two actions. As a
template the row cost about 0.35 ms (17 ms a page at 5,000 functions); written here, with every
value escaped by `shared.markup.esc` and Django's own date and text filters, it is the same HTML
at a fraction of that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.template.defaultfilters import capfirst, truncatewords
from django.utils.safestring import SafeString, mark_safe

from shared.markup import action_link, esc, may_edit, plural, shown_date

if TYPE_CHECKING:
    from roles.models import Function
    from roles.selectors.web import Link

register = template.Library()


@register.simple_tag(takes_context=True)
def web_link_row(context: template.Context, link: Link) -> SafeString:
    p = link.partnership
    trust = int(p.trust)
    trend = link.trend
    if trend is None:
        raise ValueError("A table's row draws its link's trend: read it first (roles.selectors.web.with_trends).")
    spark = trend.sparkline
    sparkline = (
        f'<svg class="trend-spark trend-{esc(trend.direction)}" viewBox="0 0 60 16" width="60" height="16" '
        f'role="img" aria-label="Trust over time: {esc(trend.summary)}"><polyline points="{esc(spark)}"/></svg>'
        if spark
        else ""
    )
    parts = [
        f'<tr id="link-{p.pk}" data-link="{p.pk}" class="{"is-due" if link.overdue else ""}">\n',
        _function_cell(link.first),
        _function_cell(link.second),
        '<td class="trust-cell">\n'
        f'<div class="trust-meter trust-{trust}">\n'
        f'<meter min="0" max="5" low="2.5" high="3.5" optimum="5" value="{trust}" '
        f'aria-label="Trust {trust} out of 5">{trust}/5</meter>\n'
        f'<span class="trust-value">{trust}<span class="muted">/5</span></span>\n'
        f"</div>\n{sparkline}\n</td>\n",
        f'<td class="nowrap">{esc(p.get_cadence_display())}</td>\n',
        f'<td class="nowrap">{_last_check(link)}</td>\n',
        f'<td class="description">{_description(p.feedback_carried, p.shared_goal)}</td>\n',
        f'<td class="flags">\n{_flags(link)}\n</td>\n',
    ]
    if may_edit(context):
        slug = context["org"].slug
        primary = " btn-primary" if link.overdue else ""
        parts.append(
            '<td class="row-actions"><div class="row-actions-stack">\n'
            + action_link("partnership-checkin", slug, p.pk, "Check in", f"on {link.label}", f"btn btn-small{primary}")
            + action_link("partnership-edit", slug, p.pk, "Edit", link.label)
            + "</div></td>\n"
        )
    parts.append("</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 (every value in it is escaped)


def _function_cell(function: Function) -> str:
    return (
        f'<td class="fn-name"><a class="ink" href="?function={function.pk}"><span class="cat-dot '
        f'cat-{esc(function.category)}" aria-hidden="true"></span>{esc(function.name)}</a></td>\n'
    )


def _last_check(link: Link) -> str:
    checked = link.partnership.last_checked_on
    if not checked:
        return '<span class="muted">Never</span>'
    days = link.days_since_check
    ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    return (
        f'<time datetime="{esc(shown_date(checked, "Y-m-d"))}">{esc(shown_date(checked, "j M Y"))}</time>'
        f'<div class="muted small">{ago}</div>'
    )


def _description(feedback: str, goal: str) -> str:
    parts = []
    if feedback:
        parts.append(f'<div class="feedback">{esc(truncatewords(feedback, 24))}</div>')
    if goal:
        parts.append(f'<div class="muted small goal">Goal: {esc(goal)}</div>')
    return "".join(parts) or '<span class="muted">—</span>'


def _flags(link: Link) -> str:
    badges = ['<span class="badge badge-danger">Weak trust</span>'] if link.weak else []
    badges += [
        f'<span class="badge badge-warn" title="A trust check is due">{esc(capfirst(reason))}</span>'
        for reason in link.reasons
    ]
    return "\n".join(badges) or '<span class="badge badge-ok">OK</span>'


# --- the picture's lines, boxes and badges (a web of up to 300 links and their functions) ---------------

FLAG_PATH = "M1.2 -5.2 L-3.2 0.8 L-0.3 0.8 L-1.2 5.2 L3.2 -0.8 L0.3 -0.8 Z"
EACH = "\n    "  # what the picture's template wrote after each of them


@register.simple_tag
def web_edges(edges: list[Any]) -> SafeString:
    """Every drawn link of the small web's picture as a line (`DrawnEdge`: its edge and link)."""
    out = []
    for e in edges:
        link, edge = e.link, e.edge
        pk = link.partnership.pk
        out.append(
            f'<path id="edge-{pk}" class="web-edge trust-{esc(link.trust)}{" is-due" if link.overdue else ""}" '
            f'd="{esc(edge.d)}" data-a="{esc(edge.a)}" data-b="{esc(edge.b)}" data-link="{pk}">'
            f"<title>{esc(e.title)}</title></path>{EACH}"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped or a number)


@register.simple_tag
def web_badges(edges: list[Any]) -> SafeString:
    """The "check due" badge at the middle of each overdue line."""
    out = []
    for e in edges:
        link, edge = e.link, e.edge
        badge = ""
        if link.overdue:
            badge = (
                f'<g class="web-due{" is-disrupted" if link.disrupted else ""}" '
                f'transform="translate({esc(edge.mx)} {esc(edge.my)})" data-link="{link.partnership.pk}">'
                f'<title>{esc(e.title)}</title><circle r="9"/><text y="4" text-anchor="middle">!</text></g>'
            )
        out.append(badge + EACH)
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped or a number)


@register.simple_tag(takes_context=True)
def web_nodes(context: template.Context, nodes: list[Any]) -> SafeString:
    """Every function of the small web's picture as a box (`DrawnNode`: its node and function),
    a link to the web focused on it (or back to the whole web from the focused one)."""
    unchecked = context.get("unchecked_days", "")
    out = []
    for n in nodes:
        node = n.node
        category = esc(n.function.get_category_display())
        classes = "".join(
            name for name, on in ((" is-dim", n.dim), (" is-focus", n.focus), (" is-external", node.is_external)) if on
        )
        links = f"{n.links} partnership{plural(n.links)}"
        label = (
            f"{' '.join(esc(line) for line in node.lines)}{f' ({esc(node.name)})' if node.truncated else ''}, "
            f"{category}{', external' if node.is_external else ''}, {links}"
            f"{', recently disrupted' if n.disrupted else ''}"
            f"{' (showing its partners; activate to show the whole web)' if n.focus else ''}"
        )
        title = (
            f"{esc(node.name)} · {category}{' · external' if node.is_external else ''} · {links}"
            f"{f' · disrupted in the last {esc(unchecked)} days' if n.disrupted else ''}"
        )
        spans = " ".join(f'<tspan x="{esc(node.cx)}" y="{esc(y)}">{esc(line)}</tspan>' for line, y in node.text_y)
        flag = (
            f'<g class="web-node-flag" transform="translate({esc(node.flag_x)} {esc(node.flag_y)})"><circle r="8"/>'
            f'<path d="{FLAG_PATH}"/></g>'
            if n.disrupted
            else ""
        )
        href = "?" if n.focus else f"?function={node.id}"
        out.append(
            f'<a class="web-node cat-{esc(node.category)}{classes}" href="{href}" '
            f'data-id="{node.id}" aria-label="{label}">\n'
            f"      <title>{title}</title>\n"
            f'      <rect x="{esc(node.x)}" y="{esc(node.y)}" width="{esc(node.w)}" height="{esc(node.h)}" rx="10"/>\n'
            f'      <text text-anchor="middle">{spans}</text>\n'
            f"      {flag}\n"
            f"    </a>{EACH}"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped or a number)
