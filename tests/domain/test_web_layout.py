"""The web picture's geometry (domain.web.layout): pure functions, no database."""

from __future__ import annotations

import random
from datetime import date

import pytest

from domain.web.layout import hides_a_name, layout_web, overlaps
from domain.web.shapes import CHAR_W, ELLIPSIS, FONT_PX, MAX_LINES, PAD_X, EdgeIn, NodeIn, WebLayout, wrap_label
from shared.charts import trust_chart

CATEGORIES = ["building", "customer_facing", "cross_functional", "leadership", "partner"]
LONG_NAMES = [
    "Sales & Account Management",
    "Pre-sales / Solutions Engineering",
    "Data & Technology Partners",
    "Directors & VPs of Product",
    "Subject Matter Experts",
]


def organization(functions: int, links: int, seed: int = 7, mix: list[int] | None = None):
    """A random but reproducible web: `functions` nodes in the given category mix, `links` distinct pairs."""
    rng = random.Random(seed)
    mix = mix or [22, 18, 10, 5, 5]
    categories = [c for c, n in zip(CATEGORIES, mix, strict=True) for _ in range(n)][:functions]
    nodes = [
        NodeIn(i + 1, f"{LONG_NAMES[i % 5]} {i + 1}" if i % 3 == 0 else f"Team {i + 1}", cat, cat == "partner")
        for i, cat in enumerate(categories)
    ]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < links:
        a, b = rng.sample(range(1, functions + 1), 2)
        pairs.add((min(a, b), max(a, b)))
    return nodes, [EdgeIn(i + 1, a, b) for i, (a, b) in enumerate(sorted(pairs))]


def inside(layout: WebLayout, x: float, y: float) -> bool:
    return 0 <= x <= layout.width and 0 <= y <= layout.height


def text_width(line: str) -> float:
    return len(line) * CHAR_W


@pytest.fixture(scope="module")
def big() -> WebLayout:
    return layout_web(*organization(60, 150))


def test_sixty_functions_never_overlap(big):
    assert len(big.nodes) == 60
    assert overlaps(big.nodes, gap=8) == []


def test_every_node_and_label_lies_inside_the_view_box(big):
    for node in big.nodes:
        assert inside(big, node.x, node.y) and inside(big, node.right, node.bottom), node
        assert 1 <= len(node.lines) <= MAX_LINES
        for line, baseline in node.text_y:
            # Each line fits its box, with its padding, and sits inside it vertically.
            assert text_width(line) <= node.w - 2 * PAD_X, (line, node.w)
            assert node.y < baseline - FONT_PX * 0.8 and baseline < node.bottom, (line, baseline, node)
    for region in big.regions:
        assert inside(big, region.caption_x, region.caption_y)
        assert inside(big, region.x, region.y) and inside(big, region.x + region.w, region.y + region.h)
    assert inside(big, *big.frame_caption)
    assert inside(big, *big.halo_caption)


def test_a_hundred_and_fifty_links_are_routed_inside_the_view_box(big):
    assert len(big.edges) == 150
    ids = {n.id for n in big.nodes}
    for edge in big.edges:
        assert {edge.a, edge.b} <= ids
        for point in (edge.start, edge.control, edge.end, edge.mid):
            assert inside(big, *point), (edge, point)
        assert edge.d.startswith("M") and " Q" in edge.d


def test_badges_never_hide_a_function_name(big):
    hidden = [edge.id for edge in big.edges if hides_a_name(edge.mid, big.nodes, radius=9)]
    assert hidden == []
    assert sum(edge.badge_t == 0.5 for edge in big.edges) > len(big.edges) / 2  # most sit mid-line


def test_the_regions_follow_the_model(big):
    by_region: dict[str, list] = {}
    for node in big.nodes:
        by_region.setdefault(node.region, []).append(node)
    left = max(n.right for n in by_region["left"])
    centre_min, centre_max = min(n.x for n in by_region["centre"]), max(n.right for n in by_region["centre"])
    right = min(n.x for n in by_region["right"])
    # Building on one side, customer-facing on the other, cross-functional spanning between them.
    assert left < centre_min and centre_max < right
    assert centre_min < big.width / 2 < centre_max
    # Leadership at the top, external partners at the bottom.
    middle = by_region["left"] + by_region["centre"] + by_region["right"]
    assert max(n.bottom for n in by_region["top"]) < min(n.y for n in middle)
    assert max(n.bottom for n in middle) < min(n.y for n in by_region["bottom"])
    assert {n.category for n in by_region["left"]} == {"building"}
    assert {n.category for n in by_region["right"]} == {"customer_facing"}
    assert [r.caption for r in big.regions] == [
        "Leadership",
        "Building",
        "Cross-functional",
        "Customer-facing",
        "External partners",
    ]


