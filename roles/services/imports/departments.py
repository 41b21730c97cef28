"""Which function a department label of an HR export stands for.

A label joins an existing function of the organization when it is that function's name,
a label the organization confirmed before (FunctionAlias), or another name of the same
playbook function ("R&D" where "Engineering" exists). Workday's supervisory organizations
carry their manager ("Engineering (Jane Doe)") and Google's org units are paths
("/Sales/EMEA"): both are reduced to the department they name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from ...models import Function, FunctionAlias, Organization

# "Engineering (Jane Doe)", "People (Anna van der Berg)": a person's name in parentheses at the end.
_PARTICLES = r"(?:van|von|der|den|de|del|della|di|da|das|dos|du|la|le|bin|ibn|al|el|ter|ten|zu)"
_NAME_WORD = rf"(?:[^\W\d_][\w.'\-]*|{_PARTICLES})"
_MANAGER_SUFFIX = re.compile(rf"^(?P<name>.+?)\s*\((?P<who>[^\W\d_][\w.'\-]*(?:\s+{_NAME_WORD}){{1,4}})\)$")

ALIAS, PLAYBOOK = "alias", "playbook"


@dataclass(frozen=True)
class Join:
    label: str  # as the file writes it
    function: str  # the existing function's name
    kind: str  # ALIAS | PLAYBOOK
    reason: str


def department_label(value: str, known: Callable[[str], bool]) -> str:
    """The department a cell names: a Workday manager suffix or an org-unit path taken off."""
    value = value.strip()
    if value.startswith("/") or (value.count("/") >= 2 and " / " not in value):
        segments = [s.strip() for s in value.split("/") if s.strip()]
        if not segments:
            return ""
        # The deepest level that is a department we know ("/Sales/EMEA" -> Sales; "/Eng/Security" -> Security).
        return next((s for s in reversed(segments) if known(s)), segments[0])
    found = _MANAGER_SUFFIX.match(value)
    if found and not known(found["who"]):
        return found["name"].strip()
    return value


class Resolver:
    """Joins labels to the organization's functions; built once per plan (two queries)."""

    def __init__(
        self,
        organization: Organization,
        *,
        playbook: Callable[[str], Any],
        whole: Callable[[str], bool] = lambda name: True,
        separate: Collection[str] | bool = (),
    ) -> None:
        # The playbook's entry for a name, or None: handed in by the planner (its test seam).
        self.playbook = playbook
        # Whether a name is the whole playbook function, not a part of it ("Frontend" is a part of
        # Engineering): only such a function is joined by the playbook, so "Backend" never joins "Frontend".
        self.whole = whole
        # Also the function planner's rows (pk, name, category, parent_id, is_external): one query for both.
        self.rows = list(
            Function.objects.filter(organization=organization).values_list(
                "pk", "name", "category", "parent_id", "is_external"
            )
        )
        self.functions = {name.casefold(): name for _, name, *_ in self.rows}
        self.aliases = {
            label.casefold(): name
            for label, name in FunctionAlias.objects.filter(organization=organization).values_list(
                "label", "function__name"
            )
        }
        self.separate_all = separate is True
        self.separate = set() if isinstance(separate, bool) else {s.casefold() for s in separate}
        self._by_entry: dict[Any, str] | None = None

    def known(self, label: str) -> bool:
        key = label.casefold()
        return key in self.functions or key in self.aliases or self.playbook(label) is not None

    def join(self, label: str) -> Join | None:
        """The existing function a new label joins, with the reason; None keeps it a function of its own."""
        key = label.casefold()
        if key in self.functions or self.separate_all or key in self.separate:
            return None
        if key in self.aliases:
            name = self.aliases[key]
            reason = f"{label} joins {name}: your organization confirmed {label} as another name of {name}."
            return Join(label, name, ALIAS, reason)
        entry = self.playbook(label)
        if getattr(entry, "name", None) is None:
            return None
        name = self._entries().get(entry.name)
        if name is None:
            return None
        reason = f"{label} joins {name}: both are {entry.name} in the playbook."
        return Join(label, name, PLAYBOOK, reason)

    def _entries(self) -> dict[str, str]:
        """Each playbook function the organization already has (a function named as the whole of it,
        not a part), by the first such function (by name)."""
        if self._by_entry is None:
            self._by_entry = {}
            for name in sorted(self.functions.values(), key=str.casefold):
                entry_name = getattr(self.playbook(name), "name", None)
                if entry_name is not None and self.whole(name):
                    self._by_entry.setdefault(entry_name, name)
        return self._by_entry


def remember_joins(organization: Organization, joins: Collection[Join]) -> int:
    """Store the labels an import joined by the playbook as the organization's confirmed aliases."""
    if not any(join.kind == PLAYBOOK for join in joins):
        return 0
    ids = dict(Function.objects.filter(organization=organization).values_list("name", "pk"))
    taken = {
        label.casefold()
        for label in FunctionAlias.objects.filter(organization=organization).values_list("label", flat=True)
    }
    new = [
        FunctionAlias(organization=organization, function_id=ids[join.function], label=join.label)
        for join in joins
        if join.kind == PLAYBOOK and join.label.casefold() not in taken and join.function in ids
    ]
    FunctionAlias.objects.bulk_create(new)
    return len(new)
