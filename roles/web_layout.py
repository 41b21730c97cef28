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
from datetime import date

from domain.review_state import format_day

WIDTH = 1200
MARGIN = 28  # inside the frame
FRAME_INSET = 8  # the frame's distance from the viewBox edge
CAPTION = 24  # room above a region's nodes for its caption
NODE_H = 40
GAP_X = 16
GAP_Y = 14
BAND_GAP = 56  # between the top band, the middle and the bottom band: room for links to bend
SIDE_W = 340  # left and right columns
CENTRE_W = 260
ROWS_PER_COLUMN = 12  # beyond this a column splits into two
BAND_NODE_W = 196  # leadership and partner boxes
FONT_PX = 12
CHAR_W = 7.0  # a generous average glyph width at FONT_PX, so estimated text never overflows
PAD_X = 9
MAX_LINES = 2
ELLIPSIS = "…"

LEFT, CENTRE, RIGHT, TOP, BOTTOM = "left", "centre", "right", "top", "bottom"
REGION_OF_CATEGORY = {
    "building": LEFT,
    "cross_functional": CENTRE,
    "customer_facing": RIGHT,
    "leadership": TOP,
    "partner": BOTTOM,
}
CAPTIONS = {
    LEFT: "Building",
    CENTRE: "Cross-functional",
    RIGHT: "Customer-facing",
    TOP: "Leadership",
    BOTTOM: "External partners",
}


@dataclass(frozen=True)
class NodeIn:
    id: int
    name: str
    category: str
    is_external: bool = False


@dataclass(frozen=True)
class EdgeIn:
    id: int
    a: int
    b: int


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    category: str
    region: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]  # the label, wrapped and ellipsized to fit
    is_external: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def truncated(self) -> bool:
        return "".join(self.lines).replace(" ", "") != "".join(self.name.split())

    @property
    def text_box(self) -> tuple[float, float, float, float]:
        """The estimated extent of the label's text: (x0, y0, x1, y1)."""
        half_w = max(len(line) for line in self.lines) * CHAR_W / 2
        half_h = len(self.lines) * FONT_PX * 1.2 / 2
        return (self.cx - half_w, self.cy - half_h, self.cx + half_w, self.cy + half_h)

    @property
    def flag_x(self) -> float:
        """Where the "recently disrupted" mark sits: the box's top-right corner."""
        return self.right - 2

    @property
    def flag_y(self) -> float:
        return self.y + 2

    @property
    def text_y(self) -> tuple[tuple[str, float], ...]:
        """Each label line with its baseline, centred vertically in the box."""
        first = self.cy + FONT_PX * 0.35 - (len(self.lines) - 1) * FONT_PX * 0.6
        return tuple((line, round(first + i * FONT_PX * 1.2, 1)) for i, line in enumerate(self.lines))


@dataclass(frozen=True)
class Edge:
    id: int
    a: int
    b: int
    start: tuple[float, float]
    control: tuple[float, float]
    end: tuple[float, float]
    # Where along the curve the link's badge sits: ½ unless a box covers that point.
    badge_t: float = 0.5

    @property
    def d(self) -> str:
        """The SVG path: one quadratic curve."""
        (x0, y0), (cx, cy), (x1, y1) = self.start, self.control, self.end
        return f"M{x0:.1f} {y0:.1f} Q{cx:.1f} {cy:.1f} {x1:.1f} {y1:.1f}"

    def at(self, t: float) -> tuple[float, float]:
        """The curve's point at parameter t (0 at the start, 1 at the end)."""
        (x0, y0), (cx, cy), (x1, y1) = self.start, self.control, self.end
        u = 1 - t
        return (round(u * u * x0 + 2 * u * t * cx + t * t * x1, 1), round(u * u * y0 + 2 * u * t * cy + t * t * y1, 1))

    @property
    def mid(self) -> tuple[float, float]:
        """Where the link's badge goes: the middle of the curve, or the nearest point off every box."""
        return self.at(self.badge_t)

    @property
    def mx(self) -> float:
        return self.mid[0]

    @property
    def my(self) -> float:
        return self.mid[1]


