"""What the map editor's templates draw: cells, rows, groups, the filters, the suggestions panel,
the undo toast, and the words of a cell's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import QueryDict

from roles.models import Function, Organization
from roles.services import playbook_matches
from wholeproduct.errors import Conflict

from ..forms.map_editor import (
    REPLACE,
    STATE_LABEL,
)
from ..models import Assignment, AssignmentChange, Layer, Product
from ..selectors.history import cell_history
from ..selectors.suggestions import PENDING, ProductSuggestions
from ..services import mapping
from ..templatetags.plain_words import ago

SUGGESTIONS_SHOWN = 25  # the panel lists this many (and as many applied, and dismissed), then "and N more";
# "accept all" applies every one. 25, not 60: the panel was a third of the page's HTML at 5,000 functions
UNMATCHED_SHOWN = 25


STATUS_LABEL = {
    mapping.NEW: "New",
    mapping.DIFFERS: "Differs",
    mapping.LEAD_TAKEN: "Lead taken",
    mapping.MANUAL: "Kept manual",
    mapping.DISMISSED: "Dismissed",
    mapping.APPLIED: "Applied",
}


@dataclass(frozen=True)
class CellOption:
    value: str
    label: str
    current: bool


def menu_options(state: str, replaced: str | None) -> list[CellOption]:
    """What a cell's menu offers: not assigned, contributor, and lead, or "lead, replacing X" when
    `replaced`, the name of another function leading the layer. They depend on nothing else."""
    options = [CellOption(key, STATE_LABEL[key], state == key) for key in ("none", "contributor")]
    if replaced is not None:
        options.append(CellOption(REPLACE, f"Make lead, replacing {replaced}", False))
    else:
        options.append(CellOption("lead", "Lead", state == "lead"))
    return options


@dataclass
class Cell:
    function: Function
    layer: Layer
    assignment: Assignment | None
    base_url: str
    error: str = ""
    conflict: str = ""
    lead: Function | None = None  # the layer's lead, whoever it is

    @property
    def replaces(self) -> Function | None:
        """The other function leading this layer, which "make lead" would replace."""
        return self.lead if self.lead is not None and self.lead.pk != self.function.pk else None

    @property
    def options(self) -> list[CellOption]:
        """What the cell's menu offers (`menu_options`)."""
        replaces = self.replaces
        return menu_options(self.state, None if replaces is None else replaces.name)

    @property
    def state(self) -> str:
        return self.assignment.emphasis if self.assignment else "none"

    @property
    def version(self) -> int:
        return self.assignment.version if self.assignment else 0

    @property
    def label(self) -> str:
        return STATE_LABEL[self.state]

    @property
    def url(self) -> str:
        # Built from one reversed prefix: reversing per cell would cost ~4,000 reverse() calls a page.
        return f"{self.base_url}{self.function.pk}/{self.layer.key}/"


@dataclass
class Row:
    function: Function
    cells: list[Cell]
    hints: list[str] | None = None  # set when the playbook knows no such function

    @property
    def unmatched(self) -> bool:
        return self.hints is not None


@dataclass
class Group:
    category: str
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Filters:
    category: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, data: QueryDict) -> Filters:
        category = data.get("category", "")
        if category not in Function.Category.values:
            category = ""
        try:
            page = max(int(data.get("page", "1")), 1)
        except ValueError:
            page = 1
        return cls(category=category, q=data.get("q", "").strip()[:100], page=page)

    def query(self, **changes: Any) -> str:
        values = {"category": self.category, "q": self.q, "page": self.page} | changes
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


def groups_of(
    page: Page,
    layers: list[Layer],
    cells: dict[tuple[int, int], Assignment],
    base: str,
    hints: dict[int, list[str]],
    leads: dict[int, Function],
) -> list[Group]:
    groups: dict[str, Group] = {}
    labels = dict(Function.Category.choices)
    for function in page.object_list:
        group = groups.setdefault(function.category, Group(function.category, labels.get(function.category, "")))
        row_cells = [
            Cell(function, layer, cells.get((function.pk, layer.pk)), base, lead=leads.get(layer.pk))
            for layer in layers
        ]
        group.rows.append(Row(function, row_cells, hints.get(function.pk)))
    return list(groups.values())


@dataclass(frozen=True)
class PanelItem:
    suggestion: mapping.Suggestion
    layer_name: str
    status_label: str

    @property
    def dismissable(self) -> bool:
        return self.suggestion.status in (mapping.NEW, mapping.DIFFERS, mapping.LEAD_TAKEN)


@dataclass
class Panel:
    """The suggestions panel: what the playbook proposes for the filtered functions. Each list is
    its first few, read as a window, with its total (issue 13 item 9: nothing drawn per function)."""

    shown: list[PanelItem]
    hidden: int
    applied: list[PanelItem]
    applied_count: int
    dismissed: list[PanelItem]
    dismissed_count: int
    actionable: int
    unmatched: list[mapping.Unmatched]
    unmatched_count: int
    market: str

    @property
    def applied_more(self) -> int:
        return max(self.applied_count - len(self.applied), 0)

    @property
    def dismissed_more(self) -> int:
        return max(self.dismissed_count - len(self.dismissed), 0)

    @property
    def unmatched_more(self) -> int:
        return max(self.unmatched_count - len(self.unmatched), 0)


