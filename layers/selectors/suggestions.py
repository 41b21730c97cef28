"""The playbook's suggestions for one product, read a window at a time (issue 13 item 9).

`mapping.suggest` plans every function of the organization in Python: it is what `apply` runs,
and the oracle of this module. The map editor and the API read here instead, from the rows the read
model keeps (`layers.readmodel.suggestion_rows`: one per function and layer its playbook entry has a
rule for, with the pair's status before leads are weighed). One SQL statement finds who will lead
each layer once the plan is done (the planner's lead step), gives each row its status and answers
counts per status or ordered windows, so a read costs the same number of queries, and builds a
page's worth of objects, whatever the organization's size. Tests hold every status, note and order
equal to the planner's.

The statement is written in SQL (PostgreSQL and SQLite alike) rather than with the ORM because
the ORM inlines an annotation wherever it is used: the status reads the row's facts and the lead
step reads the status again, which made a statement of a hundred sub-plans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from domain.playbook.catalog import BY_NAME
from domain.playbook.suggestions import (
    APPLIED,
    DIFFERS,
    DISMISSED,
    LEAD_TAKEN,
    MANUAL,
    NEW,
    STATUSES,
    rules_by_layer,
)
from roles.models import Function, Organization
from roles.rowcounts import count_rows, counted
from roles.services import playbook_matches
from shared.prepared import prepared
from shared.sql import NO_LIMIT, contains_sql, like_pattern, marks
from shared.window import Window

from ..models import Assignment, Layer, Product, SuggestionRow
from ..readmodel import suggestioncounts
from ..services import mapping
from .layer_list import layers_in_ring_order

LEAD = Assignment.Emphasis.LEAD
PENDING = (NEW, DIFFERS, LEAD_TAKEN, MANUAL)  # what the panel lists first, in this order
RING_ORDER = ("ring", "sort_name", "id")
PENDING_ORDER = ("rank", "ring", "sort_name", "id")
COLUMNS = "id, name, category, pb, layer_id, row_emphasis, row_source, status"  # after (kind, n)
# The stored statuses (before leads) a status can come from: a row's own, or, for a lead another
# function holds, new or differs. A window names them too, so it reads only those rows.
BEFORE = {status: (status,) for status in STATUSES} | {LEAD_TAKEN: (NEW, DIFFERS)}


def _order_by(columns: Iterable[str]) -> str:
    """An ORDER BY list comparing names by code point, as Python's sort (the planner's) does:
    PostgreSQL's "C" collation, which its indexes of the rows hold too (layers migration 0019);
    SQLite compares text that way by default."""
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    return ", ".join(f"{column}{collate}" if column == "sort_name" else column for column in columns)


def _filter(category: str, q: str) -> tuple[str, list[Any]]:
    """The condition on a row's function (its category, a part of its name) and its values."""
    where, params = ["1 = 1"], list[Any]()
    if category:
        where.append("category = %s")
        params.append(category)
    if q:
        where.append(contains_sql("name"))
        params.append(like_pattern(q))
    return " AND ".join(where), params


