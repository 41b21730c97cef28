"""Geometry of the Whole Product Partnership web picture (003_…), as a pure function: no database.

003_… draws the web with "customer-facing functions on one side … building functions on the
other … cross-functional functions spanning both", trust at the centre and disruption
conditions surrounding all of it. The picture follows it:

- building functions in the left column, customer-facing ones in the right column and
  cross-functional ones in the centre column, between the two;
- leadership in a band across the top, external partners in a band across the bottom;
- a trust halo behind the centre, where the links bend through;
- a frame around everything for the disruption conditions.

``layout_web`` takes plain nodes and edges and returns positions in a fixed-width viewBox
(the height grows with the number of functions). Readability rules, tested at 60 functions
and 150 links: nodes never overlap; every label is wrapped to at most two lines that fit
its box (ellipsized beyond); every node, label and link midpoint lies inside the viewBox.
A crowded column splits into two staggered sub-columns so links from the outer one pass
between the boxes of the inner one. Within a region, nodes are ordered to shorten links
(two barycentre sweeps), with the name as the tie-break, so the same input always gives
the same picture.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .shapes import (
    BAND_GAP,
    BAND_NODE_W,
    BOTTOM,
    CAPTION,
    CAPTIONS,
    CENTRE,
    CENTRE_W,
    GAP_X,
    GAP_Y,
    LEFT,
    MARGIN,
    NODE_H,
    REGION_OF_CATEGORY,
    RIGHT,
    ROWS_PER_COLUMN,
    SIDE_W,
    TOP,
    WIDTH,
    Edge,
    EdgeIn,
    Node,
    NodeIn,
    Region,
    WebLayout,
    wrap_label,
)

# --- labels -----------------------------------------------------------------------------------------


# --- placing ----------------------------------------------------------------------------------------


@dataclass
class _Slot:
    x: float
    y: float
    w: float


def _column_slots(count: int, x: float, width: float, top: float, max_cols: int, inner: str) -> list[_Slot]:
    """Slots in one or more staggered sub-columns of a vertical region, inner column first.

    `inner` says which side faces the centre ("right" for the left region): with two
    sub-columns the first nodes fill the inner one and the outer one is staggered by half a
    row, so its links pass between the inner boxes. One sub-column is centred in the region.
    """
    cols = max(1, min(max_cols, math.ceil(count / ROWS_PER_COLUMN)))
    w = (width - GAP_X * (cols - 1)) / cols
    if cols == 1:
        w = min(w, 230)
    pitch = NODE_H + GAP_Y
    rows = math.ceil(count / cols) if count else 0
    order = list(range(cols))
    if inner == "right":
        order.reverse()  # the left region's inner sub-column is its rightmost
    xs = {c: x + c * (w + GAP_X) for c in range(cols)}
    if cols == 1:
        xs[0] = x + (width - w) / 2
    slots = []
    for i in range(count):
        col, row = order[i // rows] if rows else 0, i % rows
        stagger = pitch / 2 if cols > 1 and col != order[0] else 0
        slots.append(_Slot(xs[col], top + row * pitch + stagger, w))
    return slots


def _column_height(count: int, max_cols: int) -> float:
    if not count:
        return 0.0
    cols = max(1, min(max_cols, math.ceil(count / ROWS_PER_COLUMN)))
    rows = math.ceil(count / cols)
    stagger = (NODE_H + GAP_Y) / 2 if cols > 1 else 0
    return rows * (NODE_H + GAP_Y) - GAP_Y + stagger


def _band_slots(count: int, top: float) -> list[_Slot]:
    """Rows of boxes across the full width, each row centred."""
    inner = WIDTH - 2 * MARGIN
    per_row = max(1, int((inner + GAP_X) // (BAND_NODE_W + GAP_X)))
    slots = []
    for i in range(count):
        row, col = divmod(i, per_row)
        in_row = min(per_row, count - row * per_row)
        row_w = in_row * BAND_NODE_W + (in_row - 1) * GAP_X
        x = (WIDTH - row_w) / 2 + col * (BAND_NODE_W + GAP_X)
        slots.append(_Slot(x, top + row * (NODE_H + GAP_Y), BAND_NODE_W))
    return slots


def _band_height(count: int) -> float:
    if not count:
        return 0.0
    per_row = max(1, int((WIDTH - 2 * MARGIN + GAP_X) // (BAND_NODE_W + GAP_X)))
    rows = math.ceil(count / per_row)
    return rows * (NODE_H + GAP_Y) - GAP_Y


MAX_COLS = {LEFT: 2, CENTRE: 2, RIGHT: 2}


@dataclass(frozen=True)
class _Frame:
    """Where each region sits, computed once from the counts."""

    regions: dict[str, Region]
    height: float
    centre: tuple[float, float]
    halo: tuple[float, float]


def _frame(counts: dict[str, int]) -> _Frame:
    y = MARGIN + CAPTION  # the frame's own caption sits above the first region
    regions: dict[str, Region] = {}
    top_h = _band_height(counts[TOP])
    if top_h:
        regions[TOP] = Region(TOP, CAPTIONS[TOP], MARGIN, y, WIDTH - 2 * MARGIN, CAPTION + top_h, counts[TOP])
        y += CAPTION + top_h + BAND_GAP
    middle_h = max(_column_height(counts[key], MAX_COLS[key]) for key in (LEFT, CENTRE, RIGHT))
    middle_h = max(middle_h, NODE_H * 3)  # a visible centre even for a small web
    gutter = (WIDTH - 2 * MARGIN - 2 * SIDE_W - CENTRE_W) / 2
    columns = {
        LEFT: (MARGIN, SIDE_W),
        CENTRE: (MARGIN + SIDE_W + gutter, CENTRE_W),
        RIGHT: (WIDTH - MARGIN - SIDE_W, SIDE_W),
    }
    for key, (x, w) in columns.items():
        regions[key] = Region(key, CAPTIONS[key], x, y, w, CAPTION + middle_h, counts[key])
    centre = (WIDTH / 2, y + CAPTION + middle_h / 2)
    halo = (CENTRE_W / 2 + gutter * 0.9, middle_h / 2 + 4)
    y += CAPTION + middle_h + CAPTION  # the last CAPTION holds the halo's caption
    bottom_h = _band_height(counts[BOTTOM])
    if bottom_h:
        y += BAND_GAP
        regions[BOTTOM] = Region(
            BOTTOM, CAPTIONS[BOTTOM], MARGIN, y, WIDTH - 2 * MARGIN, CAPTION + bottom_h, counts[BOTTOM]
        )
        y += CAPTION + bottom_h
    return _Frame(regions, y + MARGIN, centre, halo)


def _slots(frame: _Frame, key: str, count: int) -> list[_Slot]:
    region = frame.regions.get(key)
    if region is None or not count:
        return []
    top = region.y + CAPTION
    if key in (TOP, BOTTOM):
        return _band_slots(count, top)
    inner = {LEFT: "right", RIGHT: "left", CENTRE: "centre"}[key]
    return _column_slots(count, region.x, region.w, top, MAX_COLS[key], inner)


def _place(frame: _Frame, groups: dict[str, list[NodeIn]]) -> dict[int, Node]:
    placed: dict[int, Node] = {}
    for key, members in groups.items():
        for node, slot in zip(members, _slots(frame, key, len(members)), strict=True):
            placed[node.id] = Node(
                id=node.id,
                name=node.name,
                category=node.category,
                region=key,
                x=round(slot.x, 1),
                y=round(slot.y, 1),
                w=round(slot.w, 1),
                h=NODE_H,
                lines=wrap_label(node.name, slot.w),
                is_external=node.is_external,
            )
    return placed


def _reorder(groups: dict[str, list[NodeIn]], placed: dict[int, Node], neighbours: dict[int, list[int]]) -> None:
    """One barycentre sweep: a node moves toward the mean position of its partners."""
    for key, members in groups.items():
        vertical = key in (LEFT, CENTRE, RIGHT)

        def position(node_id: int, vertical: bool = vertical) -> float:
            n = placed[node_id]
            return n.cy if vertical else n.cx

        def weight(node: NodeIn) -> tuple[float, str, int]:
            others = neighbours.get(node.id, [])
            mean = sum(position(o) for o in others) / len(others) if others else position(node.id)
            return (round(mean, 3), node.name.casefold(), node.id)

        members.sort(key=weight)


# --- links ------------------------------------------------------------------------------------------


def _anchor(node: Node, other: Node) -> tuple[float, float]:
    """Where a link leaves a box: the side that faces the rest of the web."""
    if node.region == LEFT:
        return (node.right, node.cy)
    if node.region == RIGHT:
        return (node.x, node.cy)
    if node.region == TOP:
        return (node.cx, node.bottom)
    if node.region == BOTTOM:
        return (node.cx, node.y)
    # The centre column spans both sides: leave toward the other end.
    if other.region == TOP:
        return (node.cx, node.y)
    if other.region == BOTTOM:
        return (node.cx, node.bottom)
    if other.region == CENTRE:
        return (node.right, node.cy)  # and bow to the right (_control)
    return (node.x, node.cy) if other.cx < node.cx else (node.right, node.cy)


def _control(
    a: Node, b: Node, p0: tuple[float, float], p1: tuple[float, float], centre: tuple[float, float]
) -> tuple[float, float]:
    mx, my = (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2
    if a.region == b.region and a.region in (LEFT, RIGHT, CENTRE):
        # Same column: bow sideways into the gutter rather than run through the boxes between.
        bow = min(130.0, 30 + 0.3 * abs(p1[1] - p0[1]))
        edge = max(p0[0], p1[0]) if a.region != RIGHT else min(p0[0], p1[0])
        return (edge - bow if a.region == RIGHT else edge + bow, my)
    if a.region == b.region:  # both in the top band, or both in the bottom one
        bow = min(90.0, 24 + 0.15 * abs(p1[0] - p0[0]))
        return (mx, my + bow if a.region == TOP else my - bow)
    # Across regions: bend through the centre, where trust holds the web together.
    pull = 0.3
    return (mx + (centre[0] - mx) * pull, my + (centre[1] - my) * pull)


BADGE_R = 11  # the badge's radius plus a little air
BADGE_TRIES = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88)


TextBox = tuple[float, float, float, float]


def hides_a_name(point: tuple[float, float], nodes: Sequence[Node], radius: float = BADGE_R) -> bool:
    """Would a badge centred here cover some label's text? (Covering a box's empty edge is fine.)"""
    return _hides(point, [n.text_box for n in nodes], radius)


def _hides(point: tuple[float, float], boxes: Sequence[TextBox] | BoxGrid, radius: float = BADGE_R) -> bool:
    x, y = point
    near = boxes.near(point, radius) if isinstance(boxes, BoxGrid) else boxes
    for x0, y0, x1, y1 in near:
        dx, dy = max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1)
        if dx * dx + dy * dy < radius * radius:
            return True
    return False


class BoxGrid:
    """Text boxes filed in square cells, so "does a badge here hide a name?" looks at the few
    boxes near the point instead of every box: the picture's cost grows with its links, not
    with links x functions (issue 13 item 9)."""

    def __init__(self, boxes: Iterable[TextBox], cell: float = 64.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[TextBox]] = defaultdict(list)
        for box in boxes:
            x0, y0, x1, y1 = box
            for i in range(int(x0 // cell), int(x1 // cell) + 1):
                for j in range(int(y0 // cell), int(y1 // cell) + 1):
                    self.cells[(i, j)].append(box)

    def near(self, point: tuple[float, float], radius: float) -> list[TextBox]:
        x, y, cell = point[0], point[1], self.cell
        found: dict[TextBox, None] = {}  # a box spanning several cells counts once, in a stable order
        for i in range(int((x - radius) // cell), int((x + radius) // cell) + 1):
            for j in range(int((y - radius) // cell), int((y + radius) // cell) + 1):
                for box in self.cells.get((i, j), ()):
                    found[box] = None
        return list(found)


def _edge(e: EdgeIn, placed: dict[int, Node], centre: tuple[float, float], boxes: BoxGrid) -> Edge:
    a, b = placed[e.a], placed[e.b]
    p0, p1 = _anchor(a, b), _anchor(b, a)
    edge = Edge(id=e.id, a=e.a, b=e.b, start=p0, control=_control(a, b, p0, p1, centre), end=p1)
    # A badge must not hide a function's name: slide it along the curve until it does not.
    for t in BADGE_TRIES:
        if not _hides(edge.at(t), boxes):
            return replace(edge, badge_t=t)
    return edge


# --- the whole picture ------------------------------------------------------------------------------


def layout_web(nodes: Iterable[NodeIn], edges: Iterable[EdgeIn], *, sweeps: int = 2) -> WebLayout:
    """Place the functions and route the links. Edges naming an unknown node are dropped."""
    groups: dict[str, list[NodeIn]] = {key: [] for key in (TOP, LEFT, CENTRE, RIGHT, BOTTOM)}
    for node in nodes:
        groups[REGION_OF_CATEGORY.get(node.category, CENTRE)].append(node)
    for members in groups.values():
        members.sort(key=lambda n: (n.name.casefold(), n.id))
    known = {n.id for members in groups.values() for n in members}
    links = [e for e in edges if e.a in known and e.b in known and e.a != e.b]
    neighbours: dict[int, list[int]] = defaultdict(list)
    for e in links:
        neighbours[e.a].append(e.b)
        neighbours[e.b].append(e.a)

    frame = _frame({key: len(members) for key, members in groups.items()})
    placed = _place(frame, groups)
    for _ in range(sweeps):
        _reorder(groups, placed, neighbours)
        placed = _place(frame, groups)

    ordered = tuple(placed[n.id] for key in (TOP, LEFT, CENTRE, RIGHT, BOTTOM) for n in groups[key])
    boxes = BoxGrid(n.text_box for n in ordered)
    return WebLayout(
        width=WIDTH,
        height=round(frame.height, 1),
        nodes=ordered,
        edges=tuple(_edge(e, placed, frame.centre, boxes) for e in links),
        regions=tuple(frame.regions[key] for key in (TOP, LEFT, CENTRE, RIGHT, BOTTOM) if key in frame.regions),
        centre=frame.centre,
        halo=frame.halo,
    )


def overlaps(nodes: Sequence[Node], gap: float = 0.0) -> list[tuple[int, int]]:
    """Pairs of nodes whose boxes (grown by `gap`) intersect: the layout's tests want none."""
    found = []
    ordered = sorted(nodes, key=lambda n: n.x)
    for i, n in enumerate(ordered):
        for m in ordered[i + 1 :]:
            if m.x >= n.right + gap:
                break
            if n.y < m.bottom + gap and m.y < n.bottom + gap:
                found.append((n.id, m.id))
    return found
