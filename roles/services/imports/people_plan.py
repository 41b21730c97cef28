"""The people side of an import's plan: who exists already, managers resolved by name or email,
departments joined, and what changes per person."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import Organization, Stakeholder
from .columns import FIELD_LABELS
from .departments import Join, Resolver
from .names import name_key
from .rows import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    FunctionPlan,
    RowPlan,
    _and,
    _RowReader,
    _show,
)


@dataclass(frozen=True)
class _Person:
    pk: int
    email: str
    full_name: str
    title: str
    function: str
    manager_pk: int | None


def _existing_people(organization: Organization) -> dict[str, _Person]:
    """The organization's people by lowercased email, in one query."""
    people = Stakeholder.objects.filter(organization=organization).values_list(
        "pk", "email", "full_name", "title", "function__name", "manager_id"
    )
    return {email.lower(): _Person(pk, email, name, title, fn, mgr) for pk, email, name, title, fn, mgr in people}


class _ManagerResolver:
    """Links each row's manager cell (an email or a name) to one person, after every row is read.

    The people after the import are the file's rows over the organization's current people;
    an unknown or ambiguous manager, oneself as manager, or a reporting loop is a row error.
    """

    def __init__(self, rows: list[RowPlan], people: dict[str, _Person], reader: _RowReader) -> None:
        self.rows, self.people, self.reader = rows, people, reader
        self.by_email = {row.email.lower(): row for row in rows if row.email}
        # One email per name, and how many people share each shared name: a set per person costs too much.
        self.by_name: dict[str, str] = {}
        self.shared: dict[str, int] = {}
        for email, person in people.items():
            if email not in self.by_email:
                self._name(person.full_name, email)
        for email, row in self.by_email.items():
            if row.full_name:
                self._name(row.full_name, email)
        self.email_of_pk = {p.pk: e for e, p in people.items()}

    def _name(self, full_name: str, email: str) -> None:
        key = name_key(full_name)
        if key in self.by_name:
            self.shared[key] = self.shared.get(key, 1) + 1
        else:
            self.by_name[key] = email

    def resolve(self) -> None:
        for row in self.rows:
            row.manager = "" if row.errors else self._link(row)
        self._refuse_loops()
        # A manager whose own row is rejected cannot be linked to: repeat until nothing changes.
        changed = True
        while changed:
            changed = False
            for row in self.rows:
                target = self.by_email.get(row.manager or "")
                if not row.errors and target is not None and target.errors:
                    self._fail(
                        row, f"the manager's row ({target.number}) has errors; fix it or leave this row out too."
                    )
                    changed = True

    def _link(self, row: RowPlan) -> str:
        cell = row.manager_cell
        if not cell:
            return ""
        if "@" in cell:
            email = cell.lower()
            if email not in self.by_email and email not in self.people:
                return self._fail(row, f"no one in the file or the organization has the email {_show(cell)}.")
        else:
            key = name_key(cell)
            if key not in self.by_name:
                return self._fail(row, f"no one in the file or the organization is named {_show(cell)}.")
            if key in self.shared:
                count = self.shared[key]
                return self._fail(row, f"{count} people are named {_show(cell)}; give the manager's email.")
            email = self.by_name[key]
        if email == row.email.lower():
            return self._fail(row, "a person cannot be their own manager.")
        return email

    def _fail(self, row: RowPlan, message: str) -> str:
        row.errors.append(f"{self.reader.where([row.number], 'manager')}: {message}")
        row.state = ERROR
        return ""

    def manager_of(self, email: str) -> str:
        row = self.by_email.get(email)
        if row is not None:
            return row.manager or ""
        person = self.people.get(email)
        return self.email_of_pk.get(person.manager_pk, "") if person and person.manager_pk else ""

    def _refuse_loops(self) -> None:
        reported: set[str] = set()
        for row in self.rows:
            start = row.email.lower()
            if not row.manager or start in reported:
                continue
            path, email = [start], row.manager
            while email and email not in path and len(path) <= len(self.rows) + len(self.people):
                path.append(email)
                email = self.manager_of(email)
            if email != start:
                continue
            reported.update(path)
            names = _and([self.by_email[e].full_name if e in self.by_email else self.people[e].full_name for e in path])
            in_file = [self.by_email[e] for e in path if e in self.by_email]
            where = self.reader.where(sorted(r.number for r in in_file), "manager")
            for looped in in_file:
                looped.errors.append(f"{where}: {names} would manage each other in a loop.")
                looped.state = ERROR


def _join_departments(rows: list[RowPlan], resolver: Resolver) -> list[Join]:
    """Rename each row's department to the existing function it joins; one Join per label."""
    joins: dict[str, Join | None] = {}
    for row in rows:
        if row.errors or not row.function:
            continue
        for attribute in ("function", "parent"):
            label = getattr(row, attribute)
            if not label:
                continue
            key = label.casefold()
            if key not in joins:
                joins[key] = resolver.join(label)
            join = joins[key]
            if join is not None:  # a parent named by another name of a function is that function too
                setattr(row, attribute, join.function)
    return sorted((j for j in joins.values() if j is not None), key=lambda j: j.label.casefold())


def _compare_people(
    rows: list[RowPlan], functions: dict[str, FunctionPlan], people: dict[str, _Person], *, has_title: bool
) -> None:
    by_pk = {p.pk: p for p in people.values()}
    names = {email: row.full_name for email, row in ((r.email.lower(), r) for r in rows)}
    for row in rows:
        if row.state == ERROR:
            continue
        target = functions[row.function.lower()].name  # an existing function keeps its spelling
        found = people.get(row.email.lower())
        if found is None:
            row.state, row.function = CREATE, target
            continue
        row.pk = found.pk
        if row.name_as_written == found.full_name:
            row.full_name = found.full_name  # "Kate, PM" exported as it is stored imports as it is stored
        if found.full_name != row.full_name:
            row.changes.append((FIELD_LABELS["full_name"], found.full_name, row.full_name))
        if has_title and found.title != row.title:
            row.changes.append((FIELD_LABELS["title"], found.title, row.title or ""))
        if found.function.lower() != target.lower():
            row.changes.append(("Function", found.function, target))
        if row.manager is not None:
            current = by_pk.get(found.manager_pk) if found.manager_pk else None
            if (current.email.lower() if current else "") != row.manager:
                new = names.get(row.manager) or (people[row.manager].full_name if row.manager in people else "")
                row.changes.append(("Manager", current.full_name if current else "—", new or "—"))
        row.function = target
        row.state = UPDATE if row.changes else UNCHANGED