def test_a_crowded_column_splits_in_two_staggered_sub_columns():
    nodes, edges = organization(60, 150, mix=[60, 0, 0, 0, 0])
    layout = layout_web(nodes, edges)
    assert overlaps(layout.nodes, gap=8) == []
    xs = sorted({n.x for n in layout.nodes})
    assert len(xs) == 2
    tops = {x: min(n.y for n in layout.nodes if n.x == x) for x in xs}
    assert tops[xs[0]] != tops[xs[1]]  # the outer one is offset by half a row
    assert all(inside(layout, n.right, n.bottom) for n in layout.nodes)


def test_the_same_web_always_gives_the_same_picture():
    nodes, edges = organization(40, 90, seed=3)
    first, second = layout_web(nodes, edges), layout_web(list(reversed(nodes)), list(reversed(edges)))
    assert [(n.id, n.x, n.y) for n in first.nodes] == [(n.id, n.x, n.y) for n in second.nodes]
    assert {e.id: e.d for e in first.edges} == {e.id: e.d for e in second.edges}


def test_links_to_unknown_functions_or_to_themselves_are_dropped():
    nodes = [NodeIn(1, "Engineering", "building"), NodeIn(2, "Sales", "customer_facing")]
    layout = layout_web(nodes, [EdgeIn(1, 1, 2), EdgeIn(2, 1, 99), EdgeIn(3, 2, 2)])
    assert [e.id for e in layout.edges] == [1]
    edge = layout.edges[0]
    engineering, sales = layout.node(1), layout.node(2)
    # The link leaves each box on the side that faces the other.
    assert edge.start == (engineering.right, engineering.cy)
    assert edge.end == (sales.x, sales.cy)


def test_an_empty_web_still_has_its_frame():
    layout = layout_web([], [])
    assert layout.nodes == () and layout.edges == ()
    assert layout.width == 1200 and layout.height > 0
    assert [r.key for r in layout.regions] == ["left", "centre", "right"]


def test_a_small_web_has_no_empty_bands():
    layout = layout_web([NodeIn(1, "Engineering", "building")], [])
    assert [r.key for r in layout.regions] == ["left", "centre", "right"]
    assert inside(layout, *layout.halo_caption)


def test_same_column_links_bow_into_the_gutter():
    nodes = [NodeIn(1, "Engineering", "building"), NodeIn(2, "UX & Design", "building")]
    layout = layout_web(nodes, [EdgeIn(1, 1, 2)])
    edge = layout.edges[0]
    assert edge.control[0] > max(n.right for n in layout.nodes)


# --- labels -----------------------------------------------------------------------------------------


def test_a_short_name_stays_on_one_line():
    assert wrap_label("Finance", 200) == ("Finance",)


def test_a_long_name_wraps_on_words():
    assert wrap_label("Sales & Account Management", 160) == ("Sales & Account", "Management")


def test_a_name_too_long_for_two_lines_is_ellipsized():
    lines = wrap_label("Regional Customer Success and Onboarding Excellence Programme Office", 160)
    assert len(lines) == 2
    assert lines[-1].endswith(ELLIPSIS)
    assert all(text_width(line) <= 160 - 2 * PAD_X for line in lines)


def test_a_single_very_long_word_is_cut_to_fit():
    lines = wrap_label("Supercalifragilisticexpialidociousteamwithnospaces", 120)
    assert all(text_width(line) <= 120 - 2 * PAD_X for line in lines)
    assert lines[-1].endswith(ELLIPSIS)


# --- the trust chart of one partnership --------------------------------------------------------------


def test_the_trend_chart_puts_time_across_and_trust_up():
    chart = trust_chart([(date(2025, 1, 1), 2), (date(2025, 3, 1), 4), (date(2025, 5, 1), 5)])
    xs = [d.x for d in chart.dots]
    ys = [d.y for d in chart.dots]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right
    assert ys[0] > ys[1] > ys[2]  # higher trust is higher up
    assert [label for _, label in chart.x_ticks] == ["1 Jan 2025", "1 May 2025"]
    assert [level for _, level in chart.y_ticks] == [1, 2, 3, 4, 5]
    assert chart.points.count(",") == 3


def test_a_single_reading_sits_in_the_middle_and_no_reading_draws_nothing():
    chart = trust_chart([(date(2025, 1, 1), 3)])
    assert chart.dots[0].x == (chart.left + chart.right) / 2
    assert trust_chart([]).dots == ()
