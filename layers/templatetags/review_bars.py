"""`{% review_bar tally %}`: a stacked bar of review states (agreed, disputed, to re-confirm, not
reviewed), for the inbox's 50 functions, the campaigns and a campaign's figures.

It was a template included per bar; written here it is the same SVG, numbers unlocalized.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from shared.markup import esc

register = template.Library()


@register.simple_tag
def review_bar(tally: Any, large: bool = False) -> SafeString:
    """`tally`: anything with `segments` ((state, x, width) in percent) and `bar_label`."""
    rects = "".join(
        f'<rect class="seg-{esc(name)}" x="{x}" y="0" width="{width}" height="10"/>'
        for name, x, width in tally.segments
    )
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        f'<svg class="bar{" bar-lg" if large else ""}" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{esc(tally.bar_label)}">{rects}</svg>'
    )
