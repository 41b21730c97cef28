"""`{% feedback_loop_rows loops %}`: the product page's table rows of feedback loops (up to 40).

As a template loop each row cost about 0.1 ms, most of it the date filter's machinery (4 ms of
the drawn page at 5,000 functions); written here, every value escaped by `shared.markup.esc` and
the date by `shown_date`, it is the same HTML (a test holds the two equal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString, mark_safe

from shared.markup import esc, shown_date

if TYPE_CHECKING:
    from ..selectors.feedback import FeedbackLoop

register = template.Library()


@register.simple_tag
def feedback_loop_rows(loops: Iterable[FeedbackLoop]) -> SafeString:
    out = []
    for loop in loops:
        a, b = loop.from_function, loop.to_function
        trust = f"{esc(loop.trust)}/5"
        if loop.weak:
            trust = f'<span class="badge badge-danger">{trust}</span>'
        checked = shown_date(loop.last_checked_on, "j M Y") if loop.last_checked_on else ""
        out.append(
            "\n        <tr>\n"
            f'          <td><span class="cat-dot cat-{esc(a.category)}" aria-hidden="true"></span>{esc(a.name)}</td>\n'
            f'          <td><span class="cat-dot cat-{esc(b.category)}" aria-hidden="true"></span>{esc(b.name)}</td>\n'
            f"          <td>{esc(loop.feedback)}</td>\n"
            f'          <td class="num">{trust}</td>\n'
            f"          <td>{esc(checked or 'never')}</td>\n"
            "        </tr>\n        "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value in it is escaped)
