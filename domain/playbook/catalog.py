"""The playbook (DESIGN §3): canonical functions, their aliases, and the layers each gets.

Data, not `if` chains. Every rule carries the sentence of the domain texts that
justifies it: `000_…` (roles → layers) first, `001_…`/`003_…`/`004_…` where they
say more. The go-to-market motion only changes the Expected layer, so an Expected
rule names the motions it applies to; every other rule applies to all of them.

Alias decisions worth knowing (tested in tests/domain/test_matching.py):
- "Marketing" alone → Corporate Marketing. `001_…` describes the Marketing
  department as branding, collateral, events, ads, social media and automation,
  with product marketing managers *inside* it ("Marketing should have their
  product marketing managers"), so a team called just "Marketing" is the
  corporate function; Product Marketing needs its own name ("PMM", "Product Marketing").
- "Developer Relations"/"DevRel"/"Community" → Product Marketing: `000_…` gives
  PMM "content marketing, events, and community management" so that "customers
  can learn how to leverage the product" — exactly developer relations' job.
- "Partnerships"/"Alliances" → Business Development (the internal team that is
  "charged with solution partnerships"); "Resellers"/"Distributors"/"Systems
  Integrators" → Channel Partners; "ISV partners"/"Integration partners" → Data &
  Technology Partners. A bare "Partners" is ambiguous and matches nothing.
- "Head of Product"/"VP of Product"/"CPO" → Directors & VPs of Product, the
  portfolio leaders of `004_…`; the team "Product" → Product Management.
"""

from __future__ import annotations

from .customer_facing import CUSTOMER_FACING_TEAM
from .leadership import LEADERSHIP_AND_PARTNERS
from .model import (
    EXPECTED,
    LEAD,
    Motion,
    PlaybookEntry,
)
from .product_team import PRODUCT_TEAM

PLAYBOOK: tuple[PlaybookEntry, ...] = (*PRODUCT_TEAM, *CUSTOMER_FACING_TEAM, *LEADERSHIP_AND_PARTNERS)

BY_NAME: dict[str, PlaybookEntry] = {entry.name: entry for entry in PLAYBOOK}


def expected_layer(go_to_market: str) -> Motion:
    """Who leads and who contributes to the Expected layer under one motion (derived from the rules)."""
    lead = ""
    contributors: list[str] = []
    for entry in PLAYBOOK:
        for rule in entry.rules_for(go_to_market):
            if rule.layer != EXPECTED:
                continue
            if rule.emphasis == LEAD:
                lead = entry.name
            else:
                contributors.append(entry.name)
    return Motion(lead=lead, contributors=tuple(contributors))
