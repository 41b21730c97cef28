"""Compare a table with the organization and say, row by row, what an import would change.

Nothing here writes: `build_plan` reads the organization's functions and people in
two queries and returns a Plan (per-row state, the functions to create or update,
every error with its row and column). `apply_plan` in writing.py carries it out.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from shared.exports import escape_formula, unescape_formula
from wholeproduct.text import text_problem

from ...models import Function, Organization, Stakeholder
from . import columns as column_rules
from .columns import FIELD_LABELS, Mapping, column_name, normalize
from .departments import Join, Resolver, department_label
from .names import full_name as reading_order
from .names import joined, name_key
from .reading import FormulaCell, SourceRow, Table

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
MAX_LENGTH = {
    "full_name": Stakeholder._meta.get_field("full_name").max_length,
    "first_name": Stakeholder._meta.get_field("full_name").max_length,
    "last_name": Stakeholder._meta.get_field("full_name").max_length,
    "email": Stakeholder._meta.get_field("email").max_length,
    "title": Stakeholder._meta.get_field("title").max_length,
    "function": Function._meta.get_field("name").max_length,
    "parent": Function._meta.get_field("name").max_length,
    "category": 40,
    "manager": Stakeholder._meta.get_field("email").max_length,
}
CATEGORIES = {normalize(v): v for v in Function.Category.values} | {
    normalize(label): value for value, label in Function.Category.choices
}
# What a spreadsheet program would run: "=…", or "+", "-", "@" followed by more than a space.
FORMULA = re.compile(r"^(=.|[+\-@][^\s])", re.DOTALL)
# The export prefixes such cells with "'"; taking it off again keeps the round trip exact.
ESCAPABLE = "=+-@'"


# The export prefixes formula-like cells with "'" (shared.exports' one rule); taking it off
# again keeps the round trip exact.
escape_cell = escape_formula
_unescape = unescape_formula


@dataclass(slots=True)  # one per row of a file of up to 100,000: slots keep them small
class RowPlan:
    number: int
    state: str
    full_name: str
    email: str
    title: str | None  # None: the file has no title column, existing titles stay
    function: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new)
    errors: list[str] = field(default_factory=list)
    pk: int | None = None  # the existing person
    category: str | None = None
    parent: str | None = None
    manager: str | None = None  # the manager's email (lowercased), "" for none; None: no manager column
    manager_cell: str = ""  # as the file writes it (an email or a name)
    name_as_written: str = ""  # the name cell before "Last, First" was turned round


@dataclass
class FunctionPlan:
    name: str
    state: str  # create | update | unchanged
    category: str
    parent: str | None  # its parent's name after the import
    is_external: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    source: str = ""  # where a new function's category comes from
    reason: str = ""  # why the playbook knows a new function ("Customer Success Ops" contains …)
    pk: int | None = None


@dataclass
class Plan:
    rows: list[RowPlan]
    functions: dict[str, FunctionPlan]  # by lowercased name: every function the file names
    errors: list[str]
    has_title: bool = False
    has_manager: bool = False
    joins: list[Join] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of the columns not read
    skip_invalid: bool = False  # import the good rows, leave the bad ones out
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors or self.skip_invalid

    @property
    def rejected(self) -> list[RowPlan]:
        return [row for row in self.rows if row.state == ERROR]

    @property
    def totals(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.state] += 1
        functions = self.functions.values()
        return counts | {
            "rows": len(self.rows),
            "errors": len(self.errors),
            "joins": len(self.joins),
            "functions_create": sum(f.state == CREATE for f in functions),
            "functions_update": sum(f.state == UPDATE for f in functions),
        }

    @property
    def fingerprint(self) -> str:
        """What the import would write: equal fingerprints mean the same changes."""
        rows = [
            (r.state, r.email.lower(), r.full_name, r.title, r.function, r.manager, r.changes)
            for r in self.rows
            if r.state != UNCHANGED
        ]
        functions = [(k, f.state, f.category, f.parent, f.changes) for k, f in sorted(self.functions.items())]
        joins = [(j.label, j.function, j.kind) for j in self.joins]
        payload = json.dumps([rows, functions, joins], default=str).encode()
        return hashlib.sha256(payload).hexdigest()


def build_plan(
    *,
    organization: Organization,
    table: Table,
    mapping: Mapping,
    separate: Collection[str] | bool = (),
    skip_invalid: bool = False,
) -> Plan:
    """What importing `table` would do. `separate`: department labels (or all, True) kept as
    functions of their own instead of joining an existing one; `skip_invalid`: bad rows are left out."""
    resolver = Resolver(organization, separate=separate)
    reader = _RowReader(table.headers, mapping, check_formulas=table.file_format == "csv", resolver=resolver)
    rows = [reader.read(source) for source in table.rows]
    _flag_duplicate_emails(rows, reader)
    people = _existing_people(organization)
    if "manager" in mapping:
        _ManagerResolver(rows, people, reader).resolve()
    joins = _join_departments(rows, resolver)
    functions = _FunctionPlanner(reader, resolver.rows).plan(rows)
    _compare_people(rows, functions, people, has_title="title" in mapping)
    errors = [message for row in rows for message in row.errors]
    seen: set[str] = set()
    # A message naming several rows is attached to each of them; list it once.
    unique = [m for m in errors if not (m in seen or seen.add(m))]  # type: ignore[func-returns-value]
    return Plan(
        rows=rows,
        functions=functions,
        errors=unique,
        has_title="title" in mapping,
        has_manager="manager" in mapping,
        joins=joins,
        ignored=column_rules.ignored(table.headers, mapping),
        skip_invalid=skip_invalid,
    )


class _RowReader:
    """Reads one field of one row, checking the cell and naming it in any error."""

    def __init__(
        self, headers: Sequence[str], mapping: Mapping, *, check_formulas: bool, resolver: Resolver | None = None
    ) -> None:
        self.headers = headers
        self.mapping = mapping
        self.alternates = column_rules.alternates(headers, mapping)
        self.last_first = column_rules.names_last_first(headers, mapping)
        self.resolver = resolver
        # An XLSX text cell is text by construction (only formula cells run); a CSV cell is not.
        self.check_formulas = check_formulas

    def where(self, numbers: Sequence[int], fieldname: str) -> str:
        rows = f"Row {numbers[0]}" if len(numbers) == 1 else f"Rows {_and(list(map(str, numbers)))}"
        # The name may come from first/last name columns: point at the first of them.
        fallbacks = (fieldname, "first_name", "last_name")
        column = next((self.mapping[f] for f in fallbacks if f in self.mapping), 0)
        return f"{rows}, column {column_name(self.headers, column)}"

    def read(self, source: SourceRow) -> RowPlan:
        errors: list[str] = []
        values = {name: self._value(source, name, errors) for name in self.mapping}
        written = values.get("full_name", "")
        if "full_name" in values:
            name = reading_order(written, last_first=self.last_first)
            if not name:
                name = joined(*(self._first_of(source, part, errors) for part in ("first_name", "last_name")))
        else:
            name = joined(values.get("first_name", ""), values.get("last_name", ""))
        function = values.get("function", "")
        if function and self.resolver is not None:
            function = department_label(function, self.resolver.known)
        row = RowPlan(
            number=source.number,
            state=ERROR,
            full_name=name[: MAX_LENGTH["full_name"]],
            email=values.get("email", ""),
            title=values.get("title"),
            function=function,
            errors=errors,
            manager_cell=values.get("manager", ""),
            name_as_written=written,
        )
        self._check_required(row, values, source.number)
        row.category, row.parent = self._category(values, source.number, errors), values.get("parent") or None
        if row.parent and row.function and row.parent.lower() == row.function.lower():
            errors.append(f"{self.where([source.number], 'parent')}: {row.function} cannot be inside itself.")
        self._check_width(source, errors)
        if not errors:
            row.state = UNCHANGED  # refined against the database later
        return row

    def _value(self, source: SourceRow, name: str, errors: list[str]) -> str:
        """The field's cell, or when it is empty the next column holding the same field."""
        value = self._cell(source, name, errors)
        for column in self.alternates.get(name, ()) if not value else ():
            value = self._cell(source, name, errors, column)
            if value:
                break
        return value

    def _first_of(self, source: SourceRow, name: str, errors: list[str]) -> str:
        """The first non-empty cell among the unmapped columns holding a field."""
        for column in self.alternates.get(name, ()):
            value = self._cell(source, name, errors, column)
            if value:
                return value
        return ""

    def _cell(self, source: SourceRow, name: str, errors: list[str], column: int | None = None) -> str:
        column = self.mapping[name] if column is None else column
        raw = source.cells[column] if column < len(source.cells) else ""
        where = self.where([source.number], name)
        if isinstance(raw, FormulaCell):
            errors.append(f"{where}: formulas are not imported ({_show(raw)}); paste the values instead.")
            return ""
        value = raw.strip()
        unescaped = _unescape(value)
        if unescaped is not None:
            value = unescaped
        elif self.check_formulas and FORMULA.match(value):
            errors.append(f"{where}: {_show(value)} looks like a formula; formulas are not imported.")
            return ""
        # One spelling per character: macOS exports may decompose "é" into "e" + accent.
        value = unicodedata.normalize("NFC", value)
        problem = _control_problem(value)
        if problem:
            errors.append(f"{where}: the value contains {problem}; keep each value on one line of plain text.")
            return ""
        value = " ".join(value.split())
        limit = MAX_LENGTH[name]
        if len(value) > limit:
            errors.append(f"{where}: the value is {len(value)} characters long; the limit is {limit}.")
            return ""
        return value

    def _check_width(self, source: SourceRow, errors: list[str]) -> None:
        """More values than headers: usually a comma in an unquoted name, shifting the columns."""
        if len(source.cells) <= len(self.headers):
            return
        extra = next((i for i in range(len(self.headers), len(source.cells)) if source.cells[i].strip()), None)
        if extra is not None:
            errors.append(
                f"Row {source.number}, column {column_name(self.headers, extra)}: a value beyond the last "
                f"header ({_show(source.cells[extra])}); check the quotes and separators of this row."
            )
        elif errors:  # trailing empty values are harmless unless the row went wrong
            errors.append(
                f"Row {source.number}: it has {len(source.cells)} values for {len(self.headers)} columns; "
                "a value containing the separator (such as a comma in a name) must be in quotes."
            )

    def _check_required(self, row: RowPlan, values: dict[str, str], number: int) -> None:
        where = self.where([number], "full_name")
        if not row.full_name and not _failed(row.errors, where):
            row.errors.append(f"{where}: the name is missing.")
        where = self.where([number], "email")
        if not row.email:
            if not _failed(row.errors, where):
                row.errors.append(f"{where}: the email is missing.")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(f"{where}: {_show(row.email)} is not a valid email address.")
        where = self.where([number], "function")
        if not row.function and not _failed(row.errors, where):
            row.errors.append(f"{where}: the function (department or team) is missing.")

    def _category(self, values: dict[str, str], number: int, errors: list[str]) -> str | None:
        given = values.get("category")
        if not given:
            return None
        category = CATEGORIES.get(normalize(given))
        if category is None:
            errors.append(
                f"{self.where([number], 'category')}: {_show(given)} is not a category; "
                f"use one of {', '.join(Function.Category.labels)}."
            )
        return category


