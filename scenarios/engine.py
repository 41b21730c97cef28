"""The impact computation (see `scenarios.impact` for what it answers and how)."""

from __future__ import annotations

from .impact import Impact
from .models import Scenario


def impact(scenario: Scenario) -> Impact:
    """Today's coverage and the scenario's, per product, and what changes between them."""
    raise NotImplementedError("being written (scen-core, issue 18)")
