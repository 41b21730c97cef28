"""Writes of scenarios (issue 18): draft, edit, rebase and apply. The public surface, stable:

    create_scenario(*, organization, by, name, description="") -> Scenario
    update_scenario(*, scenario, name, description, expected_version=None) -> Scenario
    delete_scenario(*, scenario) -> None
    add_change(*, scenario, by, kind, expected_version=None, **fields) -> ScenarioChange
    remove_change(*, scenario, change_id, expected_version=None) -> None
    move_change(*, scenario, change_id, position, expected_version=None) -> None
    rebase(*, scenario, by, expected_version=None) -> RebaseResult
    apply(*, scenario, by, start_campaign=False, campaign_deadline=None, expected_version=None) -> Applied
    impact(scenario) -> scenarios.impact.Impact          (reads only; re-exported from scenarios.engine)

Errors (all `wholeproduct.errors.DomainError`, so pages show `detail` and `fields` and the API
answers its JSON error shape):
- `InvalidChange` (400): a change that cannot be made at its step, with a plain sentence
  ("Sales is merged into Revenue in step 3; it cannot be renamed in step 5") and `fields`
  naming the payload field at fault ({"function": [...]}).
- `Conflict` (409) for a stale `expected_version` of the scenario (someone else edited it).
- `ScenarioConflict` (409, a `Conflict`): applying found that something a change touches changed
  since drafting; `items` lists each as `ConflictItem(step, what, drafted, current)`. Nothing
  was applied.
- `DomainError` (400) for an applied scenario (it cannot be edited or applied again).

Change kinds and their fields: `scenarios.changes.KINDS` (labels) and `FIELDS` (payload keys);
a step in words: `scenarios.changes.describe(change)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from roles.history import recorded_by
from roles.models import Organization
from wholeproduct.errors import Conflict, DomainError, field_error

from . import applying
from . import changes as steps
from .changes import ConflictItem, InvalidChange
from .engine import impact
from .models import Scenario, ScenarioChange

__all__ = [
    "Applied",
    "Conflict",
    "ConflictItem",
    "DomainError",
    "InvalidChange",
    "RebaseResult",
    "ScenarioConflict",
    "add_change",
    "apply",
    "create_scenario",
    "delete_scenario",
    "impact",
    "move_change",
    "rebase",
    "remove_change",
    "update_scenario",
]

NAME_MAX = Scenario._meta.get_field("name").max_length
DESCRIPTION_MAX = Scenario._meta.get_field("description").max_length
MAX_STEPS = 500  # a scenario is a draft a leader reads, not an import


class ScenarioConflict(Conflict):
    """Applying was refused: what the listed steps touch changed since the scenario was drafted."""

    code = "scenario_conflict"

    def __init__(self, items: list[ConflictItem]) -> None:
        count = len(items)
        noun = "step touches" if count == 1 else "steps touch"
        detail = (
            f"Nothing was applied: {count} {noun} something that changed since the scenario was drafted. "
            "Rebase the scenario onto today and review its impact again."
        )
        super().__init__(detail)
        self.items = items


@dataclass(frozen=True)
class RebaseResult:
    scenario: Scenario
    kept: int  # steps kept, their base values recorded again
    dropped: list[str] = field(default_factory=list)  # "Step 4 (Rename Sales to Revenue): why", removed


@dataclass(frozen=True)
class Applied:
    scenario: Scenario
    steps: int
    campaigns: list[Any] = field(default_factory=list)  # layers.models.ReviewCampaign started


# --- the scenario itself ---------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise field_error("name", "Give the scenario a name.")
    if len(name) > NAME_MAX:
        raise field_error("name", f"Keep the name to {NAME_MAX} characters (it has {len(name)}).")
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise field_error("description", f"Keep the description to {DESCRIPTION_MAX} characters.")
    return description


def _by(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def create_scenario(*, organization: Organization, by: Any, name: str, description: str = "") -> Scenario:
    """A new, empty draft."""
    scenario = Scenario(
        organization=organization,
        name=_clean_name(name),
        description=_clean_description(description),
        created_by=_by(by),
        drafted_at=timezone.now(),
    )
    recorded_by(scenario, by).save()
    return scenario


def _lock(scenario: Scenario, expected_version: int | None) -> Scenario:
    """The scenario's row, locked; refuses an applied one and a stale `expected_version`."""
    locked = Scenario.objects.select_for_update().get(pk=scenario.pk, organization_id=scenario.organization_id)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            f"“{locked.name}” was changed by someone else after you loaded it. Review it and try again.",
            current=locked,
        )
    if not locked.is_draft:
        raise DomainError(f"“{locked.name}” has been applied; it can no longer be changed.")
    return locked


def _touch(scenario: Scenario) -> None:
    Scenario.objects.filter(pk=scenario.pk).update(version=F("version") + 1, updated_at=timezone.now())
    scenario.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def update_scenario(
    *, scenario: Scenario, name: str, description: str = "", expected_version: int | None = None
) -> Scenario:
    locked = _lock(scenario, expected_version)
    locked.name, locked.description = _clean_name(name), _clean_description(description)
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def delete_scenario(*, scenario: Scenario) -> None:
    """Delete a draft or an applied scenario (applying left its effects in the organization)."""
    Scenario.objects.filter(pk=scenario.pk, organization_id=scenario.organization_id).delete()


# --- its steps -------------------------------------------------------------------------------------


