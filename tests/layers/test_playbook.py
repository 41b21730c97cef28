"""The playbook is the table of DESIGN §3 and the roles of 000_…, as data.

Table-driven: for every go-to-market motion, every role the text names gets exactly
the layers (and emphasis) the text gives it, and each layer has one lead.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from domain.playbook.catalog import BY_NAME, PLAYBOOK, expected_layer
from domain.playbook.model import PlaybookEntry
from layers.models import Assignment, Layer
from roles.models import Function, Organization

DOMAIN = Path("/work/shared/domain")
C, L = "contributor", "lead"

# Layers outside Expected: the same in every motion (DESIGN §3's table, 000_…'s teams).
BASE: dict[str, set[tuple[str, str]]] = {
    "Product Management": {("core", L)},
    "Product Owners": {("core", C)},
    "UX & Design": {("core", C)},
    "Engineering": {("core", C)},
    "Product Operations": {("core", C)},
    "Technical Writing": {("augmented", C)},
    "Security": {("expected", C)},
    "Legal": {("expected", C)},
    "Sales & Account Management": {("augmented", C)},
    "Business Development": {("augmented", C)},
    "Product Marketing": {("augmented", C)},
    "Customer Success": {("augmented", L)},
    "Customer Support": {("augmented", C)},
    "Pre-sales / Solutions Engineering": {("augmented", C)},
    "Subject Matter Experts": {("augmented", C)},
    "CEO": {("potential", L)},
    "Board of Directors": {("potential", C)},
    "Corporate Marketing": {("potential", C)},
    "HR / People": {("potential", C)},
    "Practice Directors": {("potential", C)},
    "Directors & VPs of Product": {("potential", C)},
    "Finance": {("potential", C)},
    "Channel Partners": {("potential", C)},
    "Data & Technology Partners": {("potential", C)},
}

# Expected layer by go_to_market (DESIGN §3), on top of Security and Legal in every motion.
EXPECTED_BY_MOTION: dict[str, dict[str, str]] = {
    "product_led": {"Product Management": L, "UX & Design": C, "Engineering": C},
    "sales_led": {"Sales & Account Management": L, "Product Marketing": C, "Pre-sales / Solutions Engineering": C},
    "hybrid": {"Product Management": L, "Sales & Account Management": C, "Product Marketing": C},
}

MOTIONS = list(EXPECTED_BY_MOTION)


def expected_rules(name: str, motion: str) -> set[tuple[str, str]]:
    rules = set(BASE[name])
    if name in EXPECTED_BY_MOTION[motion]:
        rules.add(("expected", EXPECTED_BY_MOTION[motion][name]))
    return rules


@pytest.mark.parametrize("motion", MOTIONS)
@pytest.mark.parametrize("name", list(BASE))
def test_every_role_gets_the_layers_the_text_gives_it(name: str, motion: str) -> None:
    entry = BY_NAME[name]
    got = {(rule.layer, rule.emphasis) for rule in entry.rules_for(motion)}
    assert got == expected_rules(name, motion)


def test_the_playbook_holds_exactly_the_functions_of_design_section_3() -> None:
    assert [entry.name for entry in PLAYBOOK] == list(BASE)


@pytest.mark.parametrize("motion", MOTIONS)
def test_each_layer_has_exactly_one_lead_in_every_motion(motion: str) -> None:
    leads: dict[str, list[str]] = {}
    for entry in PLAYBOOK:
        for rule in entry.rules_for(motion):
            if rule.emphasis == L:
                leads.setdefault(rule.layer, []).append(entry.name)
    expected_lead = "Sales & Account Management" if motion == "sales_led" else "Product Management"
    assert leads == {
        "core": ["Product Management"],
        "expected": [expected_lead],
        "augmented": ["Customer Success"],
        "potential": ["CEO"],
    }


@pytest.mark.parametrize(
    ("motion", "lead", "contributors"),
    [
        ("product_led", "Product Management", ["UX & Design", "Engineering", "Security", "Legal"]),
        (
            "sales_led",
            "Sales & Account Management",
            ["Security", "Legal", "Product Marketing", "Pre-sales / Solutions Engineering"],
        ),
        ("hybrid", "Product Management", ["Security", "Legal", "Sales & Account Management", "Product Marketing"]),
    ],
)
def test_expected_layer_follows_the_go_to_market_motion(motion: str, lead: str, contributors: list[str]) -> None:
    motion_map = expected_layer(motion)
    assert motion_map.lead == lead
    assert sorted(motion_map.contributors) == sorted(contributors)


def test_motions_are_the_organization_choices() -> None:
    assert set(MOTIONS) == set(Organization.GoToMarket.values)


@pytest.mark.parametrize("entry", PLAYBOOK, ids=lambda entry: entry.name)
def test_each_entry_is_well_formed(entry: PlaybookEntry) -> None:
    assert entry.category in Function.Category.values
    assert entry.description and "\n" not in entry.description and len(entry.description) <= 120
    assert entry.rules, "every playbook function gets at least one layer"
    limit = Assignment._meta.get_field("contribution").max_length
    for rule in entry.rules:
        assert rule.layer in Layer.Key.values
        assert rule.emphasis in Assignment.Emphasis.values
        assert rule.motions and rule.motions <= set(Organization.GoToMarket.values)
        # The reason becomes the assignment's contribution, so it must fit and read as a sentence.
        assert 40 <= len(rule.reason) <= limit
        assert rule.reason.endswith((".", ".)"))
    # Only Expected rules depend on the motion.
    assert all(rule.layer == "expected" for rule in entry.rules if rule.motions != set(MOTIONS))


def test_only_partners_are_external_and_they_are_partners() -> None:
    external = {entry.name for entry in PLAYBOOK if entry.is_external}
    assert external == {"Channel Partners", "Data & Technology Partners"}
    assert {BY_NAME[name].category for name in external} == {Function.Category.PARTNER}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Product Management", "building"),
        ("Engineering", "building"),
        ("Technical Writing", "building"),
        ("Security", "building"),
        ("Legal", "cross_functional"),
        ("Customer Success", "customer_facing"),
        ("Pre-sales / Solutions Engineering", "customer_facing"),
        ("CEO", "leadership"),
        ("Board of Directors", "leadership"),
        ("HR / People", "cross_functional"),
        ("Finance", "cross_functional"),
        ("Data & Technology Partners", "partner"),
    ],
)
def test_categories_follow_the_whole_product_web(name: str, category: str) -> None:
    assert BY_NAME[name].category == category


def test_entries_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PLAYBOOK[0].name = "Renamed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PLAYBOOK[0].rules[0].emphasis = "contributor"  # type: ignore[misc]


# Words of the domain texts each reason quotes (or closely paraphrases).
QUOTES = [
    ("Customer Success", "augmented", "000", "many products are nearly worthless without this value add"),
    ("Customer Success", "augmented", "000", "Whether assisting with on-boarding, training, or answering how-to"),
    ("Product Management", "core", "000", "the specific functionality of the product, how well it is designed"),
    ("Sales & Account Management", "augmented", "000", "understand what the experience will be like working with"),
    ("Business Development", "augmented", "000", "extend the value proposition of the product"),
    ("Product Marketing", "augmented", "000", "customers can learn how to leverage the product"),
    ("Subject Matter Experts", "augmented", "000", "This is a clear product value-add"),
    ("CEO", "potential", "000", "Communicates relentlessly about the better future"),
    ("CEO", "potential", "000", "Prospects want to be on this ride."),
    (
        "Board of Directors",
        "potential",
        "000",
        "guides the organization through obstacles and toward optimal investment",
    ),
    ("Corporate Marketing", "potential", "000", "a pipeline of the right type of customers"),
    ("HR / People", "potential", "000", "getting the right team together and helping build an innovative product"),
    ("Channel Partners", "potential", "000", "supply critical value-added services and support"),
    ("Data & Technology Partners", "potential", "000", "enable your product to provide greater value"),
    ("Sales & Account Management", "expected", "000", "shape customer expectations of the product before they get to"),
    ("Engineering", "expected", "000", "setting customer expectations for what is in the product and how it should"),
    ("Product Owners", "core", "004", "day-to-day care and feeding of"),
    ("Product Operations", "core", "004", "maximizes the effectiveness of all product management roles"),
    ("Practice Directors", "potential", "004", "the vision and strategic direction for the products"),
    ("Directors & VPs of Product", "potential", "004", "market value of"),
    ("Pre-sales / Solutions Engineering", "augmented", "001", "able to evangelize, build solutions around the product"),
]


def _flat(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').casefold()
    return re.sub(r"[^a-z0-9']+", " ", text).strip()


@pytest.mark.parametrize(("name", "layer", "doc", "quote"), QUOTES)
def test_reasons_quote_the_domain_texts(name: str, layer: str, doc: str, quote: str) -> None:
    reasons = " ".join(rule.reason for rule in BY_NAME[name].rules if rule.layer == layer)
    assert _flat(quote) in _flat(reasons)
    files = sorted(DOMAIN.glob(f"{doc}_*.txt"))
    if files:  # the source texts live beside the repository; check the quote is really theirs
        assert _flat(quote) in _flat(files[0].read_text(encoding="utf-8"))
