"""`{% whole_product_rings data %}` and `{% whole_product_table data %}`: the whole product picture
and its accessible table, reused by the product page, "my role", the dashboard and the PDF export.

`data` is a `domain.rings.shapes.WholeProductData` (from `layers.selectors.rings.product_rings(product)`). The page
must load css/map.css, which colours the rings and chips from app.css's variables.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from domain.rings.layout import layout
from domain.rings.shapes import HEIGHT, LEAD_MARK, WIDTH, Member, PlacedRing, RingInput, WholeProductData

register = template.Library()


def anchor_prefix(data: WholeProductData) -> str:
    """Ids are prefixed by product so several pictures can share a page."""
    return f"wp-{data.product.slug}"


@register.inclusion_tag("layers/_partials/rings.html")
def whole_product_rings(
    data: WholeProductData,
    *,
    link_to: str = "",
    highlight: int | None = None,
    width: float = WIDTH,
    height: float = HEIGHT,
) -> dict[str, Any]:
    """The picture. Chips link to `link_to#<row id>` (the table's row: on this page by default);
    `highlight` is a function id whose chips stand out (a stakeholder's own function)."""
    picture = layout(data.rings, width, height)
    categories = sorted({m.category for ring in data.rings for m in ring.members})
    return {
        "data": data,
        "picture": picture,
        "prefix": anchor_prefix(data),
        "link_to": link_to,
        "highlight": highlight,
        "categories": categories,
        "has_external": any(m.is_external for ring in data.rings for m in ring.members),
        "highlighted": highlight is not None and any(m.function_id == highlight for r in data.rings for m in r.members),
    }


@register.inclusion_tag("layers/_partials/rings_table.html")
def whole_product_table(
    data: WholeProductData, *, highlight: int | None = None, limit: int | None = None, more_url: str = ""
) -> dict[str, Any]:
    """The same data as a table: one group per layer, a row per function, with its contribution.

    With `limit`, a layer lists its first `limit` members (the order the picture places them in,
    so every chip keeps its row) and says how many more `more_url` shows: a thousand functions
    make a table nobody reads, and a page that takes seconds to draw."""
    rows = [(ring, ring.members[:limit] if limit else ring.members) for ring in data.rings]
    return {
        "data": data,
        "rows": [(ring, shown, ring.total - len(shown)) for ring, shown in rows],
        "prefix": anchor_prefix(data),
        "highlight": highlight,
        "more_url": more_url,
    }


@register.filter
def category_label(key: str) -> str:
    return _category_labels().get(key, key)


@functools.cache
def _category_labels() -> dict[str, str]:
    """The categories' labels, made once: a product page at 5,000 functions asks for one per
    chip and row (hundreds), and each rebuilt the enum's choices (18 ms of the page)."""
    from roles.models import Function

    return dict(Function.Category.choices)


# The two loops a picture and its table run per member (hundreds on a large product's page) are
# written here rather than in the templates: Django's tags and lookups, thirty per chip, were most
# of the picture's drawing; the same HTML built here takes a fraction of it.


@register.simple_tag
def wp_chips(ring: PlacedRing, prefix: str, link_to: str, highlight: int | None) -> SafeString:
    """A ring's chips: each member's, linking to its row of the table, and the "+N more" chip."""
    parts = []
    for chip in ring.chips:
        box = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" rx="10"/>\n'
            '<text x="{}" y="{}" text-anchor="middle">{}</text>\n',
            chip.x,
            chip.y,
            chip.width,
            chip.height,
            chip.cx,
            chip.text_y,
            chip.label,
        )
        m = chip.member
        if m is None:
            parts.append(
                format_html(
                    '<a href="{}#{}-{}" class="wp-chip wp-chip-more" '
                    'aria-label="{}: {} more on the {}, see the table">\n'
                    "<title>{} more on the {}: see the table</title>\n{}</a>\n",
                    link_to,
                    prefix,
                    ring.key,
                    chip.label,
                    chip.more,
                    ring.name,
                    chip.more,
                    ring.name,
                    box,
                )
            )
            continue
        mine = highlight == m.function_id
        role = "lead" if m.is_lead else "contributor"
        external = " (external partner)" if m.is_external else ""
        classes = "".join(
            (
                " is-lead" if m.is_lead else "",
                " is-external" if m.is_external else "",
                " is-small" if chip.is_small else "",
                " is-highlighted" if mine else "",
            )
        )
        named = f" ({m.name})" if chip.label.replace(LEAD_MARK, "") != m.name else ""
        label = f"{chip.label}{named}, {role} on the {ring.name}{external}{' (your function)' if mine else ''}"
        title = f"{m.name} — {role}, {ring.name}{external}{': ' + m.contribution if m.contribution else ''}"
        parts.append(
            format_html(
                '<a href="{}#{}-{}-{}" class="wp-chip cat-{}{}" aria-label="{}">\n<title>{}</title>\n{}</a>\n',
                link_to,
                prefix,
                ring.key,
                m.function_id,
                m.category,
                classes,
                label,
                title,
                box,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 (each part is escaped by format_html)


@register.simple_tag
def wp_member_rows(ring: RingInput, members: list[Member], prefix: str, highlight: int | None) -> SafeString:
    """A layer's rows of the table: the function (its category), lead or contributor, and what it adds."""
    labels = _category_labels()
    parts = []
    for m in members:
        external = m.is_external
        parts.append(
            format_html(
                '<tr id="{}-{}-{}"{}>\n<td><span class="chip chip-sm cat-{}{}" title="{}">{}</span>{}</td>\n'
                '<td class="nowrap">{}</td>\n<td>{}</td>\n</tr>\n',
                prefix,
                ring.key,
                m.function_id,
                mark_safe(' class="is-highlighted"') if highlight == m.function_id else "",
                m.category,
                " wp-chip-ext" if external else "",
                labels.get(m.category, m.category),
                m.name,
                mark_safe(' <span class="badge">External partner</span>') if external else "",
                mark_safe('<span class="role-lead">★ Lead</span>') if m.is_lead else "Contributor",
                m.contribution or "—",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 (each part is escaped by format_html)
