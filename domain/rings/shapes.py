"""The whole product picture's sizes and shapes: rings of members in, placed chips out (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH = 720.0  # the viewBox; CSS scales it to the page
HEIGHT = 720.0
MARGIN = 6.0
CORE_SHARE = 0.33  # the core's radius as a share of the outer ring's
CHIP_HEIGHT = 20.0
CHIP_FONT = 12.0
SMALL_FONT = 10.5  # a chip shrinks to this before its name is abbreviated
CHIP_PAD = 7.0  # horizontal padding inside a chip
RING_PAD = 3.0  # room kept between a chip and the edge of its band
GAP = 4.0  # least room between two chips
LABEL_FONT = 10.5
LABEL_HEIGHT = 14.0
MIN_LABEL_CHARS = 3  # "Cus…" is the shortest abbreviation worth drawing
LEAD_MARK = "★ "
ELLIPSIS = "…"


# Widths a chip may shrink to when no spot near its target holds its whole label.
WIDTH_FLOORS = (150.0, 120.0, 100.0, 84.0, 70.0)


# Readability limits: beyond them a ring shows "+N more" (the table lists everyone).
CHIP_SPACING = 70.0  # a band shows at most one chip per this much of its middle line
CORE_LIMIT = 12
LOSS_PER_SLOT = 8.0  # pixels of label worth moving a chip one slot further from its target
ROW_GAP = 5.0  # between rows of chips


@dataclass(frozen=True)
class Member:
    """One function on one ring."""

    function_id: int
    name: str
    category: str
    is_external: bool = False
    is_lead: bool = False
    contribution: str = ""


@dataclass(frozen=True)
class RingInput:
    key: str
    name: str
    ring: int
    members: tuple[Member, ...] = ()
    # Members not loaded: a ring draws at most `layout.capacity()` chips, so a reader of a large
    # organization loads that many (lead first, ring order) and counts the rest here.
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.members) + self.more

    @property
    def lead(self) -> Member | None:
        return next((m for m in self.members if m.is_lead), None)

    @property
    def contributors(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if not m.is_lead)

    @property
    def contributor_count(self) -> int:
        """Every contributor of the ring, loaded or not (the lead is always among the loaded)."""
        return len(self.contributors) + self.more


@dataclass(frozen=True)
class Chip:
    """A placed chip: (x, y) is its top-left corner; `more` counts what a "+N more" chip stands for."""

    x: float
    y: float
    width: float
    height: float
    label: str
    member: Member | None = None
    more: int = 0
    font: float = CHIP_FONT

    @property
    def is_small(self) -> bool:
        return self.font < CHIP_FONT

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def cy(self) -> float:
        return round(self.y + self.height / 2, 1)

    @property
    def text_y(self) -> float:
        # Baseline that centres a cap-height line of the chip's font in it.
        return round(self.y + self.height / 2 + self.font * 0.36, 1)


@dataclass(frozen=True)
class PlacedRing:
    key: str
    name: str
    ring: int
    rx: float  # outer semi-axes
    ry: float
    label: str
    label_x: float
    label_y: float
    chips: tuple[Chip, ...]
    hidden: tuple[Member, ...]
    lead_missing: bool
    empty_lines: tuple[str, ...] = ()
    empty_y: float = 0.0

    @property
    def is_empty(self) -> bool:
        return not self.chips


@dataclass(frozen=True)
class Picture:
    width: float
    height: float
    rings: tuple[PlacedRing, ...]  # core first

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2

    @property
    def outside_in(self) -> tuple[PlacedRing, ...]:
        return tuple(reversed(self.rings))

    @property
    def chips(self) -> list[Chip]:
        return [chip for ring in self.rings for chip in ring.chips]


@dataclass
class WholeProductData:
    """What the `whole_product_rings` tag draws: a product and its four rings, core first."""

    product: Any  # the layers.models.Product drawn; the geometry never reads it
    rings: list[RingInput] = field(default_factory=list)

    @property
    def owned_layers(self) -> int:
        return sum(1 for ring in self.rings if ring.lead)

    @property
    def mapped_functions(self) -> int:
        """Functions among the members loaded: all of them unless a ring counts `more` (a page of a
        large product reads the product's figure from the read model instead)."""
        return len({m.function_id for ring in self.rings for m in ring.members})