class ProductSuggestions:
    """The suggestions of one product. Build one per request: it remembers who leads each layer."""

    def __init__(self, product: Product, *, go_to_market: str | None = None, layers: Iterable[Layer] = ()) -> None:
        self.holders, self.held = {}, set()
        self.product = product
        if go_to_market is None:
            go_to_market = Organization.objects.values_list("go_to_market", flat=True).get(pk=product.organization_id)
        self.go_to_market = go_to_market
        self.layers = {layer.key: layer for layer in (layers or layers_in_ring_order())}
        self.rules = {key: rules for key, rules in rules_by_layer(go_to_market).items() if key in self.layers}

    # ------------------------------------------------------------------ the statement

    @cached_property
    def _keys(self) -> dict[int, str]:
        """{layer id: key}: the statement's rows name their layer by id (`_read`)."""
        return {layer.pk: key for key, layer in self.layers.items()}

    @cached_property
    def _unstamped(self) -> list[tuple[int, str]]:
        """(id, match) of the functions a path that does not stamp them wrote: matched now."""
        return playbook_matches.matches_of(_unstamped_functions(self.product.organization_id))

    def _read(self, parts: list[tuple[str, list[Any]]], *, category: str = "", q: str = "") -> list[tuple[Any, ...]]:
        """Run `parts` (SELECTs of ROW_SHAPE over `judged`, every row, or `chosen`, the filtered
        ones) as one statement. `judged` is written into each part (NOT MATERIALIZED), so a window
        reads its rows in an index's order and stops at its end; the lead holders are read once.
        Rows name their layer by id (`_keys`) and ask the holders whether another function leads it,
        rather than joining the layers and the holders: planning those joins in each of the seven
        copies of `judged` took longer than running them (the panel's read, 6.0 -> 5.1 ms at 5,000
        functions, the same rows). The counts (`_counts`) read the rows themselves, not `judged`."""
        rows, assignment = SuggestionRow._meta.db_table, Assignment._meta.db_table
        where, where_params = _filter(category, q)
        ranks = " ".join(f"WHEN '{status}' THEN {i}" for i, status in enumerate(PENDING))
        taken = f"""CASE
        WHEN s.before IN ('{NEW}', '{DIFFERS}') AND s.rule_emphasis = '{LEAD}'
             AND EXISTS (SELECT 1 FROM holders h WHERE h.layer_id = s.layer_id AND h.function_id <> s.function_id)
             THEN '{LEAD_TAKEN}'
        ELSE s.before END"""  # noqa: S608 (constants)
        inline = "NOT MATERIALIZED " if connection.vendor == "postgresql" else ""
        sql = f"""
WITH kept AS (
    SELECT a.layer_id, a.function_id FROM {assignment} a
    WHERE a.product_id = %s AND a.emphasis = '{LEAD}' AND NOT EXISTS (
        SELECT 1 FROM {rows} s WHERE s.product_id = a.product_id AND s.function_id = a.function_id
        AND s.layer_id = a.layer_id AND s.row_emphasis = '{LEAD}' AND s.before = '{DIFFERS}')
),
claims AS (
    SELECT layer_id, function_id FROM (
        SELECT layer_id, function_id,
               ROW_NUMBER() OVER (PARTITION BY layer_id ORDER BY {_order_by(("sort_name", "function_id"))}) AS n
        FROM {rows} WHERE product_id = %s AND rule_emphasis = '{LEAD}' AND before IN ('{NEW}', '{DIFFERS}')
    ) firsts WHERE n = 1
),
holders AS (
    SELECT layer_id, function_id FROM kept
    UNION ALL SELECT layer_id, function_id FROM claims WHERE layer_id NOT IN (SELECT layer_id FROM kept)
),
judged AS {inline}(
    SELECT s.function_id AS id, s.name, s.category, s.playbook_name AS pb, s.layer_id, s.ring,
           s.rule_emphasis, s.row_emphasis, s.row_source, s.sort_name, s.before,
           {taken} AS status,
           CASE ({taken}) {ranks} ELSE {len(PENDING)} END AS rank
    FROM {rows} s
    WHERE s.product_id = %s
),
chosen AS {inline}(SELECT * FROM judged WHERE {where})
SELECT 'holder', h.layer_id, f.id, f.name, NULL, NULL, h.layer_id, NULL, NULL, NULL
FROM holders h JOIN {Function._meta.db_table} f ON f.id = h.function_id
{"".join(" UNION ALL " + part for part, _params in parts)}"""  # noqa: S608 (constants; values are parameters)
        params = [
            self.product.pk,
            self.product.pk,
            self.product.pk,
            *where_params,
            *(value for _part, part_params in parts for value in part_params),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        keys = self._keys
        self.holders = {keys[row[6]]: (row[2], row[3]) for row in found if row[0] == "holder"}
        self.held = {row[1] for row in found if row[0] == "holder"}
        return [row for row in found if row[0] != "holder"]

    holders: dict[str, tuple[int, str]]  # {layer key: (function id, name)}: who leads it once the plan is done
    held: set[int]  # the ids of the layers someone leads once the plan is done

    def _counts(self, kind: str, *, category: str = "", q: str = "") -> list[tuple[str, list[Any]]]:
        """Two parts counting the suggestions (of the filtered functions): the rows per stored
        status, layer and rule, and the lead holders' own rows among those a lead step can take
        (`_tally` weighs the leads with them, as `judged`'s status does row by row). Both read the
        rows' status index alone: judging 6,500 rows to count them took 6 ms at 5,000 functions."""
        rows = SuggestionRow._meta.db_table
        where, params = _filter(category, q)
        values = [self.product.pk, *params]
        if not (category or q) and suggestioncounts.installed():
            # Every row: the counts the database keeps (layers.readmodel.suggestioncounts).
            counted = (suggestioncounts.kept_part(kind), [self.product.pk])
        else:
            counted = (
                f"""SELECT '{kind}', COUNT(*), s.layer_id, NULL, NULL, NULL, NULL, s.rule_emphasis, NULL, s.before
FROM {rows} s WHERE s.product_id = %s AND {where} GROUP BY s.before, s.layer_id, s.rule_emphasis""",  # noqa: S608 (constants; values are parameters)
                values,
            )
        return [
            counted,
            (
                f"""SELECT '{kind} own', COUNT(*), s.layer_id, NULL, NULL, NULL, NULL, s.rule_emphasis, NULL, s.before
FROM holders h JOIN {rows} s ON s.layer_id = h.layer_id AND s.function_id = h.function_id
WHERE s.product_id = %s AND s.rule_emphasis = '{LEAD}' AND s.before IN ('{NEW}', '{DIFFERS}') AND {where}
GROUP BY s.before, s.layer_id, s.rule_emphasis""",  # noqa: S608 (constants; values are parameters)
                values,
            ),
        ]

    def _tally(self, rows: list[tuple[Any, ...]], kind: str) -> dict[str, int]:
        """{status: how many} from `_counts`' rows: a row new or differing whose rule makes it the
        lead of a layer someone else leads once the plan is done is `lead_taken` (`judged`)."""
        if suggestioncounts.needs_fold(rows, kind):
            suggestioncounts.fold(self.product.pk)
        tally = dict.fromkeys(STATUSES, 0)
        own = {(row[2], row[-1]): row[1] for row in rows if row[0] == f"{kind} own"}
        for row in rows:
            if row[0] != kind:
                continue
            n, layer_id, rule, before = row[1], row[2], row[7], row[-1]
            if rule == LEAD and before in (NEW, DIFFERS) and layer_id in self.held:
                kept = own.get((layer_id, before), 0)  # the holder's own row keeps its status
                tally[LEAD_TAKEN] += n - kept
                tally[before] += kept
            else:
                tally[before] += n
        return tally

    # ------------------------------------------------------------------ what pages and the API read

    def counts(self, *, category: str = "", q: str = "") -> dict[str, int]:
        """{status: how many suggestions} (every status, zeros included), of the filtered functions."""
        filters = {"category": category, "q": q}
        return self._tally(self._read(self._counts("count", **filters), **filters), "count")

    def suggestions(
        self,
        *,
        category: str = "",
        q: str = "",
        statuses: Iterable[str] | None = None,
        pending_first: bool = False,
        ahead: tuple[int, int] | None = None,
    ) -> Window:
        """The suggestions in ring, then name order (or pending first, in PENDING's order): a Window
        whose count() reads the counts per status (its `tally`), and whose slices read one window of
        rows. `ahead` (offset, limit): the window a paginator will ask for, read with the counts in
        the same statement."""
        wanted = list(STATUSES if statuses is None else statuses)
        order = _order_by(PENDING_ORDER if pending_first else RING_ORDER)
        filters = {"category": category, "q": q}
        statuses_in, _ = marks(wanted)
        befores, stored = marks(sorted({before for status in wanted for before in BEFORE[status]}))
        # Every status: no condition, so that the ring order is read from its index and stops.
        condition = "1 = 1" if set(wanted) >= set(STATUSES) else f"status IN ({statuses_in}) AND before IN ({befores})"
        values = [] if condition == "1 = 1" else [*wanted, *stored]
        read: dict[str, Any] = {}

        def rows_part(offset: int, limit: int | None) -> tuple[str, list[Any]]:
            # ORDER BY with LIMIT keeps the window's rows only (in ring order, a range of an
            # index; pending first, a top-N sort of the rows whose stored status can be pending).
            part = f"""SELECT 'row', %s + ROW_NUMBER() OVER (ORDER BY {order}), {COLUMNS} FROM (
    SELECT * FROM chosen WHERE {condition} ORDER BY {order} LIMIT %s OFFSET %s
) window_rows"""  # noqa: S608
            return part, [offset, *values, NO_LIMIT if limit is None else limit, offset]

        def rows_of(found: list[tuple[Any, ...]]) -> list[mapping.Suggestion]:
            return self._build(sorted((row for row in found if row[0] == "row"), key=lambda row: row[1]))

        def tally() -> dict[str, int]:
            if "tally" not in read:
                parts = [*self._counts("count", **filters), *([rows_part(*ahead)] if ahead else [])]
                found = self._read(parts, **filters)
                read["tally"], read["ahead"] = self._tally(found, "count"), rows_of(found)
            return read["tally"]

        def count() -> int:
            return sum(tally()[status] for status in wanted)

        def fetch(offset: int, limit: int | None) -> list[mapping.Suggestion]:
            if ahead and "ahead" in read and offset == ahead[0] and limit is not None and limit <= ahead[1]:
                return read["ahead"][:limit]
            return rows_of(self._read([rows_part(offset, limit)], **filters))

        return Window(count, fetch, tally)

    def panel(self, limit: int, *, category: str = "", q: str = "") -> dict[str, Any]:
        """What the map editor's panel draws, in one read: the counts per status of every suggestion
        ("all") and of the filtered ones ("counts"), and the first `limit` of the filtered pending
        (pending first), applied and dismissed ones."""
        # Each group's first rows by ORDER BY with LIMIT. Applied and dismissed rows keep their
        # stored status and one rank: their first ones are a range of an index, in ring order.
        # Pending ones are those stored new, differs or manual, ranked once the leads are known:
        # the first of each rank, read along the same index (`_pending_firsts`).
        ring = _order_by(RING_ORDER)
        firsts = [self._pending_firsts(limit)] + [
            (
                f"""SELECT '{group}', ROW_NUMBER() OVER (ORDER BY {ring}), {COLUMNS} FROM (
    SELECT * FROM chosen WHERE before = '{group}' ORDER BY {ring} LIMIT %s
) {group}_rows""",  # noqa: S608 (constants; the limit is a parameter)
                [limit],
            )
            for group in (APPLIED, DISMISSED)
        ]
        # Unfiltered, the chosen suggestions are all of them: counted once.
        filtered = bool(category or q)
        counts = self._counts("all") + (self._counts("count", category=category, q=q) if filtered else [])
        rows = self._read([*counts, *firsts], category=category, q=q)
        found: dict[str, list[tuple[Any, ...]]] = {"pending": [], APPLIED: [], DISMISSED: []}
        for row in sorted(rows, key=lambda row: row[1]):
            if row[0] in found:
                found[row[0]].append(row)
        every = self._tally(rows, "all")
        return {
            "all": every,
            "counts": self._tally(rows, "count") if filtered else dict(every),
            **{group: self._build(group_rows) for group, group_rows in found.items()},
        }

    def _pending_firsts(self, limit: int) -> tuple[str, list[Any]]:
        """The first `limit` pending suggestions, pending first (PENDING's order, then ring order):
        the first `limit` of each status a row can have once the leads are known, each read along
        the (status stored, ring order) index until it has them, and those few sorted, rather than
        one top-N sort of every row that can be pending (960 at 5,000 functions)."""
        ring = _order_by(RING_ORDER)
        parts = [
            (NEW, NEW),
            (DIFFERS, DIFFERS),
            (NEW, LEAD_TAKEN),
            (DIFFERS, LEAD_TAKEN),
            (MANUAL, MANUAL),
        ]
        # Each a subquery of its own (SQLite takes no parenthesized member of a UNION).
        each = " UNION ALL ".join(
            f"SELECT * FROM (SELECT * FROM chosen WHERE before = '{before}' AND status = '{status}' "  # noqa: S608
            f"ORDER BY {ring} LIMIT %s) first_{i}"
            for i, (before, status) in enumerate(parts)
        )
        order = _order_by(PENDING_ORDER)
        sql = f"""SELECT 'pending', ROW_NUMBER() OVER (ORDER BY {order}), {COLUMNS} FROM (
    SELECT * FROM ({each}) firsts ORDER BY {order} LIMIT %s
) pending_rows"""  # noqa: S608 (constants; the limits are parameters)
        return sql, [limit] * (len(parts) + 1)

    def unmatched(self, *, q: str = "") -> Window:
        """The functions the playbook does not know, by name: a Window of `mapping.Unmatched`."""
        if not q and not self._unstamped:  # the usual case: prepared statements
            organization_id, product_id = self.product.organization_id, self.product.pk
            return Window(
                lambda: counted(_unmatched_count(organization_id)),
                lambda offset, limit: self._unmatched_page(product_id, organization_id, offset, limit),
            )
        functions = _unmatched_of(self._functions(q))
        return Window(functions.count, lambda offset, limit: self._build_unmatched(functions, offset, limit))

    def _functions(self, q: str) -> QuerySet[Function]:
        functions = Function.objects.filter(organization_id=self.product.organization_id)
        if q:
            functions = functions.filter(name__icontains=q)
        if not self._unstamped:
            return functions.annotate(pb=F("playbook_name"))
        names: dict[str, list[int]] = defaultdict(list)
        for pk, name in self._unstamped:
            names[name].append(pk)
        whens = [When(pk__in=ids, then=Value(name)) for name, ids in names.items()]
        return functions.annotate(pb=Case(*whens, default=F("playbook_name"), output_field=CharField()))

    # ------------------------------------------------------------------ rows to objects

    def _build(self, rows: list[tuple[Any, ...]]) -> list[mapping.Suggestion]:
        built = []
        keys = self._keys
        for _kind, _n, fid, name, category, pb, layer_id, row_emphasis, row_source, status in rows:
            key = keys[layer_id]
            rule = self.rules[key][pb]
            if status == LEAD_TAKEN:
                note = mapping.lead_taken_note(self.holders[key][1], self.layers[key].name)
            else:
                note = mapping.note_of(status, row_emphasis, row_source, rule.emphasis)
            built.append(
                mapping.Suggestion(
                    function_id=fid,
                    function_name=name,
                    category=category,
                    layer_key=key,
                    emphasis=rule.emphasis,
                    reason=rule.reason,
                    playbook_name=pb,
                    status=status,
                    note=note,
                )
            )
        return built

    def _build_unmatched(
        self, functions: QuerySet[Function], offset: int, limit: int | None
    ) -> list[mapping.Unmatched]:
        window = list(functions[offset : None if limit is None else offset + limit])
        cells = Assignment.objects.filter(product=self.product, function__in=[f.pk for f in window])
        return self._unmatched_rows(window, _layer_keys(cells))

    def _unmatched_page(
        self, product_id: int, organization_id: int, offset: int, limit: int | None
    ) -> list[mapping.Unmatched]:
        window = list(_unmatched_window(organization_id, offset, None if limit is None else offset + limit))
        return self._unmatched_rows(window, _unmatched_cells(product_id, [f.pk for f in window]))

    def _unmatched_rows(self, window: list[Function], cells: Iterable[tuple[int, str]]) -> list[mapping.Unmatched]:
        mapped: dict[int, list[str]] = defaultdict(list)
        for function_id, key in cells:
            mapped[function_id].append(key)
        return [
            mapping.Unmatched(f.pk, f.name, playbook_matches.hints_of(f), tuple(mapped.get(f.pk, ()))) for f in window
        ]


# --- the statements of the usual case (no search, every function stamped), prepared ----------------


def _unmatched_of(functions: QuerySet[Function]) -> QuerySet[Function]:
    """The functions the playbook does not know (`pb`, their match, among none of its entries), by name."""
    return functions.exclude(Q(pb__in=list(BY_NAME))).order_by(Lower("name"), "pk")


def _stamped(organization_id: int) -> QuerySet[Function]:
    return _unmatched_of(Function.objects.filter(organization_id=organization_id).annotate(pb=F("playbook_name")))


def _layer_keys(cells: QuerySet[Assignment]) -> QuerySet[Any]:
    return cells.order_by("layer__ring").values_list("function_id", "layer__key")


@prepared
def _unstamped_functions(organization_id: int) -> QuerySet[Function]:
    functions = Function.objects.filter(organization_id=organization_id, playbook_name__isnull=True)
    return functions.only("id", "name", "playbook_name")


@prepared
def _unmatched_count(organization_id: int) -> QuerySet[Any]:
    return count_rows(_stamped(organization_id))


@prepared(shaped=("offset", "stop"))
def _unmatched_window(organization_id: int, offset: int, stop: int | None) -> QuerySet[Function]:
    return _stamped(organization_id)[offset:stop]


@prepared
def _unmatched_cells(product_id: int, function_ids: list[int]) -> QuerySet[Any]:
    """(function id, layer key) of these functions' cells on the product, in ring order."""
    return _layer_keys(Assignment.objects.filter(product_id=product_id, function__in=function_ids))
