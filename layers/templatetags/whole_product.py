"""`{% whole_product_rings data %}` and `{% whole_product_table data %}`: the whole product picture
and its accessible table, reused by the product page, "my role", the dashboard and the PDF export.

`data` is a `domain.rings.shapes.WholeProductData` (from `layers.selectors.rings.product_rings(product)`). The page
must load css/map.css, which colours the rings and chips from app.css's variables.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template

from domain.rings.layout import layout
from domain.rings.shapes import HEIGHT, WIDTH, WholeProductData

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
