"""`{% whole_product_rings data %}` and `{% whole_product_table data %}`: the whole product picture
and its accessible table, reused by the product page, "my role", the dashboard and the PDF export.

`data` is a `domain.rings.shapes.WholeProductData` (from `layers.selectors.rings.product_rings(product)`). The page
must load css/map.css, which colours the rings and chips from app.css's variables.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from domain.rings.layout import layout
from domain.rings.shapes import HEIGHT, LEAD_MARK, WIDTH, Member, PlacedRing, RingInput, WholeProductData
from roles.templatetags import chips
from shared.markup import esc

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
    return chips.category_label(key)


# The two loops a picture and its table run per member (hundreds on a large product's page) are
# written here rather than in the templates: Django's tags and lookups, thirty per chip, were most
# of the picture's drawing. Values are escaped by `shared.markup.esc`, as a template escapes them.


@register.simple_tag
def wp_chips(ring: PlacedRing, prefix: str, link_to: str, highlight: int | None) -> SafeString:
    """A ring's chips: each member's, linking to its row of the table, and the "+N more" chip."""
    key, name, link = esc(ring.key), esc(ring.name), esc(link_to)
    prefix = esc(prefix)
    parts = []
    for chip in ring.chips:
        box = (
            f'<rect x="{chip.x}" y="{chip.y}" width="{chip.width}" height="{chip.height}" rx="10"/>\n'
            f'<text x="{chip.cx}" y="{chip.text_y}" text-anchor="middle">{esc(chip.label)}</text>\n'
        )
        m = chip.member
        if m is None:
            parts.append(
                f'<a href="{link}#{prefix}-{key}" class="wp-chip wp-chip-more" '
                f'aria-label="{esc(chip.label)}: {chip.more} more on the {name}, see the table">\n'
                f"<title>{chip.more} more on the {name}: see the table</title>\n{box}</a>\n"
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
            f'<a href="{link}#{prefix}-{key}-{m.function_id}" class="wp-chip cat-{esc(m.category)}{classes}" '
            f'aria-label="{esc(label)}">\n<title>{esc(title)}</title>\n{box}</a>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value in it is escaped)


@register.simple_tag
def wp_member_rows(ring: RingInput, members: list[Member], prefix: str, highlight: int | None) -> SafeString:
    """A layer's rows of the table: the function (its category), lead or contributor, and what it adds."""
    key, prefix = esc(ring.key), esc(prefix)
    parts = []
    for m in members:
        external = m.is_external
        mine = ' class="is-highlighted"' if highlight == m.function_id else ""
        badge = ' <span class="badge">External partner</span>' if external else ""
        role = '<span class="role-lead">★ Lead</span>' if m.is_lead else "Contributor"
        parts.append(
            f'<tr id="{prefix}-{key}-{m.function_id}"{mine}>\n'
            f'<td><span class="chip chip-sm cat-{esc(m.category)}{" wp-chip-ext" if external else ""}" '
            f'title="{esc(chips.category_label(m.category))}">{esc(m.name)}</span>{badge}</td>\n'
            f'<td class="nowrap">{role}</td>\n<td>{esc(m.contribution or "—")}</td>\n</tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value in it is escaped)
