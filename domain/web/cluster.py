"""A large web, clustered by category (issue 13 item 9), pure: no database."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .shapes import BOTTOM, CENTRE, LEFT, REGION_OF_CATEGORY, RIGHT, TOP

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


def cluster_web(links: Iterable[tuple[str, str, int, bool, int]], captions: dict[str, str]) -> ClusterPicture:
    """One circle per category and one line per pair of categories, from (category, category,
    trust, due, how many links) per group of links alike: the size of the picture does not depend
    on the number of links."""
    inside: dict[str, int] = defaultdict(int)
    touching: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # links, weak, due, trust sum
    for cat_a, cat_b, trust, due, n in links:
        a, b = sorted((cat_a, cat_b))
        touching[a] += n
        if a == b:
            inside[a] += n
            continue
        touching[b] += n
        tally = pairs[(a, b)]
        tally[0] += n
        tally[1] += n if trust <= 2 else 0
        tally[2] += n if due else 0
        tally[3] += n * trust
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
