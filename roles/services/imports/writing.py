"""Carry out an import: re-check the file against the organization and write it, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from layers.readmodel import hooks as readmodel
from wholeproduct.errors import Conflict, DomainError

from ...models import Function, Organization, Stakeholder
from .columns import Mapping
from .planning import CREATE, UPDATE, Plan, build_plan
from .reading import Table

BATCH = 1000
Progress = Callable[[str, int, int], None]  # (what is happening, done, total)


class ImportRejected(DomainError):
    """The file has errors; the plan says which rows and columns."""

    def __init__(self, plan: Plan) -> None:
        count = len(plan.errors)
        super().__init__(f"The file has {count} error{'s' if count != 1 else ''}; nothing was imported.")
        self.plan = plan


class ImportChanged(Conflict):
    """The organization changed between the preview and the commit."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(
            "People or functions changed since the preview was made, so it no longer says what the import "
            "would do. Nothing was imported: check the new preview and import again.",
            current=plan,
        )
        self.plan = plan


def import_table(
    *,
    organization: Organization,
    table: Table,
    mapping: Mapping,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan the import again inside one transaction and write it, or write nothing.

    `expected_fingerprint` is the preview's: if the plan differs (someone edited
    people meanwhile) the import is refused rather than doing what was not shown.
    """
    try:
        with transaction.atomic():
            # One import per organization at a time (PostgreSQL row lock; SQLite's
            # IMMEDIATE transactions already serialize writers).
            Organization.objects.select_for_update().filter(pk=organization.pk).exists()
            plan = build_plan(organization=organization, table=table, mapping=mapping)
            if not plan.ok:
                raise ImportRejected(plan)
            if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
                raise ImportChanged(plan)
            if not dry_run:
                plan.result = _apply(organization, plan, progress or _silent)
    except IntegrityError:
        # Only a concurrent edit that slipped between our reads and writes can get here.
        raise Conflict(
            "Someone added people or functions while the import ran; nothing was imported. Try again."
        ) from None
    return plan


def _silent(label: str, done: int, total: int) -> None:
    return None


def _apply(organization: Organization, plan: Plan, progress: Progress) -> dict[str, Any]:
    ids = _write_functions(organization, plan)
    now = timezone.now()
    creates = [
        Stakeholder(
            organization=organization,
            function_id=ids[row.function.lower()],
            full_name=row.full_name,
            title=row.title or "",
            email=row.email,
        )
        for row in plan.rows
        if row.state == CREATE
    ]
    updates = [
        Stakeholder(
            pk=row.pk,
            function_id=ids[row.function.lower()],
            full_name=row.full_name,
            title=row.title or "",
            updated_at=now,
        )
        for row in plan.rows
        if row.state == UPDATE
    ]
    # The read model recounts the functions people join or leave (both ends of a move).
    moved_from = Stakeholder.objects.filter(
        organization=organization, pk__in=[person.pk for person in updates]
    ).values_list("function_id", flat=True)
    touched = {person.function_id for person in (*creates, *updates)} | set(moved_from)
    # Without a title column the file says nothing about titles: they stay as they are.
    fields = ["full_name", "function", "updated_at", *(["title"] if plan.has_title else [])]
    total = len(creates) + len(updates)
    progress("Writing people", 0, total)
    for start in range(0, len(creates), BATCH):
        Stakeholder.objects.bulk_create(creates[start : start + BATCH])
        progress("Writing people", start + len(creates[start : start + BATCH]), total)
    for start in range(0, len(updates), BATCH):
        Stakeholder.objects.bulk_update(updates[start : start + BATCH], fields)
        progress("Writing people", len(creates) + start + len(updates[start : start + BATCH]), total)
    if plan.totals["functions_create"]:
        readmodel.functions_changed(organization_id=organization.pk)
    if touched:
        readmodel.people_changed(organization_id=organization.pk, function_ids=touched)
    totals = plan.totals
    return {
        "created": totals[CREATE],
        "updated": totals[UPDATE],
        "unchanged": totals["unchanged"],
        "functions_created": totals["functions_create"],
        "functions_updated": totals["functions_update"],
    }


def _write_functions(organization: Organization, plan: Plan) -> dict[str, int]:
    """Create and update the functions the file names; return every one's id by lowercased name."""
    new = {
        key: Function(organization=organization, name=f.name, category=f.category, is_external=f.is_external)
        for key, f in plan.functions.items()
        if f.state == CREATE
    }
    Function.objects.bulk_create(new.values())
    ids = {key: f.pk for key, f in plan.functions.items() if f.pk is not None} | {k: f.pk for k, f in new.items()}
    # Parents may be functions the file does not name as a department: look them up.
    wanted = {f.parent.lower() for f in plan.functions.values() if f.parent} - ids.keys()
    if wanted:
        for pk, name in Function.objects.filter(organization=organization).values_list("pk", "name"):
            ids.setdefault(name.lower(), pk)
    changed = []
    for key, f in plan.functions.items():
        if (f.state == CREATE and f.parent) or f.state == UPDATE:
            changed.append(
                Function(pk=ids[key], category=f.category, parent_id=ids[f.parent.lower()] if f.parent else None)
            )
    Function.objects.bulk_update(changed, ["category", "parent"], batch_size=BATCH)
    return ids
