"""The playbook's suggestions for one product, read a window at a time (issue 13 item 9).

`mapping.suggest` plans every function of the organization in Python: it is what `apply` runs,
and the oracle of this module. The map editor and the API read here instead. One SQL statement
pairs each function with the playbook rules of its stored match (`Function.playbook_name`), gives
each pair the planner's status (`mapping._status_before_leads`, then who holds each layer's lead)
and answers counts per status or one ordered window, so a read costs the same number of queries,
and builds a page's worth of objects, whatever the organization's size. Tests hold every status,
note and order equal to the planner's.

The statement is written in SQL (PostgreSQL and SQLite alike) rather than with the ORM because
the ORM inlines an annotation wherever it is used: the status reads the pair's facts five times
and the lead step reads the status again, which made a statement of a hundred sub-plans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from domain.playbook.catalog import BY_NAME, PLAYBOOK
from domain.playbook.model import LayerRule
from roles.models import Function, Organization
from roles.services import playbook_matches
from shared.sql import NO_LIMIT, contains_sql, like_pattern, values_table
from shared.window import Window

from ..models import Assignment, DismissedSuggestion, Layer, Product
from ..services import mapping
from ..services.mapping import APPLIED, DIFFERS, DISMISSED, LEAD, LEAD_TAKEN, MANUAL, NEW, STATUSES

PENDING = (NEW, DIFFERS, LEAD_TAKEN, MANUAL)  # what the panel lists first, in this order
RING_ORDER = ("ring", "sort_name", "id")
PENDING_ORDER = ("rank", "ring", "sort_name", "id")

TEXT = "VARCHAR(200)"
RULE_COLUMNS = [("pb", TEXT), ("layer_key", TEXT), ("layer_id", "BIGINT"), ("ring", "INTEGER"), ("emphasis", TEXT)]
COLUMNS = "id, name, category, pb, layer_key, row_emphasis, row_source, status"  # after (kind, n)

# `mapping._status_before_leads`, over a pair's facts (tests hold the two equal).
BEFORE_LEADS = f"""CASE
    WHEN row_emphasis = rule_emphasis THEN '{APPLIED}'
    WHEN dismissed THEN '{DISMISSED}'
    WHEN row_source = '{Assignment.Source.MANUAL}' THEN '{MANUAL}'
    WHEN row_emphasis IS NOT NULL THEN '{DIFFERS}'
    ELSE '{NEW}' END"""


def _order_by(columns: Iterable[str]) -> str:
    """An ORDER BY list comparing names by code point, as Python's sort (the planner's) does:
    PostgreSQL's "C" collation, which also spares it the locale's slower comparison; SQLite
    compares text that way by default."""
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    return ", ".join(f"{column}{collate}" if column == "sort_name" else column for column in columns)


def rules_by_layer(go_to_market: str) -> dict[str, dict[str, LayerRule]]:
    """{layer key: {playbook name: its rule there}} under one motion (one rule per entry and layer)."""
    rules: dict[str, dict[str, LayerRule]] = defaultdict(dict)
    for entry in PLAYBOOK:
        for rule in entry.rules_for(go_to_market):
            rules[rule.layer].setdefault(entry.name, rule)
    return dict(rules)


class ProductSuggestions:
    """The suggestions of one product. Build one per request: it remembers who leads each layer."""

    def __init__(self, product: Product, *, go_to_market: str | None = None, layers: Iterable[Layer] = ()) -> None:
        self.holders = {}
        self.product = product
        if go_to_market is None:
            go_to_market = Organization.objects.values_list("go_to_market", flat=True).get(pk=product.organization_id)
        self.go_to_market = go_to_market
        self.layers = {layer.key: layer for layer in (layers or Layer.objects.order_by("ring"))}
        self.rules = {key: rules for key, rules in rules_by_layer(go_to_market).items() if key in self.layers}

    # ------------------------------------------------------------------ the statement

    @cached_property
    def _unstamped(self) -> list[tuple[int, str]]:
        """(id, match) of the functions a path that does not stamp them wrote: matched now."""
        functions = Function.objects.filter(organization_id=self.product.organization_id, playbook_name__isnull=True)
        rows = []
        for function in functions.only("id", "name", "playbook_name"):
            entry = playbook_matches.entry_of(function)
            rows.append((function.pk, entry.name if entry else ""))
        return rows

    def _read(self, parts: list[tuple[str, list[Any]]], *, category: str = "", q: str = "") -> list[tuple[Any, ...]]:
        """Run `parts` (SELECTs of ROW_SHAPE over `judged`, every pair, or `chosen`, the filtered
        ones) as one statement: the pairs are judged once, whatever is asked of them."""
        rule_rows = [
            (name, key, self.layers[key].pk, self.layers[key].ring, rule.emphasis)
            for key, rules in self.rules.items()
            for name, rule in rules.items()
        ]
        rules_sql, rule_params = values_table("rules", RULE_COLUMNS, rule_rows)
        matched_sql, matched_params = values_table(
            "matched", [("function_id", "BIGINT"), ("pb", TEXT)], self._unstamped
        )
        # Only when some function has no stored match: the join on the stored one estimates well.
        match = "JOIN rules r ON r.pb = f.playbook_name"
        if self._unstamped:
            match = "LEFT JOIN matched m ON m.function_id = f.id JOIN rules r ON r.pb = COALESCE(f.playbook_name, m.pb)"
        where, where_params = ["1 = 1"], []
        if category:
            where.append("category = %s")
            where_params.append(category)
        if q:
            where.append(contains_sql("name"))
            where_params.append(like_pattern(q))
        ranks = " ".join(f"WHEN '{status}' THEN {i}" for i, status in enumerate(PENDING))
        sql = f"""