@transaction.atomic
def add_change(
    *, scenario: Scenario, by: Any, kind: str, expected_version: int | None = None, **fields: Any
) -> ScenarioChange:
    """Append a step. It is validated against the organization as drafted plus the steps before
    it; an invalid one raises `InvalidChange` with the reason and nothing is written. Its `base`
    records the values it touches as they stand now."""
    locked = _lock(scenario, expected_version)
    existing = list(locked.changes.order_by("position", "id"))
    if len(existing) >= MAX_STEPS:
        raise DomainError(f"A scenario holds at most {MAX_STEPS} steps.")
    payload = steps.clean_payload(kind, fields)
    change = ScenarioChange(
        organization_id=locked.organization_id, scenario=locked, position=len(existing) + 1, kind=kind, payload=payload
    )
    replay = steps.replay(locked.organization_id, [*existing, change])
    if replay.errors:
        raise replay.errors[0]
    change.base = replay.bases[-1]
    change.save()
    _touch(locked)
    scenario.version = locked.version
    return change


@transaction.atomic
def remove_change(*, scenario: Scenario, change_id: int, expected_version: int | None = None) -> None:
    """Remove a step; refused (`InvalidChange`) when a later step depends on it (it names what
    the step creates, or the order it establishes)."""
    locked = _lock(scenario, expected_version)
    existing = list(locked.changes.order_by("position", "id"))
    kept = [c for c in existing if c.pk != change_id]
    if len(kept) == len(existing):
        raise DomainError("There is no such step in this scenario.")
    replay = steps.replay(locked.organization_id, kept)
    if replay.errors:
        raise replay.errors[0]
    ScenarioChange.objects.filter(pk=change_id, scenario=locked).delete()
    _renumber(kept)
    _touch(locked)
    scenario.version = locked.version


@transaction.atomic
def move_change(*, scenario: Scenario, change_id: int, position: int, expected_version: int | None = None) -> None:
    """Move a step to `position` (1-based); refused when the new order is invalid."""
    locked = _lock(scenario, expected_version)
    existing = list(locked.changes.order_by("position", "id"))
    moving = next((c for c in existing if c.pk == change_id), None)
    if moving is None:
        raise DomainError("There is no such step in this scenario.")
    if not isinstance(position, int) or not 1 <= position <= len(existing):
        raise field_error("position", f"Choose a step number from 1 to {len(existing)}.")
    order = [c for c in existing if c.pk != change_id]
    order.insert(position - 1, moving)
    replay = steps.replay(locked.organization_id, order)
    if replay.errors:
        raise replay.errors[0]
    _renumber(order)
    _touch(locked)
    scenario.version = locked.version


def _renumber(order: list[ScenarioChange]) -> None:
    """Number the steps 1, 2, 3 … and keep the words the replay gave each at its new place."""
    for number, change in enumerate(order, start=1):
        change.position = number
    ScenarioChange.objects.bulk_update(order, ["position", "summary"])


# --- rebase and apply ------------------------------------------------------------------------------


@transaction.atomic
def rebase(*, scenario: Scenario, by: Any, expected_version: int | None = None) -> RebaseResult:
    """Re-base the draft onto today: every step still valid has its base values recorded again;
    a step no longer valid (its person left, its function was deleted …) is removed, and said so."""
    locked = _lock(scenario, expected_version)
    existing = list(locked.changes.order_by("position", "id"))
    kept, dropped = applying.rebase(locked.organization_id, existing)
    dropped_ids = [change.pk for change, _ in dropped]
    ScenarioChange.objects.filter(pk__in=dropped_ids).delete()
    _renumber(kept)
    ScenarioChange.objects.bulk_update(kept, ["base"])  # positions and words: `_renumber`
    locked.drafted_at = timezone.now()
    locked.version += 1
    recorded_by(locked, by).save()
    scenario.version, scenario.drafted_at = locked.version, locked.drafted_at
    words = [f"Step {change.position} ({steps.describe(change)}): {why}" for change, why in dropped]
    return RebaseResult(scenario=locked, kept=len(kept), dropped=words)


def apply(
    *,
    scenario: Scenario,
    by: Any,
    start_campaign: bool = False,
    campaign_deadline: datetime | None = None,
    expected_version: int | None = None,
) -> Applied:
    """Perform every step through the organization's own services, in one transaction.

    If anything a step touches changed since drafting, nothing is applied and `ScenarioConflict`
    lists each difference. With `start_campaign`, a review campaign starts (deadline: in two
    weeks unless given) on each product whose cells the scenario changed, for the functions it
    touched there. The scenario is marked applied, by whom and when (its history is the audit).
    """
    with transaction.atomic():
        locked = _lock(scenario, expected_version)
        existing = list(locked.changes.order_by("position", "id"))
        conflicts = applying.conflicts(locked.organization_id, existing)
        if conflicts:
            raise ScenarioConflict(conflicts)
        try:
            touched = applying.perform(locked.organization, existing, by=_by(by))
        except applying.StepRefused as refused:
            raise ScenarioConflict([refused.item]) from refused
        now = timezone.now()
        locked.status, locked.applied_at, locked.applied_by = Scenario.Status.APPLIED, now, _by(by)
        locked.version += 1
        recorded_by(locked, by).save()
        campaigns = []
        if start_campaign:
            deadline = campaign_deadline or now + timedelta(days=14)
            campaigns = applying.start_campaigns(touched, deadline=deadline, by=_by(by), name=f"After “{locked.name}”")
    scenario.status, scenario.version = locked.status, locked.version
    scenario.applied_at, scenario.applied_by = locked.applied_at, locked.applied_by
    return Applied(scenario=locked, steps=len(existing), campaigns=campaigns)
