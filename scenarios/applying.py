"""Applying a scenario: the conflict check, the steps through the organization's services, rebase."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from roles.models import Organization

from .changes import ConflictItem
from .models import ScenarioChange


def conflicts(organization_id: int, changes: Sequence[ScenarioChange]) -> list[ConflictItem]:
    """Each value a step recorded in its `base` that is no longer so, and each step no longer possible."""
    raise NotImplementedError("being written (scen-core, issue 18)")


def perform(organization: Organization, changes: Sequence[ScenarioChange], *, by: Any) -> dict[int, set[int]]:
    """Run the steps through the services; {product id: ids of the functions whose cells changed}."""
    raise NotImplementedError("being written (scen-core, issue 18)")


def rebase(
    organization_id: int, changes: Sequence[ScenarioChange]
) -> tuple[list[ScenarioChange], list[tuple[ScenarioChange, str]]]:
    """(the steps kept, their base re-recorded; the steps dropped with the reason)."""
    raise NotImplementedError("being written (scen-core, issue 18)")


def start_campaigns(touched: dict[int, set[int]], *, deadline: datetime, by: Any, name: str) -> list[Any]:
    raise NotImplementedError("being written (scen-core, issue 18)")
