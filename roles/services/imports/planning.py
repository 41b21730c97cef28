"""Compare a table with the organization and say, row by row, what an import would change.

Nothing here writes: `build_plan` reads the organization's functions and people in
two queries and returns a Plan (per-row state, the functions to create or update,
every error with its row and column). `apply_plan` in writing.py carries it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection

from domain import matching
from domain.playbook.model import PlaybookEntry

from ...models import Function, Organization
from . import columns as column_rules
from .columns import Mapping
from .departments import Resolver
from .people_plan import _compare_people, _existing_people, _join_departments, _ManagerResolver
from .reading import Table
from .rows import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    FunctionPlan,
    Plan,
    RowPlan,
    _and,
    _flag_duplicate_emails,
    _RowReader,
)


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
    resolver = Resolver(organization, playbook=playbook_match, whole=playbook_whole, separate=separate)
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
    # A message naming several rows is attached to each of them; list it once.
    unique = list(dict.fromkeys(errors))
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
    return matching.explain(name).reason


def playbook_match(name: str) -> PlaybookEntry | None:
    """The playbook's entry for a function name (DESIGN §3), or None (the tests' seam)."""
    return matching.match(name)


def playbook_whole(name: str) -> bool:
    """Whether a function name is another name of its playbook function, not a part of it."""
    return not matching.explain(name).part