WITH {rules_sql}, {matched_sql},
pairs AS (
    SELECT f.id, f.name, f.category, r.pb, r.layer_key, r.layer_id, r.ring, r.emphasis AS rule_emphasis,
           a.emphasis AS row_emphasis, a.source AS row_source, d.id IS NOT NULL AS dismissed,
           LOWER(f.name) AS sort_name
    FROM {Function._meta.db_table} f
    {match}
    LEFT JOIN {Assignment._meta.db_table} a
        ON a.product_id = %s AND a.function_id = f.id AND a.layer_id = r.layer_id
    LEFT JOIN {DismissedSuggestion._meta.db_table} d
        ON d.product_id = %s AND d.function_id = f.id AND d.layer_id = r.layer_id
    WHERE f.organization_id = %s
),
staged AS (SELECT pairs.*, {BEFORE_LEADS} AS before FROM pairs),
kept AS (
    SELECT a.layer_id, a.function_id FROM {Assignment._meta.db_table} a
    WHERE a.product_id = %s AND a.emphasis = '{LEAD}' AND (a.layer_id, a.function_id) NOT IN (
        SELECT layer_id, id FROM staged WHERE row_emphasis = '{LEAD}' AND before = '{DIFFERS}')
),
claims AS (
    SELECT layer_id, id AS function_id FROM (
        SELECT layer_id, id, ROW_NUMBER() OVER (PARTITION BY layer_id ORDER BY {_order_by(("sort_name", "id"))}) AS n
        FROM staged WHERE rule_emphasis = '{LEAD}' AND before IN ('{NEW}', '{DIFFERS}')
    ) firsts WHERE n = 1
),
holders AS (
    SELECT layer_id, function_id FROM kept
    UNION ALL SELECT layer_id, function_id FROM claims WHERE layer_id NOT IN (SELECT layer_id FROM kept)
),
judged AS (
    SELECT staged.*, CASE
        WHEN before IN ('{NEW}', '{DIFFERS}') AND rule_emphasis = '{LEAD}'
             AND h.function_id IS NOT NULL AND h.function_id <> staged.id THEN '{LEAD_TAKEN}'
        ELSE before END AS status,
        CASE (CASE
        WHEN before IN ('{NEW}', '{DIFFERS}') AND rule_emphasis = '{LEAD}'
             AND h.function_id IS NOT NULL AND h.function_id <> staged.id THEN '{LEAD_TAKEN}'
        ELSE before END) {ranks} ELSE {len(PENDING)} END AS rank
    FROM staged LEFT JOIN holders h ON h.layer_id = staged.layer_id
),
chosen AS (SELECT * FROM judged WHERE {" AND ".join(where)})
SELECT 'holder', 0, f.id, f.name, NULL, NULL, l.{Layer._meta.get_field("key").column}, NULL, NULL, NULL
FROM holders h JOIN {Function._meta.db_table} f ON f.id = h.function_id
JOIN {Layer._meta.db_table} l ON l.id = h.layer_id
{"".join(" UNION ALL " + part for part, _params in parts)}"""  # noqa: S608 (constants; values are parameters)
        params = [
            *rule_params,
            *matched_params,
            self.product.pk,
            self.product.pk,
            self.product.organization_id,
            self.product.pk,
            *where_params,
            *(value for _part, part_params in parts for value in part_params),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self.holders = {row[6]: (row[2], row[3]) for row in rows if row[0] == "holder"}
        return [row for row in rows if row[0] != "holder"]

    holders: dict[str, tuple[int, str]]  # {layer key: (function id, name)}: who leads it once the plan is done

    @staticmethod
    def _counts(kind: str, table: str) -> tuple[str, list[Any]]:
        return (
            f"SELECT '{kind}', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, status FROM {table} GROUP BY status",  # noqa: S608 (constants; values are parameters)
            [],
        )

    @staticmethod
    def _tally(rows: list[tuple[Any, ...]], kind: str) -> dict[str, int]:
        tally = dict.fromkeys(STATUSES, 0)
        for row in rows:
            if row[0] == kind:
                tally[row[-1]] += row[1]
        return tally

    # ------------------------------------------------------------------ what pages and the API read

    def counts(self, *, category: str = "", q: str = "") -> dict[str, int]:
        """{status: how many suggestions} (every status, zeros included), of the filtered functions."""
        return self._tally(self._read([self._counts("count", "chosen")], category=category, q=q), "count")

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
        marks = ", ".join(["%s"] * len(wanted)) or "NULL"
        read: dict[str, Any] = {}

        def rows_part(offset: int, limit: int | None) -> tuple[str, list[Any]]:
            # ORDER BY with LIMIT keeps the window's rows only (a top-N sort) where numbering
            # every pair sorted them all: 5 ms of the statement at 5,000 functions, against 1.
            part = f"""SELECT 'row', %s + ROW_NUMBER() OVER (ORDER BY {order}), {COLUMNS} FROM (
    SELECT * FROM chosen WHERE status IN ({marks}) ORDER BY {order} LIMIT %s OFFSET %s
) window_rows"""  # noqa: S608
            return part, [offset, *wanted, NO_LIMIT if limit is None else limit, offset]

        def rows_of(found: list[tuple[Any, ...]]) -> list[mapping.Suggestion]:
            return self._build(sorted((row for row in found if row[0] == "row"), key=lambda row: row[1]))

        def tally() -> dict[str, int]:
            if "tally" not in read:
                parts = [self._counts("count", "chosen"), *([rows_part(*ahead)] if ahead else [])]
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
        # Each group's first rows by ORDER BY with LIMIT (a top-N sort of each), where numbering
        # the rows of each group sorted every pair: 7 ms of the statement at 5,000 functions.
        order = _order_by(PENDING_ORDER)
        firsts = [
            (
                f"""SELECT '{group}', ROW_NUMBER() OVER (ORDER BY {order}), {COLUMNS} FROM (
    SELECT * FROM chosen WHERE {where} ORDER BY {order} LIMIT %s
) {group}_rows""",  # noqa: S608 (constants; the limit is a parameter)
                [limit],
            )
            for group, where in (
                ("pending", f"status NOT IN ('{APPLIED}', '{DISMISSED}')"),
                (APPLIED, f"status = '{APPLIED}'"),
                (DISMISSED, f"status = '{DISMISSED}'"),
            )
        ]
        # Unfiltered, the chosen suggestions are all of them: counted once.
        counts = [self._counts("all", "judged")] + ([self._counts("count", "chosen")] if category or q else [])
        rows = self._read([*counts, *firsts], category=category, q=q)
        if not (category or q):
            rows += [("count", *row[1:]) for row in rows if row[0] == "all"]
        found: dict[str, list[tuple[Any, ...]]] = {"pending": [], APPLIED: [], DISMISSED: []}
        for row in sorted(rows, key=lambda row: row[1]):
            if row[0] in found:
                found[row[0]].append(row)
        return {
            "all": self._tally(rows, "all"),
            "counts": self._tally(rows, "count"),
            **{group: self._build(group_rows) for group, group_rows in found.items()},
        }

    def unmatched(self, *, q: str = "") -> Window:
        """The functions the playbook does not know, by name: a Window of `mapping.Unmatched`."""
        functions = self._functions(q).exclude(Q(pb__in=list(BY_NAME))).order_by(Lower("name"), "pk")
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
        for _kind, _n, fid, name, category, pb, key, row_emphasis, row_source, status in rows:
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
        mapped: dict[int, list[str]] = defaultdict(list)
        cells = Assignment.objects.filter(product=self.product, function__in=[f.pk for f in window])
        for function_id, key in cells.order_by("layer__ring").values_list("function_id", "layer__key"):
            mapped[function_id].append(key)
        return [
            mapping.Unmatched(f.pk, f.name, playbook_matches.hints_of(f), tuple(mapped.get(f.pk, ()))) for f in window
        ]
