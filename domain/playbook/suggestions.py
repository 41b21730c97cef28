"""The statuses of a playbook suggestion (DESIGN §3), and the rules each layer holds under a motion.

The planner (`layers.services.mapping`) gives every (function, layer) pair of the playbook one of
these statuses; the read model keeps them (`layers.readmodel.suggestion_rows`) and the map editor
and the API read them. Pure: no Django.
"""

from __future__ import annotations

from collections import defaultdict

from .catalog import PLAYBOOK
from .model import LayerRule

NEW, APPLIED, DIFFERS, MANUAL, LEAD_TAKEN, DISMISSED = "new", "applied", "differs", "manual", "lead_taken", "dismissed"
STATUSES = (NEW, APPLIED, DIFFERS, MANUAL, LEAD_TAKEN, DISMISSED)


def rules_by_layer(go_to_market: str) -> dict[str, dict[str, LayerRule]]:
    """{layer key: {playbook name: its rule there}} under one motion (one rule per entry and layer)."""
    rules: dict[str, dict[str, LayerRule]] = defaultdict(dict)
    for entry in PLAYBOOK:
        for rule in entry.rules_for(go_to_market):
            rules[rule.layer].setdefault(entry.name, rule)
    return dict(rules)
