"""Each function's playbook match, stored on the function (issue 13 item 9).

The map editor and "my role" read `Function.playbook_name` / `playbook_hints` instead of matching
every name on every load. The function services stamp them when a function is created or
renamed; `refresh` recomputes them (the data migration, and `manage.py refresh_playbook_matches`
after the playbook changes). A row written by a bulk path that did not stamp it (None) is
matched on the fly, so nothing reads a missing match as "no match".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from domain import matching
from domain.playbook.catalog import BY_NAME
from domain.playbook.model import PlaybookEntry
from roles import hooks
from roles.models import Function, Organization

BATCH = 1000


def match_of(name: str) -> tuple[str, list[str]]:
    """(the playbook entry's name or "", the closest entries' names when nothing matches)."""
    entry = matching.match(name)
    return (entry.name, []) if entry is not None else ("", matching.hints(name))


def stamp(function: Function) -> None:
    """Set the stored match of a function from its current name (the caller saves it)."""
    function.playbook_name, function.playbook_hints = match_of(function.name)


def entry_of(function: Function) -> PlaybookEntry | None:
    """The playbook entry of a function, read from its stored match."""
    if function.playbook_name is None:
        return matching.match(function.name)
    return BY_NAME.get(function.playbook_name)


def matches_of(functions: Iterable[Function]) -> list[tuple[int, str]]:
    """(id, playbook entry's name or "") of functions a path wrote without stamping their match:
    matched now, as `entry_of` matches them (give them with `id`, `name` and `playbook_name`)."""
    found = []
    for function in functions:
        entry = entry_of(function)
        found.append((function.pk, entry.name if entry else ""))
    return found


def hints_of(function: Function) -> list[str]:
    if function.playbook_name is None:
        return matching.hints(function.name)
    return list(function.playbook_hints)


@transaction.atomic
def refresh(*, organization: Organization | None = None) -> int:
    """Recompute the stored match of every function (of one organization); the number changed."""
    functions = Function.objects.only("id", "organization_id", "name", "playbook_name", "playbook_hints").order_by("pk")
    if organization is not None:
        functions = functions.filter(organization=organization)
    changed = [f for f in functions.iterator(chunk_size=BATCH) if _restamped(f)]
    Function.objects.bulk_update(changed, ["playbook_name", "playbook_hints"], batch_size=BATCH)
    by_organization: dict[int, list[int]] = defaultdict(list)
    for function in changed:
        by_organization[function.organization_id].append(function.pk)
    for organization_id, ids in sorted(by_organization.items()):
        hooks.functions_renamed(organization_id=organization_id, function_ids=ids)  # their suggestions
    return len(changed)


def _restamped(function: Function) -> bool:
    before = (function.playbook_name, function.playbook_hints)
    stamp(function)
    return before != (function.playbook_name, function.playbook_hints)


def stamp_all(functions: Iterable[Function]) -> None:
    """Stamp functions about to be bulk-created (the generator, imports)."""
    for function in functions:
        stamp(function)
