"""The web picture's sizes, regions and shapes: plain nodes and edges in, placed boxes and links out."""

from __future__ import annotations

from dataclasses import dataclass

LEFT, CENTRE, RIGHT, TOP, BOTTOM = "left", "centre", "right", "top", "bottom"
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
