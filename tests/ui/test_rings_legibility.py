"""Ring chips are legible (issue 15 item 2): an abbreviated chip carries its full name on hover and in its
accessible name, and "your function" is outlined in a colour with ≥ 3:1 contrast against every ring."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from roles.models import Function
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer

CSS = settings.BASE_DIR / "static" / "css"


def css_variable(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", (CSS / "app.css").read_text()).group(1)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("ring", ["core", "expected", "augmented", "potential"])
def test_the_highlight_stands_out_from_every_ring(ring):
    assert contrast(css_variable("highlight"), css_variable(f"layer-{ring}-soft")) >= 3
    assert "var(--highlight)" in (CSS / "map.css").read_text().split(".wp-chip.is-highlighted rect")[1][:60]


@pytest.mark.parametrize("ring", ["core", "expected", "augmented", "potential"])
def test_layer_names_on_their_pills_are_readable(ring):
    assert contrast(css_variable(f"layer-{ring}"), css_variable(f"layer-{ring}-soft")) >= 4.5


def test_an_abbreviated_chip_keeps_its_full_name_on_hover_and_for_screen_readers(leader_client, org):
    product = ProductFactory(organization=org, name="Insights", slug="insights")
    long_name = "Regional Customer Success and Onboarding Specialists"
    for i in range(9):
        function = FunctionFactory(
            organization=org, name=f"{long_name} {i}", category=Function.Category.CUSTOMER_FACING
        )
        AssignmentFactory(product=product, function=function, layer=layer("core"), emphasis="contributor")

    html = leader_client.get("/o/acme/p/insights/").content.decode()

    chips = re.findall(r'<a href="[^"]*" class="wp-chip [^"]*" aria-label="([^"]*)">\s*<title>([^<]*)</title>', html)
    assert len(chips) >= 1
    shortened = [(name, title) for name, title in chips if "…" in name or "Cust" in name.split("(")[0]]
    assert shortened, "the long names are abbreviated on the rings"
    for name, title in shortened:
        full = re.search(rf"{long_name} \d", title).group(0)
        assert f"({full})" in name  # the visible label, then the full name
