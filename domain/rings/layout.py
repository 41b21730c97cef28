"""The whole product picture (DESIGN §2): four concentric rings with function chips on them.

Pure geometry on plain data, tested with no database (layers/selectors/rings.py reads a
product's rings from the database): `layout()` turns rings of members into positions in SVG
user units (cached per ring).

Chips are horizontal rounded rectangles, so their text stays readable. A band is cut into
horizontal rows; each chip gets a target angle, evenly spaced around the ring in ring order
(lead first, then by category), and takes the free spot of a row that best balances nearness
to that target against what its label loses there: the whole name, the name in a smaller
font, an abbreviation ("Cust Success"), then a cut ("Regional…"). Wide rows sit at the top
and bottom of a ring, so long names go there. Beyond a readability limit, or when a ring is
full, the rest becomes one "+N more" chip; the page's table lists everyone. The core is a
disk: its chips stack in rows. Text widths come from Arial Bold's metrics, the font the chips
are drawn in, so a label is sized before it is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .shapes import (
    CHIP_FONT,
    CHIP_HEIGHT,
    CHIP_PAD,
    CHIP_SPACING,
    CORE_LIMIT,
    CORE_SHARE,
    GAP,
    HEIGHT,
    LABEL_FONT,
    LABEL_HEIGHT,
    LEAD_MARK,
    LOSS_PER_SLOT,
    MARGIN,
    MIN_LABEL_CHARS,
    RING_PAD,
    ROW_GAP,
    SMALL_FONT,
    WIDTH,
    WIDTH_FLOORS,
    Chip,
    Member,
    Picture,
    PlacedRing,
    RingInput,
)
from .text import _cut, _short_forms, chip_width, empty_message, fit_label, ring_label, text_width, wrap

# ---------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    """An axis-aligned box by its centre (relative to the picture's centre) and half sizes."""

    x: float
    y: float
    hw: float
    hh: float = CHIP_HEIGHT / 2


@dataclass(frozen=True)
class Band:
    """The room between two concentric ellipses (a = horizontal, b = vertical semi-axis)."""

    a_in: float
    b_in: float
    a_out: float
    b_out: float

    @property
    def a_mid(self) -> float:
        return (self.a_in + self.a_out) / 2

    @property
    def b_mid(self) -> float:
        return (self.b_in + self.b_out) / 2

    def point(self, angle: float) -> tuple[float, float]:
        """Angle in radians clockwise from 12 o'clock; y grows downwards as in SVG."""
        return self.a_mid * math.sin(angle), -self.b_mid * math.cos(angle)

    def room(self, x: float, y: float, h: float = CHIP_HEIGHT) -> float:
        """Widest chip centred at (x, y) that stays inside the band."""
        ax, ay = abs(x), abs(y)
        a, b = self.a_out - RING_PAD, self.b_out - RING_PAD
        rest = 1 - ((ay + h / 2) / b) ** 2
        if rest <= 0:
            return 0.0
        width = 2 * (a * math.sqrt(rest) - ax)
        if self.a_in > 0:
            a_in, b_in = self.a_in + RING_PAD, self.b_in + RING_PAD
            dy = max(ay - h / 2, 0.0)
            if dy < b_in:  # the chip's row crosses the inner ellipse: keep its inner edge outside it
                width = min(width, 2 * (ax - a_in * math.sqrt(1 - (dy / b_in) ** 2)))
        return max(width, 0.0)

    def segments(self, y: float, h: float = CHIP_HEIGHT) -> list[tuple[float, float]]:
        """The stretches of the horizontal line at `y` where a chip of height `h` fits in the band."""
        a, b = self.a_out - RING_PAD, self.b_out - RING_PAD
        far = abs(y) + h / 2
        if far >= b:
            return []
        outer = a * math.sqrt(1 - (far / b) ** 2)
        if self.a_in <= 0:
            return [(-outer, outer)]
        a_in, b_in = self.a_in + RING_PAD, self.b_in + RING_PAD
        near = max(abs(y) - h / 2, 0.0)
        if near >= b_in:
            return [(-outer, outer)]
        inner = a_in * math.sqrt(1 - (near / b_in) ** 2)
        return [(-outer, -inner), (inner, outer)] if inner < outer else []


def bands(width: float = WIDTH, height: float = HEIGHT) -> list[Band]:
    """The core disk and the three bands around it, core first."""
    a, b = width / 2 - MARGIN, height / 2 - MARGIN
    core = CORE_SHARE * min(a, b)
    a_core, b_core = core * a / min(a, b), core * b / min(a, b)
    steps = [(a_core + (a - a_core) * i / 3, b_core + (b - b_core) * i / 3) for i in range(4)]
    result = [Band(0.0, 0.0, a_core, b_core)]
    result += [Band(*steps[i], *steps[i + 1]) for i in range(3)]
    return result


def _ordered(members: Iterable[Member]) -> list[Member]:
    """Lead first (it sits right of the ring's name), then contributors grouped by category."""
    return sorted(members, key=lambda m: (not m.is_lead, m.category, m.name.lower()))


@dataclass(frozen=True)
class _Item:
    """Something to place: a member, or the "+N more" chip (member None)."""

    member: Member | None
    full: float  # chip width with the whole label
    least: float  # chip width with the shortest acceptable label
    more: int = 0
    natural: float = 0.0  # chip width with the whole label in the small font

    @classmethod
    def of(cls, member: Member) -> _Item:
        prefix = LEAD_MARK if member.is_lead else ""
        full = chip_width(prefix + member.name)
        shortest = _short_forms(member.name)[-1]
        stub = _cut(shortest, MIN_LABEL_CHARS) or shortest
        least = min(full, chip_width(prefix + shortest, SMALL_FONT), chip_width(prefix + stub))
        return cls(member, full, least, natural=chip_width(prefix + member.name, SMALL_FONT))

    @classmethod
    def more_than(cls, count: int) -> _Item:
        full = chip_width(f"+{count} more")
        return cls(None, full, chip_width(f"+{count}"), count, natural=full)

    def label(self, width: float) -> tuple[str, float]:
        if self.member is None:
            more = f"+{self.more} more"
            return (more if chip_width(more) <= width + 0.01 else f"+{self.more}"), CHIP_FONT
        prefix = LEAD_MARK if self.member.is_lead else ""
        return fit_label(self.member.name, width + 0.01, prefix=prefix) or (prefix + self.member.name[:1], CHIP_FONT)


@dataclass
class _Row:
    """One horizontal line of chips across a band, with the stretches of it still free."""

    y: float
    free: list[tuple[float, float]]

    def spot(self, width: float, x: float) -> float | None:
        """The x nearest `x` where a chip of `width` fits in a free stretch."""
        best = None
        for left, right in self.free:
            if right - left >= width:
                here = min(max(x, left + width / 2), right - width / 2)
                if best is None or abs(here - x) < abs(best - x):
                    best = here
        return best

    def take(self, x: float, width: float) -> None:
        low, high = x - width / 2 - GAP, x + width / 2 + GAP
        kept = []
        for left, right in self.free:
            if right <= low or left >= high:
                kept.append((left, right))
                continue
            if left < low:
                kept.append((left, low))
            if right > high:
                kept.append((high, right))
        self.free = kept


def _rows(band: Band, label: Box) -> list[_Row]:
    """Rows across the band, one of them through its name (which it keeps clear of)."""
    pitch = CHIP_HEIGHT + ROW_GAP
    rows = []
    k = math.floor((band.b_out + label.y) / pitch)
    for i in range(-k, int(2 * band.b_out // pitch) + 1):
        y = label.y + i * pitch
        free = band.segments(y)
        if not free:
            continue
        row = _Row(y, free)
        if abs(y - label.y) < label.hh + CHIP_HEIGHT / 2:
            row.take(label.x, 2 * label.hw)
        rows.append(row)
    return rows


def _widths(item: _Item) -> list[float]:
    """Widths to try for an item, widest (its whole label) first."""
    inner = [w for w in WIDTH_FLOORS if item.least < w < item.natural]
    return sorted({item.full, item.natural, *inner, item.least}, reverse=True)


def _loss(item: _Item, width: float) -> float:
    """What a chip of `width` loses of its label, in pixels: cut or shortened text counts fully,
    a smaller font a little."""
    shrunk = min(item.full - item.natural, max(item.full - width, 0.0))
    return max(item.natural - width, 0.0) + 0.2 * shrunk


def _band_fit(band: Band, items: Sequence[_Item], label: Box) -> list[Box] | None:
    """Give each chip, in ring order, an evenly spaced target on the band's middle line, and put
    it on the free spot that best balances nearness to that target against what its label loses
    there. The lead goes first, then the widest chips, so long names take the wide rows at the
    top and bottom. None when some chip finds no room at all."""
    rows = _rows(band, label)
    start = math.asin(min(1.0, (label.hw + GAP) / band.a_mid)) + 0.04
    span = 2 * math.pi - 2 * start
    perimeter = 2 * math.pi * math.sqrt((band.a_mid**2 + band.b_mid**2) / 2)
    slot = max(perimeter * span / (2 * math.pi) / max(len(items), 1), CHIP_HEIGHT + ROW_GAP)
    order = sorted(
        range(len(items)), key=lambda i: (items[i].member is None or not items[i].member.is_lead, -items[i].full)
    )
    boxes: list[Box | None] = [None] * len(items)
    for i in order:
        item = items[i]
        tx, ty = band.point(start + span * (i + 0.5) / len(items))
        best = None
        for width in _widths(item):
            found = _nearest(rows, width, tx, ty)
            if found is None:
                continue
            # Moving one slot away costs as much as losing LOSS_PER_SLOT pixels of label.
            score = found[0] / slot + _loss(item, width) / LOSS_PER_SLOT
            if best is None or score < best[0]:
                best = (score, found[1], found[2], width)
        if best is None:
            return None
        _, row, x, width = best
        row.take(x, width)
        boxes[i] = Box(x, row.y, width / 2)
    return [box for box in boxes if box is not None]


def _nearest(rows: Sequence[_Row], width: float, tx: float, ty: float) -> tuple[float, _Row, float] | None:
    best = None
    for row in rows:
        x = row.spot(width, tx)
        if x is not None:
            distance = math.hypot(x - tx, row.y - ty)
            if best is None or distance < best[0]:
                best = (distance, row, x)
    return best


def _most_that_fit(
    members: list[Member], fit: Callable[[list[_Item]], list[Box] | None], limit: int, more: int = 0
) -> tuple[list[_Item], list[Box]]:
    """All members if they fit (and are at most `limit`); else the most that do, then one "+N more" chip.
    `more` counts members beyond `members` (not loaded): they are never shown, only counted."""
    items = [_Item.of(m) for m in members[:limit]]
    total = len(members) + more
    boxes = fit(items) if total <= limit else None
    if boxes is not None or not items:
        return items, boxes or []

    def attempt(shown: int) -> tuple[list[_Item], list[Box] | None]:
        trial = [*items[:shown], _Item.more_than(total - shown)]
        return trial, fit(trial)

    # Fitting is monotone in the number shown: binary-search the largest that fits.
    low, high = 0, min(total, limit) - 1
    best = attempt(0)
    while low < high:
        middle = (low + high + 1) // 2
        trial = attempt(middle)
        if trial[1] is not None:
            low, best = middle, trial
        else:
            high = middle - 1
    if best[1] is None:
        return [], []
    return best[0], best[1]


def _disk_fit(band: Band, items: Sequence[_Item], top: float) -> list[Box] | None:
    """Rows of chips inside the core below its name: one, two or three to a row."""
    bottom = band.b_out - RING_PAD - GAP
    pitch = CHIP_HEIGHT + GAP
    max_rows = int((bottom - top + GAP) // pitch)
    n = len(items)
    for cols in (1, 2, 3):
        rows = math.ceil(n / cols)
        if rows > max_rows:
            continue
        first = (top + bottom) / 2 - (rows * pitch - GAP) / 2 + CHIP_HEIGHT / 2
        boxes = []
        for row in range(rows):
            y = first + row * pitch
            row_items = items[row * cols : (row + 1) * cols]
            room = band.room(0.0, y)
            cell = (room - (len(row_items) - 1) * GAP) / len(row_items)
            if any(item.least > cell for item in row_items):
                boxes = None
                break
            widths = [min(item.full, cell) for item in row_items]
            x = -(sum(widths) + GAP * (len(widths) - 1)) / 2
            for w in widths:
                boxes.append(Box(x + w / 2, y, w / 2))
                x += w + GAP
        if boxes is not None:
            return boxes
    return None


def _chips(items: Sequence[_Item], boxes: Sequence[Box], cx: float, cy: float) -> tuple[Chip, ...]:
    chips = []
    for item, box in zip(items, boxes, strict=True):
        label, font = item.label(2 * box.hw)
        width = min(chip_width(label, font), 2 * box.hw)
        chips.append(
            Chip(
                x=round(cx + box.x - width / 2, 1),
                y=round(cy + box.y - box.hh, 1),
                width=round(width, 1),
                height=round(2 * box.hh, 1),
                label=label,
                member=item.member,
                more=item.more,
                font=font,
            )
        )
    return tuple(chips)


@lru_cache(maxsize=512)
def layout_ring(ring: RingInput, index: int, width: float = WIDTH, height: float = HEIGHT) -> PlacedRing:
    """Place one ring's chips (index 0 is the core disk). Cached: the same ring draws the same."""
    band = bands(width, height)[index]
    cx, cy = width / 2, height / 2
    label = ring_label(ring)
    members = _ordered(ring.members)
    if index == 0:
        label_y = -band.b_out + GAP + LABEL_HEIGHT
        top = label_y + LABEL_HEIGHT / 2 + GAP
        items, boxes = _most_that_fit(members, lambda its: _disk_fit(band, its, top), CORE_LIMIT, ring.more)
        room = 2 * band.a_out * 0.8
        message_y = 0.0
    else:
        label_y = -band.b_mid
        box = Box(0.0, label_y, text_width(label, LABEL_FONT) / 2 + 2, LABEL_HEIGHT / 2)
        limit = _band_limit(band)
        items, boxes = _most_that_fit(members, lambda its: _band_fit(band, its, box), limit, ring.more)
        room = band.room(0.0, band.b_mid + LABEL_HEIGHT / 2, LABEL_HEIGHT * 2) - 2 * CHIP_PAD
        message_y = band.b_mid
    lines = wrap(empty_message(ring), room, LABEL_FONT) if not members else ()
    shown = sum(1 for item in items if item.member is not None)
    return PlacedRing(
        key=ring.key,
        name=ring.name,
        ring=ring.ring,
        rx=round(band.a_out, 1),
        ry=round(band.b_out, 1),
        label=label,
        label_x=round(cx, 1),
        label_y=round(cy + label_y + LABEL_FONT * 0.36, 1),
        chips=_chips(items, boxes, cx, cy),
        hidden=tuple(members[shown:]),
        lead_missing=bool(members) and ring.lead is None,
        empty_lines=lines,
        empty_y=round(cy + message_y - (len(lines) - 1) * LABEL_HEIGHT / 2 + LABEL_FONT * 0.36, 1),
    )


def _band_limit(band: Band) -> int:
    """The most chips a ring's band shows (one per CHIP_SPACING of its middle line)."""
    return int(2 * math.pi * math.sqrt((band.a_mid**2 + band.b_mid**2) / 2) / CHIP_SPACING)


@lru_cache(maxsize=8)
def capacity(width: float = WIDTH, height: float = HEIGHT) -> int:
    """The most members any ring of the picture can show: a reader need not load more per ring
    (`RingInput.more` counts the rest), and the picture is the same as with every member loaded."""
    found = bands(width, height)
    return max(CORE_LIMIT, *(_band_limit(band) for band in found[1:]))


def layout(rings: Sequence[RingInput], width: float = WIDTH, height: float = HEIGHT) -> Picture:
    """Place every ring's chips. `rings` are the four layers, in any order."""
    ordered = sorted(rings, key=lambda r: r.ring)
    placed = tuple(layout_ring(ring, index, width, height) for index, ring in enumerate(ordered))
    return Picture(width=width, height=height, rings=placed)


def overlaps(chips: Iterable[Chip]) -> list[tuple[Chip, Chip]]:
    """Pairs of chips that touch (used by tests and as a self-check)."""
    items = list(chips)
    bad = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height:
                bad.append((a, b))
    return bad
