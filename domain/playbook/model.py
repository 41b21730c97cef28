"""The playbook's shape: a canonical function's layer rules, and the values they name."""

from __future__ import annotations

from dataclasses import dataclass

# The stored values of layers.models.Layer.Key, Assignment.Emphasis, roles.models.Function.Category
# and Organization.GoToMarket (tests/domain/test_playbook_values.py keeps them equal).
CORE, EXPECTED, AUGMENTED, POTENTIAL = "core", "expected", "augmented", "potential"
LEAD, CONTRIBUTOR = "lead", "contributor"
BUILDING = "building"
CUSTOMER_FACING = "customer_facing"
CROSS_FUNCTIONAL = "cross_functional"
LEADERSHIP = "leadership"
PARTNER = "partner"

PRODUCT_LED = "product_led"
SALES_LED = "sales_led"
HYBRID = "hybrid"
ALL_MOTIONS: frozenset[str] = frozenset({PRODUCT_LED, SALES_LED, HYBRID})


@dataclass(frozen=True)
class LayerRule:
    """One layer a playbook function gets, with its emphasis and the text's reason."""

    layer: str  # a Layer.Key value
    emphasis: str  # an Assignment.Emphasis value
    reason: str
    motions: frozenset[str] = ALL_MOTIONS  # the go_to_market values this rule applies to


@dataclass(frozen=True)
class PlaybookEntry:
    name: str
    category: str  # a roles.models.Function.Category value
    description: str  # one line
    rules: tuple[LayerRule, ...]
    aliases: tuple[str, ...] = ()
    is_external: bool = False
    source: str = "000"  # the domain text the entry comes from

    def rules_for(self, go_to_market: str) -> tuple[LayerRule, ...]:
        """The rules that apply under one go-to-market motion, in ring order."""
        return tuple(rule for rule in self.rules if go_to_market in rule.motions)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _rule(layer: str, emphasis: str, reason: str, *motions: str) -> LayerRule:
    return LayerRule(layer, emphasis, reason, frozenset(motions) if motions else ALL_MOTIONS)


@dataclass(frozen=True)
class Motion:
    """The Expected layer under one go-to-market motion, as DESIGN §3 words it."""

    lead: str
    contributors: tuple[str, ...]
