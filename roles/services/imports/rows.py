"""An import's plan and how one table row is read into it: the states, the per-row and per-function
plans, and the cell rules."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from shared.exports import escape_formula, unescape_formula
from wholeproduct.text import text_problem

from ...models import Function, Stakeholder
from . import columns as column_rules
from .columns import Mapping, column_name, normalize
from .departments import Join, Resolver, department_label
from .names import full_name as reading_order
from .names import joined
from .reading import FormulaCell, SourceRow

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
