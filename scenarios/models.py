"""Scenarios (issue 18, DESIGN §10): a named draft of an organization's future.

A `Scenario` holds an ordered list of `ScenarioChange`s (moves, hires, leavers, function
creations, renames, merges and splits, assignment changes, planned disruptions). Nothing in
the organization changes until the scenario is applied (`scenarios.services.apply`).

Each change keeps, in `base`, the values it touches as they stood when it was drafted (a
person's function, a function's name, an assignment's version …): applying compares them with
today's values and refuses with the list of differences, so a draft never overwrites work done
since. `version` is bumped by every edit of the scenario (optimistic locking of the draft).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from roles.models import Organization, fill_organization
from wholeproduct.text import LONG_TEXT, SHORT_TEXT


class Scenario(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPLIED = "applied", "Applied"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200, validators=[SHORT_TEXT])
    description = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every edit (a change added, removed, moved; a rebase) bumps it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The moment the changes' base values were recorded (drafting, or the last rebase).
    drafted_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The audit trail: who created, edited and applied which scenario (django-simple-history).
    history = HistoricalRecords(related_name="+", excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-updated_at"], name="scenario_org_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ScenarioChange(models.Model):
    """One step of a scenario. `payload` holds what the step does (see `scenarios.changes`);
    a function or person the scenario itself creates is named `"new:<id of the creating step>"`."""

    class Kind(models.TextChoices):
        MOVE_PERSON = "move_person", "Move a person"
        HIRE = "hire", "Planned hire"
        LEAVER = "leaver", "Leaver"
        CREATE_FUNCTION = "create_function", "Create a function"
        RENAME_FUNCTION = "rename_function", "Rename a function"
        MERGE_FUNCTION = "merge_function", "Merge a function into another"
        SPLIT_FUNCTION = "split_function", "Split a function"
        SET_ASSIGNMENT = "set_assignment", "Set an assignment"
        CLEAR_ASSIGNMENT = "clear_assignment", "Clear an assignment"
        DISRUPTION = "disruption", "Planned disruption"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveIntegerField()  # 1, 2, 3 … (the step number shown to people)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    # The values this step touches as they stood when it was drafted (or last rebased).
    base = models.JSONField(default=dict, blank=True)
    # The step in words as of its place in the scenario ("Merge Customer Success into Sales").
    summary = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scenario_id", "position", "id"]
        indexes = [models.Index(fields=["organization", "scenario", "position"], name="scenariochange_org_pos")]

    def __str__(self) -> str:
        return f"step {self.position}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "scenario")
        super().save(*args, **kwargs)