@dataclass(frozen=True)
class Region:
    key: str
    caption: str
    x: float
    y: float
    w: float
    h: float
    count: int

    @property
    def caption_x(self) -> float:
        """Captions are centred above the region's boxes."""
        return self.x + self.w / 2

    @property
    def caption_y(self) -> float:
        return self.y + CAPTION - 9

    @property
    def caption_anchor(self) -> str:
        return "middle"


@dataclass(frozen=True)
class WebLayout:
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    regions: tuple[Region, ...]
    centre: tuple[float, float]  # the trust halo's centre
    halo: tuple[float, float]  # its radii (rx, ry)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def frame(self) -> tuple[float, float, float, float]:
        return (FRAME_INSET, FRAME_INSET, self.width - 2 * FRAME_INSET, self.height - 2 * FRAME_INSET)

    @property
    def frame_caption(self) -> tuple[float, float]:
        return (FRAME_INSET + 14, FRAME_INSET + 20)

    @property
    def halo_caption(self) -> tuple[float, float]:
        """Just below the halo, in the gap under the middle band."""
        return (self.centre[0], round(self.centre[1] + self.halo[1] + 13, 1))

    def node(self, node_id: int) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


# --- labels -----------------------------------------------------------------------------------------


def wrap_label(name: str, width: float, max_lines: int = MAX_LINES) -> tuple[str, ...]:
    """Words into at most `max_lines` lines that fit `width`; the last one ellipsized if need be."""
    capacity = max(3, int((width - 2 * PAD_X) // CHAR_W))
    words = name.split() or [""]
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > capacity:  # a word longer than a line is cut across lines
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:capacity])
            word = word[capacity:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= capacity:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return tuple(lines)
    kept = lines[:max_lines]
    rest = " ".join([kept[-1], *lines[max_lines:]])
    kept[-1] = rest[: capacity - 1].rstrip() + ELLIPSIS
    return tuple(kept)


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


# --- a large web, clustered by category (issue 13 item 9) --------------------------------------------

CLUSTER_W, CLUSTER_H, CLUSTER_R = 1200, 620, 74
# Where each category sits: the regions of the full picture, one circle each.
CLUSTER_SPOTS = {TOP: (600, 110), LEFT: (190, 330), CENTRE: (600, 330), RIGHT: (1010, 330), BOTTOM: (600, 530)}


@dataclass(frozen=True)
class ClusterNode:
    category: str
    caption: str
    x: float
    y: float
    r: float
    links_inside: int  # links between two functions of this category
    links: int  # every link touching the category


@dataclass(frozen=True)
class ClusterEdge:
    a: str  # categories
    b: str
    start: tuple[float, float]
    end: tuple[float, float]
    control: tuple[float, float]
    links: int
    weak: int
    due: int
    mean_trust: float

    @property
    def d(self) -> str:
        (x0, y0), (cx, cy), (x1, y1) = self.start, self.control, self.end
        return f"M{x0:g},{y0:g} Q{cx:g},{cy:g} {x1:g},{y1:g}"

    @property
    def trust(self) -> int:
        return max(1, min(5, round(self.mean_trust)))

    @property
    def weight(self) -> int:
        """1 to 6, by the order of magnitude of the number of links (a CSS class: no inline style)."""
        return min(6, 1 + int(2 * math.log10(max(self.links, 1))))

    @property
    def label_at(self) -> tuple[float, float]:
        (x0, y0), (cx, cy), (x1, y1) = self.start, self.control, self.end
        return (round(0.25 * x0 + 0.5 * cx + 0.25 * x1, 1), round(0.25 * y0 + 0.5 * cy + 0.25 * y1, 1))


@dataclass(frozen=True)
class ClusterPicture:
    width: int
    height: int
    nodes: tuple[ClusterNode, ...]
    edges: tuple[ClusterEdge, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def cluster_web(links: Iterable[tuple[str, str, int, bool]], captions: dict[str, str]) -> ClusterPicture:
    """One circle per category and one line per pair of categories, from (category, category,
    trust, due) per link: the size of the picture does not depend on the number of links."""
    inside: dict[str, int] = defaultdict(int)
    touching: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # links, weak, due, trust sum
    for cat_a, cat_b, trust, due in links:
        a, b = sorted((cat_a, cat_b))
        touching[a] += 1
        if a == b:
            inside[a] += 1
            continue
        touching[b] += 1
        tally = pairs[(a, b)]
        tally[0] += 1
        tally[1] += trust <= 2
        tally[2] += due
        tally[3] += trust
    nodes = {
        key: ClusterNode(key, captions.get(key, key), *CLUSTER_SPOTS[region], CLUSTER_R, inside[key], touching[key])
        for key, region in REGION_OF_CATEGORY.items()
    }
    edges = []
    centre = CLUSTER_SPOTS[CENTRE]
    for (a, b), (count, weak, due, total) in sorted(pairs.items()):
        na, nb = nodes[a], nodes[b]
        start, end = _towards(na, nb), _towards(nb, na)
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        # Lines that would cross the centre circle bow around it.
        bow = 0.0 if CENTRE in (REGION_OF_CATEGORY[a], REGION_OF_CATEGORY[b]) else 0.45
        control = (round(mx + (mx - centre[0]) * bow, 1), round(my + (my - centre[1]) * bow, 1))
        if abs(mx - centre[0]) < 1 and abs(my - centre[1]) < 1:
            control = (round(mx + 150, 1), my)  # top to bottom: round the right side of the centre
        edges.append(ClusterEdge(a, b, start, end, control, count, weak, due, total / count))
    return ClusterPicture(CLUSTER_W, CLUSTER_H, tuple(nodes.values()), tuple(edges))


def _towards(node: ClusterNode, other: ClusterNode) -> tuple[float, float]:
    dx, dy = other.x - node.x, other.y - node.y
    length = math.hypot(dx, dy) or 1.0
    return (round(node.x + dx / length * node.r, 1), round(node.y + dy / length * node.r, 1))


# --- a partnership's trust over time -------------------------------------------------------------------


@dataclass(frozen=True)
class TrendDot:
    x: float
    y: float
    trust: int
    day: date


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    dots: tuple[TrendDot, ...]
    y_ticks: tuple[tuple[float, int], ...]  # (y, trust level)
    x_ticks: tuple[tuple[float, str], ...]  # (x, "3 Nov 2025")

    @property
    def points(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.dots)

    @property
    def left(self) -> int:
        return CHART_PAD_L

    @property
    def right(self) -> int:
        return self.width - CHART_PAD_R


CHART_PAD_L, CHART_PAD_R, CHART_PAD_T, CHART_PAD_B = 30, 16, 12, 26


def trend_chart(readings: Sequence[tuple[date, int]], *, width: int = 560, height: int = 170) -> TrendChart:
    """Trust readings (oldest first) on a time axis: trust 1 at the bottom, 5 at the top."""
    inner_w = width - CHART_PAD_L - CHART_PAD_R
    inner_h = height - CHART_PAD_T - CHART_PAD_B

    def y_of(trust: int) -> float:
        return round(CHART_PAD_T + inner_h - (trust - 1) / 4 * inner_h, 1)

    y_ticks = tuple((y_of(level), level) for level in range(1, 6))
    if not readings:
        return TrendChart(width, height, (), y_ticks, ())
    first, last = readings[0][0], readings[-1][0]
    span = (last - first).days

    def x_of(day: date) -> float:
        if not span:
            return round(CHART_PAD_L + inner_w / 2, 1)
        return round(CHART_PAD_L + (day - first).days / span * inner_w, 1)

    dots = tuple(TrendDot(x_of(day), y_of(trust), trust, day) for day, trust in readings)
    days = [first] if not span else [first, last]
    x_ticks = tuple((x_of(day), format_day(day)) for day in days)
    return TrendChart(width, height, dots, y_ticks, x_ticks)
