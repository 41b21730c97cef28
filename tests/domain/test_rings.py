"""Geometry of the whole product picture (domain/rings/layout.py): pure functions, no database."""

from __future__ import annotations

import math
import time

import pytest

from domain.rings.layout import Band, bands, layout, overlaps
from domain.rings.shapes import CHIP_FONT, ELLIPSIS, LEAD_MARK, SMALL_FONT, Member, Picture, RingInput
from domain.rings.text import chip_width, fit_label, text_width

DEMO = {
    "core": ["Product Management", "Product Owners", "UX & Design", "Engineering (R&D)", "Product Operations"],
    "expected": ["Sales & Account Management", "Product Marketing", "Pre-sales / Solutions Engineering", "Legal"],
    "augmented": [
        "Customer Success",
        "Sales & Account Management",
        "Business Development",
        "Product Marketing",
        "Customer Support",
        "Subject Matter Experts",
        "Technical Writing",
    ],
    "potential": ["CEO", "Board of Directors", "Corporate Marketing", "HR / People", "Finance", "Channel Partners"],
}
NAMES = {"core": "Core product", "expected": "Expected product", "augmented": "Augmented product"}
NAMES["potential"] = "Potential product"


def ring(key: str, names: list[str], *, lead: int | None = 0, category: str = "building", start: int = 0) -> RingInput:
    members = tuple(
        Member(start + i, name, category, is_external="Partner" in name, is_lead=i == lead)
        for i, name in enumerate(names)
    )
    return RingInput(key, NAMES[key], list(NAMES).index(key) + 1, members)


def picture(**overrides: list[str]) -> Picture:
    rings = []
    for i, key in enumerate(NAMES):
        rings.append(ring(key, overrides.get(key, DEMO[key]), start=1000 * i))
    return layout(rings)


def edge_points(chip, steps: int = 12):
    for i in range(steps + 1):
        t = i / steps
        yield chip.x + t * chip.width, chip.y
        yield chip.x + t * chip.width, chip.y + chip.height
        yield chip.x, chip.y + t * chip.height
        yield chip.x + chip.width, chip.y + t * chip.height


def inside(px: float, py: float, a: float, b: float) -> bool:
    return (px / a) ** 2 + (py / b) ** 2 <= 1 + 1e-6 if a > 0 else False


def assert_chips_stay_in_their_rings(pic: Picture) -> None:
    for band, placed in zip(bands(pic.width, pic.height), pic.rings, strict=True):
        for chip in placed.chips:
            for px, py in edge_points(chip):
                x, y = px - pic.cx, py - pic.cy
                assert inside(x, y, band.a_out, band.b_out), f"{chip.label} leaves the {placed.key} ring"
                if band.a_in:
                    assert not inside(x, y, band.a_in - 0.01, band.b_in - 0.01), f"{chip.label} enters the ring inside"


# ---------------------------------------------------------------- text


def test_text_width_uses_arial_bold_advances():
    assert text_width("A", 12) == pytest.approx(722 * 12 / 1000)
    assert text_width("ll", 10) == pytest.approx(2 * 278 * 10 / 1000)
    assert text_width("é") > text_width("e")  # outside ASCII: a wide guess, never an overflow


def test_it_keeps_the_whole_name_when_it_fits():
    assert fit_label("Customer Success", 200) == ("Customer Success", CHIP_FONT)


def test_it_shrinks_the_font_before_shortening_the_name():
    tight = chip_width("Customer Success") - 1
    assert fit_label("Customer Success", tight) == ("Customer Success", SMALL_FONT)


def test_it_abbreviates_words_before_cutting_a_name():
    room = chip_width("Cust Success") + 0.5
    assert fit_label("Customer Success", room) == ("Cust Success", CHIP_FONT)
    assert fit_label("Engineering (R&D)", chip_width("Engineering") + 0.5) == ("Engineering", CHIP_FONT)


def test_a_cut_name_ends_in_an_ellipsis_never_a_scrap_of_a_word():
    room = chip_width("Regional Pa…") - 0.5  # "Regional P…" would fit: a one-letter scrap
    assert fit_label("Regional Partnerships Office", room) == ("Regional" + ELLIPSIS, CHIP_FONT)


def test_the_lead_mark_counts_in_the_width():
    label, size = fit_label("CEO", 200, prefix=LEAD_MARK)
    assert label == "★ CEO" and size == CHIP_FONT
    assert chip_width(label) > chip_width("CEO")


def test_nothing_fits_in_no_room():
    assert fit_label("Customer Success", 20) is None


# ---------------------------------------------------------------- rings


