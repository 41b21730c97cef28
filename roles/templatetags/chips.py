"""`{% function_chip function %}`: a function's name in a chip of its category's colour.

Pages list dozens of functions (the inbox 75, members and people 50 each); the chip was a template
included per row, which cost more than the row's data. Written here it is the same HTML.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from shared.markup import esc

register = template.Library()


@register.simple_tag
def function_chip(function: Any) -> SafeString:
    """`function`: a Function (or anything with its `name` and `category`); nothing for None."""
    if function is None:
        return mark_safe("")
    category = function.category
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        f'<span class="chip chip-sm cat-{esc(category)}" title="{esc(category_label(category))}">'
        f"{esc(function.name)}</span>"
    )


def category_label(key: str) -> str:
    """A category's label, as `Function.get_category_display` gives it (the key when unknown)."""
    return str(category_labels().get(key, key))


@functools.cache
def category_labels() -> dict[str, Any]:
    """The categories' labels (lazy, translated when written), made once: `get_category_display`
    rebuilds the choices on each call, and a page asks once per chip and row (hundreds on a large
    product's page: 18 ms of it)."""
    from roles.models import Function

    return dict(Function.Category.choices)


@register.simple_tag
def touched_chips(functions: Any, web_url: str) -> SafeString:
    """The chips of the functions a disruption touched, each a link to its partnerships on the
    web (`web_url`): a timeline page names up to 16 for each of its 15 disruptions, which the
    template's loop spent 4 ms writing at 5,000 functions. The same HTML."""
    href = esc(web_url)
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        "".join(
            f'<li><a class="chip chip-sm cat-{esc(f.category)}" href="{href}?function={esc(f.id)}" '
            f'title="See the partnerships of {esc(f.name)}">{esc(f.name)}</a></li>'
            for f in functions
        )
    )
