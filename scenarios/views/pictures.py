"""The rings of one product, today and in a scenario, with the cells the scenario changes marked.

The geometry is layers/rings.py's (`layout`), the markup templates/scenarios/_rings.html: the
product page's picture plus a mark on every changed chip — a dashed outline and a diamond, and
"changed in this scenario" in its label, so the change is never told by colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from layers.rings import RingInput, layout

# A cell of the scenario: (function id or "new:<step id>", layer key).
Cell = tuple[int | str, str]


@dataclass(frozen=True)
class MarkedChip:
    chip: Any  # layers.rings.Chip
    changed: bool
    anchor: str  # a safe fragment of an element id

    @property
    def mark_path(self) -> str:
        """A diamond on the chip's top-right corner: the mark of a changed cell."""
        x, y = round(self.chip.x + self.chip.width - 3, 1), round(self.chip.y - 8, 1)
        return f"M {x} {y} l 9 9 l -9 9 l -9 -9 z"


@dataclass(frozen=True)
class MarkedRing:
    ring: Any  # layers.rings.PlacedRing
    chips: tuple[MarkedChip, ...]
    lead: str | None
    contributors: int
    changed: int  # chips of this ring marked as changed (shown or hidden behind "+N more")


@dataclass(frozen=True)
class MarkedPicture:
    prefix: str
    title: str
    width: float
    height: float
    rings: tuple[MarkedRing, ...]  # core first
    categories: tuple[str, ...]
    has_external: bool
    has_changes: bool

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2

    @property
    def outside_in(self) -> tuple[MarkedRing, ...]:
        return tuple(reversed(self.rings))


def safe_id(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(value))


def marked_picture(
    rings: Sequence[RingInput], changed: Iterable[Cell], *, prefix: str, title: str
) -> MarkedPicture | None:
    """The four rings laid out, each chip knowing whether the scenario changes its cell."""
    if len(rings) != 4:
        return None
    changed_cells = {(str(function), layer) for function, layer in changed}
    picture = layout(rings)
    inputs = {ring.key: ring for ring in rings}
    marked = []
    for placed in picture.rings:
        source = inputs[placed.key]
        chips = tuple(
            MarkedChip(
                chip=chip,
                changed=chip.member is not None and (str(chip.member.function_id), placed.key) in changed_cells,
                anchor=safe_id(chip.member.function_id if chip.member else "more"),
            )
            for chip in placed.chips
        )
        marked.append(
            MarkedRing(
                ring=placed,
                chips=chips,
                lead=source.lead.name if source.lead else None,
                contributors=len(source.contributors),
                changed=sum(1 for m in source.members if (str(m.function_id), placed.key) in changed_cells),
            )
        )
    members = [m for ring in rings for m in ring.members]
    return MarkedPicture(
        prefix=safe_id(prefix),
        title=title,
        width=picture.width,
        height=picture.height,
        rings=tuple(marked),
        categories=tuple(sorted({m.category for m in members})),
        has_external=any(m.is_external for m in members),
        has_changes=any(ring.changed for ring in marked),
    )
