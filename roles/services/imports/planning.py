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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from wholeproduct.text import text_problem

from ...models import Function, Organization, Stakeholder
from .columns import FIELD_LABELS, Mapping, column_name, normalize
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
}
CATEGORIES = {normalize(v): v for v in Function.Category.values} | {
    normalize(label): value for value, label in Function.Category.choices
}
# What a spreadsheet program would run: "=…", or "+", "-", "@" followed by more than a space.
FORMULA = re.compile(r"^(=.|[+\-@][^\s])", re.DOTALL)
# The export prefixes such cells with "'"; taking it off again keeps the round trip exact.
ESCAPABLE = "=+-@'"


def escape_cell(value: str) -> str:
    """How the export writes a value so no spreadsheet runs it as a formula."""
    return "'" + value if value[:1] and value[0] in ESCAPABLE else value


def _unescape(value: str) -> str | None:
    """The value an escaped cell stands for, or None when the cell was not escaped."""
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in ESCAPABLE else None


@dataclass
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


@dataclass
class FunctionPlan:
    name: str
    state: str  # create | update | unchanged
    category: str
    parent: str | None  # its parent's name after the import
    is_external: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    source: str = ""  # where a new function's category comes from
    pk: int | None = None


@dataclass
class Plan:
    rows: list[RowPlan]
    functions: dict[str, FunctionPlan]  # by lowercased name: every function the file names
    errors: list[str]
    has_title: bool = False
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def totals(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.state] += 1
        functions = self.functions.values()
        return counts | {
            "rows": len(self.rows),
            "errors": len(self.errors),
            "functions_create": sum(f.state == CREATE for f in functions),
            "functions_update": sum(f.state == UPDATE for f in functions),
        }

    @property
    def fingerprint(self) -> str:
        """What the import would write: equal fingerprints mean the same changes."""
        rows = [
            (r.state, r.email.lower(), r.full_name, r.title, r.function, r.changes)
            for r in self.rows
            if r.state != UNCHANGED
        ]
        functions = [(k, f.state, f.category, f.parent, f.changes) for k, f in sorted(self.functions.items())]
        payload = json.dumps([rows, functions], default=str).encode()
        return hashlib.sha256(payload).hexdigest()


def build_plan(*, organization: Organization, table: Table, mapping: Mapping) -> Plan:
    reader = _RowReader(table.headers, mapping, check_formulas=table.file_format == "csv")
    rows = [reader.read(source) for source in table.rows]
    _flag_duplicate_emails(rows, reader)
    functions = _FunctionPlanner(organization, reader).plan(rows)
    _compare_people(organization, rows, functions, has_title="title" in mapping)
    errors = [message for row in rows for message in row.errors]
    seen: set[str] = set()
    # A message naming several rows is attached to each of them; list it once.
    unique = [m for m in errors if not (m in seen or seen.add(m))]  # type: ignore[func-returns-value]
    return Plan(rows=rows, functions=functions, errors=unique, has_title="title" in mapping)


class _RowReader:
    """Reads one field of one row, checking the cell and naming it in any error."""

    def __init__(self, headers: Sequence[str], mapping: Mapping, *, check_formulas: bool) -> None:
        self.headers = headers
        self.mapping = mapping
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
        values = {name: self._cell(source, name, errors) for name in self.mapping}
        row = RowPlan(
            number=source.number,
            state=ERROR,
            full_name=values.get("full_name") or " ".join(filter(None, (values.get(f) for f in _NAME_PARTS))),
            email=values.get("email", ""),
            title=values.get("title"),
            function=values.get("function", ""),
            errors=errors,
        )
        self._check_required(row, values, source.number)
        row.category, row.parent = self._category(values, source.number, errors), values.get("parent") or None
        if row.parent and row.function and row.parent.lower() == row.function.lower():
            errors.append(f"{self.where([source.number], 'parent')}: {row.function} cannot be inside itself.")
        self._check_width(source, errors)
        if not errors:
            row.state = UNCHANGED  # refined against the database later
        return row

    def _cell(self, source: SourceRow, name: str, errors: list[str]) -> str:
        column = self.mapping[name]
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


_NAME_PARTS = ("first_name", "last_name")


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

    def __init__(self, organization: Organization, reader: _RowReader) -> None:
        self.reader = reader
        existing = Function.objects.filter(organization=organization).values_list(
            "pk", "name", "category", "parent_id", "is_external"
        )
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
        return FunctionPlan(name, CREATE, category, parent_name, is_external, [], source)

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


def playbook_match(name: str) -> Any:
    """The playbook's entry for a function name (DESIGN §3), or None."""
    from layers.matching import match  # imported here: the layers app builds on roles, not the reverse

    return match(name)


def _compare_people(
    organization: Organization, rows: list[RowPlan], functions: dict[str, FunctionPlan], *, has_title: bool
) -> None:
    people = Stakeholder.objects.filter(organization=organization).values_list(
        "pk", "email", "full_name", "title", "function__name"
    )
    existing = {email.lower(): (pk, full_name, title, function) for pk, email, full_name, title, function in people}
    for row in rows:
        if row.state == ERROR:
            continue
        target = functions[row.function.lower()].name  # an existing function keeps its spelling
        found = existing.get(row.email.lower())
        if found is None:
            row.state, row.function = CREATE, target
            continue
        row.pk, full_name, title, function = found
        if full_name != row.full_name:
            row.changes.append((FIELD_LABELS["full_name"], full_name, row.full_name))
        if has_title and title != row.title:
            row.changes.append((FIELD_LABELS["title"], title, row.title or ""))
        if function.lower() != target.lower():
            row.changes.append(("Function", function, target))
        row.function = target
        row.state = UPDATE if row.changes else UNCHANGED