def _failed(errors: list[str], where: str) -> bool:
    """Whether this cell already has an error: one message per cell is enough."""
    return any(e.startswith(where + ":") for e in errors)


def _control_problem(value: str) -> str | None:
    """What the one text rule refuses in a cell (a cell is one line: wholeproduct/text.py)."""
    problem = text_problem(value)
    return problem.describe() if problem is not None else None


def _show(value: str, limit: int = 40) -> str:
    value = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in value)
    return f'"{value[:limit]}…"' if len(value) > limit else f'"{value}"'


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _flag_duplicate_emails(rows: list[RowPlan], reader: _RowReader) -> None:
    by_email: dict[str, list[RowPlan]] = defaultdict(list)
    for row in rows:
        if row.email:
            by_email[row.email.lower()].append(row)
    for email, same in by_email.items():
        if len(same) > 1:
            where = reader.where([r.number for r in same], "email")
            times = "twice" if len(same) == 2 else f"{len(same)} times"
            message = f"{where}: the email {email} appears {times}; each person needs their own row."
            for row in same:
                row.errors.append(message)
                row.state = ERROR


class _FunctionPlanner:
    """Every function the file names (departments and parents): existing, or to create."""

    def __init__(self, reader: _RowReader, existing: list[tuple[int, str, str, int | None, bool]]) -> None:
        self.reader = reader
        self.existing = {name.lower(): (pk, name, category, parent_id) for pk, name, category, parent_id, _ in existing}
        self.name_of = {pk: name for pk, name, *_ in self.existing.values()}
        self.named: dict[str, str] = {}  # lowercased -> spelling of its first mention in the file

    def plan(self, rows: list[RowPlan]) -> dict[str, FunctionPlan]:
        named = self.named
        categories: dict[str, dict[str, list[RowPlan]]] = defaultdict(lambda: defaultdict(list))
        parents: dict[str, dict[str, list[RowPlan]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            if row.state == ERROR:
                continue
            key = row.function.lower()
            named.setdefault(key, row.function)
            if row.category:
                categories[key][row.category].append(row)
            if row.parent:
                named.setdefault(row.parent.lower(), row.parent)
                parents[key][row.parent.lower()].append(row)
        category = self._agree(categories, "category", lambda value: Function.Category(value).label, named)
        parent = self._agree(parents, "parent", lambda key: named[key], named)
        plans = {key: self._plan_one(key, named[key], category.get(key), parent.get(key)) for key in named}
        self._refuse_cycles(plans, parents)
        return plans

    def _agree(
        self,
        given: dict[str, dict[str, list[RowPlan]]],
        fieldname: str,
        show: Callable[[str], str],
        named: dict[str, str],
    ) -> dict[str, str]:
        """The one value the rows give each function; rows that disagree are errors."""
        agreed = {}
        for key, values in given.items():
            if len(values) == 1:
                agreed[key] = next(iter(values))
                continue
            involved = sorted({row.number for rows in values.values() for row in rows})
            shown = _and(sorted(show(v) for v in values))
            what = "categories" if fieldname == "category" else "parent functions"
            message = f"{self.reader.where(involved, fieldname)}: {named[key]} is given different {what} ({shown})."
            for rows in values.values():
                for row in rows:
                    row.errors.append(message)
                    row.state = ERROR
        return agreed

    def _plan_one(self, key: str, name: str, category: str | None, parent: str | None) -> FunctionPlan:
        found = self.existing.get(key)
        if found is None:
            return self._plan_new(name, category, parent)
        pk, name, current_category, parent_id = found
        current_parent = self.name_of.get(parent_id) if parent_id else None
        plan = FunctionPlan(name, UNCHANGED, current_category, current_parent, pk=pk)
        if category and category != current_category:
            plan.changes.append(("Category", _label(current_category), _label(category)))
            plan.category = category
        if parent and (current_parent or "").lower() != parent:
            plan.parent = self._spelling(parent)
            plan.changes.append(("Parent", current_parent or "—", plan.parent))
        plan.state = UPDATE if plan.changes else UNCHANGED
        return plan

    def _plan_new(self, name: str, category: str | None, parent: str | None) -> FunctionPlan:
        """A new function's category: the file's, else the playbook's, else cross-functional."""
        entry = playbook_match(name)
        if category:
            source = "file"
        elif entry is not None:
            category, source = entry.category, "playbook"
        else:
            category, source = Function.Category.CROSS_FUNCTIONAL, "default"
        is_external = bool(entry.is_external) if entry is not None else category == Function.Category.PARTNER
        parent_name = self._spelling(parent) if parent else None
        reason = playbook_reason(name) if entry is not None else ""
        return FunctionPlan(name, CREATE, category, parent_name, is_external, [], source, reason)

    def _spelling(self, key: str) -> str:
        found = self.existing.get(key)
        return found[1] if found else self.named[key]

    def _refuse_cycles(self, plans: dict[str, FunctionPlan], parents: dict[str, dict[str, list[RowPlan]]]) -> None:
        def parent_of(key: str) -> str | None:
            if key in plans:
                return plans[key].parent.lower() if plans[key].parent else None
            found = self.existing.get(key)
            return self.name_of[found[3]].lower() if found and found[3] else None

        reported: set[str] = set()
        for start in plans:
            path, key = [start], parent_of(start)
            while key is not None and key not in path and len(path) <= len(plans) + len(self.existing):
                path.append(key)
                key = parent_of(key)
            if key != start or start in reported:
                continue
            reported.update(path)
            rows = sorted({row.number for k in path for rs in parents.get(k, {}).values() for row in rs})
            if not rows:
                continue  # a loop already in the database, not made by this file
            names = _and([plans[k].name if k in plans else self.existing[k][1] for k in path])
            message = f"{self.reader.where(rows, 'parent')}: {names} would be inside each other."
            for k in path:
                for rs in parents.get(k, {}).values():
                    for row in rs:
                        row.errors.append(message)
                        row.state = ERROR


def _label(category: str) -> str:
    return Function.Category(category).label


def playbook_reason(name: str) -> str:
    """Why the playbook matched a name, in a sentence (domain.matching.explain)."""
    from domain.matching import explain

    return explain(name).reason


def playbook_match(name: str) -> Any:
    """The playbook's entry for a function name (DESIGN §3), or None."""
    from domain.matching import match  # imported here: the layers app builds on roles, not the reverse

    return match(name)


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
