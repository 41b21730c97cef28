"""Carry out an import: re-check the file against the organization and write it, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from wholeproduct.errors import Conflict, DomainError

from ... import hooks, web_cache
from ...models import Function, Organization, Stakeholder
from .. import playbook_matches
from .columns import Mapping
from .departments import remember_joins
from .planning import build_plan
from .reading import Table
from .rows import CREATE, UPDATE, Plan, RowPlan

BATCH = 1000
# Deeper reporting chains than this are written flat and linked afterwards (one more query per batch).
MAX_LEVELS = 50
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
    separate: Collection[str] | bool = (),
    skip_invalid: bool = False,
    by: Any = None,
) -> Plan:
    """Plan the import again inside one transaction and write it, or write nothing.

    `expected_fingerprint` is the preview's: if the plan differs (someone edited
    people meanwhile) the import is refused rather than doing what was not shown.
    `separate`: department labels kept as functions of their own (True: all of them).
    `skip_invalid`: write the good rows and leave the rejected ones out (default: all or nothing).
    """
    try:
        with transaction.atomic():
            # One import per organization at a time (PostgreSQL row lock; SQLite's
            # IMMEDIATE transactions already serialize writers).
            Organization.objects.select_for_update().filter(pk=organization.pk).exists()
            plan = build_plan(
                organization=organization, table=table, mapping=mapping, separate=separate, skip_invalid=skip_invalid
            )
            if not plan.ok:
                raise ImportRejected(plan)
            if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
                raise ImportChanged(plan)
            if not dry_run:
                plan.result = _apply(organization, plan, progress or _silent, by if getattr(by, "pk", None) else None)
    except IntegrityError:
        # Only a concurrent edit that slipped between our reads and writes can get here.
        raise Conflict(
            "Someone added people or functions while the import ran; nothing was imported. Try again."
        ) from None
    return plan


def _silent(label: str, done: int, total: int) -> None:
    return None


def _apply(organization: Organization, plan: Plan, progress: Progress, by: Any) -> dict[str, Any]:
    ids = _write_functions(organization, plan, by)
    touched = _functions_people_join_or_leave(organization, plan, ids)
    people = _PeopleWriter(organization, plan, ids, progress, by)
    people.create()
    people.update()
    aliases = remember_joins(organization, plan.joins)
    if plan.totals["functions_create"]:
        hooks.functions_changed(organization_id=organization.pk)
    if touched:
        hooks.people_changed(organization_id=organization.pk, function_ids=touched)
    totals = plan.totals
    return {
        "created": totals[CREATE],
        "updated": totals[UPDATE],
        "unchanged": totals["unchanged"],
        "rejected": totals["error"],
        "functions_created": totals["functions_create"],
        "functions_updated": totals["functions_update"],
        "functions_joined": totals["joins"],
        "aliases_remembered": aliases,
    }


def _functions_people_join_or_leave(organization: Organization, plan: Plan, ids: dict[str, int]) -> set[int]:
    """The functions whose people change (both ends of a move), for the read model to recount.

    Read before the people are written: a moved person's old function is in the stored row. One
    query over the organization's people, not an IN list of every updated id (SQLite caps those).
    """
    touched = {ids[row.function.lower()] for row in plan.rows if row.state in (CREATE, UPDATE)}
    updated = {row.pk for row in plan.rows if row.state == UPDATE}
    if updated:
        stored = Stakeholder.objects.filter(organization=organization).values_list("pk", "function_id")
        touched |= {function_id for pk, function_id in stored.iterator(chunk_size=5000) if pk in updated}
    return touched


class _PeopleWriter:
    """Writes people in batches, managers before their reports, so each link is set as the row is written.

    Model instances are built one batch at a time: 100,000 of them at once would take hundreds of MB.
    """

    def __init__(
        self, organization: Organization, plan: Plan, function_ids: dict[str, int], progress: Progress, by: Any
    ) -> None:
        self.organization, self.plan, self.function_ids, self.progress = organization, plan, function_ids, progress
        self.by = by  # credited with the people it creates, in the row and in the activity log
        self.pks = {row.email.lower(): row.pk for row in plan.rows if row.pk is not None}
        if plan.has_manager:
            wanted = {row.manager for row in plan.rows if row.manager and row.manager not in self.pks}
            if wanted:  # managers already in the organization that the file does not list as rows
                existing = Stakeholder.objects.filter(organization=organization).values_list("pk", "email")
                self.pks |= {email.lower(): pk for pk, email in existing if email.lower() in wanted}
        self.total = sum(row.state in (CREATE, UPDATE) for row in plan.rows)
        self.done = 0
        self.late: list[RowPlan] = []  # created before their manager (a very deep chain): linked after

    def create(self) -> None:
        self.progress("Writing people", 0, self.total)
        for level in self._levels([row for row in self.plan.rows if row.state == CREATE]):
            for start in range(0, len(level), BATCH):
                batch = level[start : start + BATCH]
                # With a row each in the activity log (issue 16), credited to whoever started the import.
                created = bulk_create_with_history([self._new(row) for row in batch], Stakeholder, default_user=self.by)
                for row, person in zip(batch, created, strict=True):
                    self.pks[row.email.lower()] = person.pk
                self._advance(len(batch))
        if self.late:
            late = [Stakeholder(pk=self.pks[r.email.lower()], manager_id=self._manager(r)) for r in self.late]
            Stakeholder.objects.bulk_update(late, ["manager"], batch_size=BATCH)

    def update(self) -> None:
        # Without a title (manager) column the file says nothing about titles (managers): they stay.
        fields = ["full_name", "function", "updated_at"]
        fields += ["title"] if self.plan.has_title else []
        fields += ["manager"] if self.plan.has_manager else []
        rows = [row for row in self.plan.rows if row.state == UPDATE]
        now = timezone.now()
        for start in range(0, len(rows), BATCH):
            batch = [self._changed(row, now) for row in rows[start : start + BATCH]]
            Stakeholder.objects.bulk_update(batch, fields)
            self._advance(len(batch))

    def _levels(self, rows: list[RowPlan]) -> list[list[RowPlan]]:
        """Rows grouped by how many of their managers are created before them (0: none in this file)."""
        if not self.plan.has_manager:
            return [rows]
        by_email = {row.email.lower(): row for row in rows}
        depth: dict[str, int] = {}
        for row in rows:
            chain: list[str] = []
            email = row.email.lower()
            while email in by_email and email not in depth and len(chain) <= len(rows):
                chain.append(email)
                email = by_email[email].manager or ""
            base = depth.get(email, -1)
            for offset, link in enumerate(reversed(chain), start=1):
                depth[link] = base + offset
        levels: dict[int, list[RowPlan]] = {}
        for row in rows:
            levels.setdefault(min(depth[row.email.lower()], MAX_LEVELS), []).append(row)
        return [levels[key] for key in sorted(levels)]

    def _new(self, row: RowPlan) -> Stakeholder:
        manager_id = self._manager(row)
        if row.manager and manager_id is None:
            self.late.append(row)
        return Stakeholder(
            organization=self.organization,
            function_id=self.function_ids[row.function.lower()],
            full_name=row.full_name,
            title=row.title or "",
            email=row.email,
            manager_id=manager_id,
            created_by=self.by,
        )

    def _changed(self, row: RowPlan, now: Any) -> Stakeholder:
        return Stakeholder(
            pk=row.pk,
            function_id=self.function_ids[row.function.lower()],
            full_name=row.full_name,
            title=row.title or "",
            manager_id=self._manager(row),
            updated_at=now,
        )

    def _manager(self, row: RowPlan) -> int | None:
        return self.pks.get(row.manager) if row.manager else None

    def _advance(self, count: int) -> None:
        self.done += count
        self.progress("Writing people", self.done, self.total)


def _write_functions(organization: Organization, plan: Plan, by: Any = None) -> dict[str, int]:
    """Create and update the functions the file names; return every one's id by lowercased name."""
    new = {
        key: Function(
            organization=organization, name=f.name, category=f.category, is_external=f.is_external, created_by=by
        )
        for key, f in plan.functions.items()
        if f.state == CREATE
    }
    playbook_matches.stamp_all(new.values())  # the map editor reads the stored match
    bulk_create_with_history(list(new.values()), Function, default_user=by)
    web_cache.changed(organization.pk)
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
    hooks.functions_renamed(organization_id=organization.pk, function_ids=[f.pk for f in changed])
    return ids