def panel_of(reader: ProductSuggestions, filters: Filters) -> Panel:
    layer_names = {key: layer.name for key, layer in reader.layers.items()}

    def items(suggestions: list[mapping.Suggestion]) -> list[PanelItem]:
        return [PanelItem(s, layer_names.get(s.layer_key, s.layer_key), STATUS_LABEL[s.status]) for s in suggestions]

    read = reader.panel(SUGGESTIONS_SHOWN, category=filters.category, q=filters.q)
    counts, everything = read["counts"], read["all"]
    pending = sum(counts[status] for status in PENDING)
    unmatched = reader.unmatched(q=filters.q)
    markets = dict(Organization.GoToMarket.choices)
    return Panel(
        shown=items(read["pending"]),
        hidden=max(pending - SUGGESTIONS_SHOWN, 0),
        applied=items(read[mapping.APPLIED]),
        applied_count=counts[mapping.APPLIED],
        dismissed=items(read[mapping.DISMISSED]),
        dismissed_count=counts[mapping.DISMISSED],
        actionable=everything[mapping.NEW] + everything[mapping.DIFFERS],
        unmatched=unmatched[:UNMATCHED_SHOWN],
        unmatched_count=unmatched.count(),
        market=markets.get(reader.go_to_market, "hybrid").lower(),
    )


def hints_of_page(functions: Iterable[Function]) -> dict[int, list[str]]:
    """{function id: the closest playbook names} for the page's functions the playbook does not know."""
    return {f.pk: playbook_matches.hints_of(f) for f in functions if playbook_matches.entry_of(f) is None}


@dataclass(frozen=True)
class Toast:
    """The note after a change, with the button that undoes it (or redoes an undo)."""

    message: str
    changes: list[AssignmentChange]
    action: str = "Undo"

    @property
    def change_ids(self) -> str:
        return ",".join(str(change.pk) for change in self.changes)


def done_message(function: Function, layer: Layer, target: str, replaced: Function | None) -> str:
    if target == REPLACE:
        if replaced is None:
            return f"{function.name} now leads the {layer.name}."
        return f"{function.name} now leads the {layer.name}; {replaced.name} stays on as a contributor."
    if target == "none":
        return f"{function.name} is no longer on the {layer.name}."
    return f"{function.name} is now {'the lead' if target == 'lead' else 'a contributor'} on the {layer.name}."


def describe(snapshot: dict[str, Any] | None) -> str:
    """A history snapshot in words: "lead", "contributor", or "not assigned"."""
    if not snapshot:
        return "not assigned"
    return STATE_LABEL.get(str(snapshot.get("emphasis")), "assigned").lower()


def person(user: Any) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email or user.get_username()


def what_changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """One change in words: "contributor → lead", "added as contributor", "removed (was lead)"."""
    if before is None:
        return f"added as {describe(after)}"
    if after is None:
        return f"removed (was {describe(before)})"
    if before.get("emphasis") != after.get("emphasis"):
        return f"{describe(before)} → {describe(after)}"
    return "contribution edited"


def _when(moment: Any) -> str:
    return ago(moment)


def conflict_message(error: Conflict, product: Product, function: Function, layer: Layer) -> str:
    """Who changed the cell, when, and what, from its latest recorded change."""
    last = cell_history(product=product, function=function, layer=layer).first()
    if last is None:
        return f"{error.detail} Your change was not saved."
    return (
        f"{person(last.by)} changed this cell {_when(last.at)}: {what_changed(last.before, last.after)}. "
        "Your change was not saved."
    )


@dataclass(frozen=True)
class HistoryRow:
    change: AssignmentChange
    who: str
    before: str
    after: str
    before_text: str
    after_text: str
    what: str
    when: str


def history_rows(changes: Iterable[AssignmentChange]) -> list[HistoryRow]:
    def text(snapshot: dict[str, Any] | None) -> str:
        return str((snapshot or {}).get("contribution", ""))

    return [
        HistoryRow(
            c,
            person(c.by),
            describe(c.before),
            describe(c.after),
            text(c.before),
            text(c.after),
            what_changed(c.before, c.after),
            _when(c.at),
        )
        for c in changes
    ]


def apply_notice(result: mapping.ApplyResult, *, one: bool) -> str:
    if one:
        written = result.created + result.updated
        return "Accepted the suggestion." if written else "Nothing to change: the suggestion was not applied."
    parts = [f"{result.created} created", f"{result.updated} updated", f"{result.unchanged} already as suggested"]
    if result.skipped_manual:
        parts.append(f"{result.skipped_manual} kept as mapped by hand")
    if result.skipped_dismissed:
        parts.append(f"{result.skipped_dismissed} dismissed")
    return "Accepted all suggestions: " + ", ".join(parts) + "."
