"""`esc`: Django's HTML escaping for template tags that write many values in a loop."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """What `django.utils.html.escape` writes (`html.escape`, quotes included, is what it calls)
    without its lazy-string wrapper, which checked every argument for a lazy string and was most of
    the cost of a tag writing hundreds of values (the map's cells, the picture's chips). For plain
    values only: a value marked safe is escaped again, so pass none."""
    return html.escape(str(value))