def test_the_four_rings_nest_core_first():
    core, expected, augmented, potential = bands()
    assert core.a_in == 0
    assert core.a_out == expected.a_in and expected.a_out == augmented.a_in and augmented.a_out == potential.a_in
    assert potential.a_out < 360


def test_a_band_row_splits_in_two_beside_the_ring_inside_it():
    band = Band(100, 100, 200, 200)
    left, right = band.segments(0)
    assert left[0] == pytest.approx(-right[1]) and right[0] > 100
    assert len(band.segments(150)) == 1  # below the inner ring: one stretch across
    assert band.segments(199) == []  # no room for a chip at the very edge


def test_every_chip_stays_inside_its_ring_and_none_overlap():
    pic = picture()
    assert sum(len(r.chips) for r in pic.rings) == sum(len(v) for v in DEMO.values())
    assert_chips_stay_in_their_rings(pic)
    assert overlaps(pic.chips) == []


def test_every_label_fits_its_chip():
    pic = picture()
    for chip in pic.chips:
        assert chip_width(chip.label, chip.font) <= chip.width + 0.11


def test_demo_names_are_drawn_whole_or_abbreviated_never_cut():
    pic = picture()
    assert not [chip.label for chip in pic.chips if chip.label.endswith(ELLIPSIS)]


def test_the_lead_is_marked_and_placed_first():
    pic = picture()
    for placed in pic.rings:
        first = placed.chips[0]
        assert first.member.is_lead and first.label.startswith(LEAD_MARK)
        assert all(not c.label.startswith(LEAD_MARK) for c in placed.chips[1:])


def test_an_empty_layer_says_no_one_owns_it():
    pic = picture(expected=[])
    expected = pic.rings[1]
    assert expected.is_empty and not expected.chips
    assert " ".join(expected.empty_lines) == "No one owns the Expected product yet"
    assert not expected.lead_missing


def test_a_layer_without_a_lead_says_so_in_its_name():
    rings = [ring(key, DEMO[key], lead=None if key == "augmented" else 0) for key in NAMES]
    augmented = layout(rings).rings[2]
    assert augmented.lead_missing and augmented.label == "AUGMENTED · NO LEAD"


def test_forty_functions_on_one_ring_stay_readable():
    names = [f"Regional Team {i}" for i in range(40)]
    pic = picture(potential=names)
    potential = pic.rings[3]
    more = [c for c in potential.chips if c.member is None]
    shown = [c for c in potential.chips if c.member is not None]
    assert len(more) == 1 and more[0].more == len(potential.hidden) > 0
    assert more[0].label == f"+{more[0].more} more"
    assert len(shown) + more[0].more == 40
    assert {m.name for m in potential.hidden} == set(names) - {c.member.name for c in shown}
    assert shown[0].member.is_lead  # the lead is never behind "+N more"
    assert_chips_stay_in_their_rings(pic)
    assert overlaps(pic.chips) == []
    for chip in shown:  # still readable: at least three letters of each name
        assert len(chip.label.rstrip(ELLIPSIS)) >= 3


def test_a_thousand_functions_on_one_ring_lay_out_quickly():
    names = [f"Function number {i}" for i in range(1000)]
    started = time.perf_counter()
    pic = picture(potential=names)
    elapsed = time.perf_counter() - started
    potential = pic.rings[3]
    assert len([c for c in potential.chips if c.member]) + len(potential.hidden) == 1000
    assert elapsed < 2.0
    assert overlaps(pic.chips) == []


def test_a_crowded_core_uses_columns_then_more():
    many = [f"Squad {i}" for i in range(30)]
    core = picture(core=many).rings[0]
    assert len(core.chips) <= 12
    assert core.chips[-1].more == 30 - (len(core.chips) - 1)
    xs = {round(c.cx) for c in core.chips}
    assert len(xs) > 1  # more than one column


def test_layout_is_deterministic_and_cached():
    assert picture() == picture()


def test_a_wider_picture_gives_oval_rings():
    rings = [ring(key, DEMO[key]) for key in NAMES]
    pic = layout(rings, 960, 720)
    assert pic.rings[3].rx > pic.rings[3].ry
    assert_chips_stay_in_their_rings(pic)
    assert overlaps(pic.chips) == []


def test_rings_are_placed_whatever_order_they_come_in():
    rings = [ring(key, DEMO[key]) for key in NAMES]
    assert layout(list(reversed(rings))) == layout(rings)


def test_the_empty_message_fits_its_ring():
    pic = picture(core=[], expected=[], augmented=[], potential=[])
    for band, placed in zip(bands(), pic.rings, strict=True):
        widest = max(text_width(line, 10.5) for line in placed.empty_lines)
        assert widest < 2 * band.a_out
    assert math.isclose(pic.cx, 360)
