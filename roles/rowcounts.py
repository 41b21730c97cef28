"""Exact row counts per organization, kept by the database (issue 13 item 9: what grows is paged,
and a page says how many rows there are in all).

A list of every review of an organization counted them each time: `COUNT(*)` over 500,000 reviews
took 16 ms of the API's page at 5,000 functions, and over 100,000 people 3 ms of four pages. For
the models of `COUNTED`, PostgreSQL statement triggers add a row (organization, table, +n or -n)
to `wp_row_count` in the transaction that inserts or deletes them, whatever the code path (a
service, a bulk statement, a cascade, an import, a restore, the admin); a TRUNCATE clears its
table's rows. An organization's count is the sum of its rows, read in one indexed statement: it
is what the reading transaction sees, as `COUNT(*)` would be, since the rows commit with the
writes that made them.

- `install` (after every migrate, `roles.apps`) creates the table and function, then for each
  counted table without its triggers yet: locks the table against writes, counts its rows per
  organization, and creates the triggers, in one transaction (so no write is counted twice or lost).
- `count_of(queryset)` is the maintained count when the queryset selects exactly every row of a
  counted model in one organization (its conditions are `organization_id = N`, and at most the
  same condition on rows it reaches through required foreign keys, which every row of N meets
  since a row and what it points to share their organization: any other filter, scope or search
  makes it count), else None. `count(queryset)` falls back to `COUNT(*)`, and
  `CountedPaginator` pages with it.
- `fold` replaces an organization's rows of a table by one row (a request meeting more than
  `COMPACT_AT` does it, and the hourly `roles.fold_state_changes` folds them all).
- `check` compares every count with `COUNT(*)` and `repair` recounts (`rebuild_read_model`).
- Under SQLite (embedded mode, one small organization) there are no triggers: every count is
  `COUNT(*)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import Count, ForeignKey, Model, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.constants import INNER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND

from shared.paging import ids_first
from shared.prepared import check_same_statement
from shared.triggers import EVENTS, LOCK_FUNCTION, installed, statement_triggers, triggers_in_place

TABLE = "wp_row_count"
# The models whose organizations' rows are counted: those listed by pages and the API whose
# organizations reach tens of thousands of rows (the people, their reviews, the links between
# functions) and the functions every dashboard counts. Each has its own `organization` column
# (issue 13 item 1).
COUNTED = ("roles.Function", "roles.Stakeholder", "roles.Partnership", "layers.Review")
# Distinct values of a column per organization, kept the same way under the key "table.column":
# the functions mapped on any product (a function counter row per product and function), which the
# review inbox's progress list counts (`COUNT(DISTINCT)` over 50,000 counter rows took 2.3 ms of it
# at 5,000 functions).
DISTINCT_COUNTED = (("layers.FunctionCounts", "function_id"),)
COLUMN = "organization_id"
COMPACT_AT = 128  # rows of one (organization, table) past which a read folds them

_FUNCTION = """
CREATE OR REPLACE FUNCTION wp_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM wp_row_count WHERE table_name = TG_TABLE_NAME;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO wp_row_count (organization_id, table_name, delta)
        SELECT organization_id, TG_TABLE_NAME, COUNT(*) FROM new_rows GROUP BY organization_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO wp_row_count (organization_id, table_name, delta)
        SELECT organization_id, TG_TABLE_NAME, -COUNT(*) FROM old_rows GROUP BY organization_id;
    ELSE  -- an UPDATE that moves rows to another organization (none does; counted all the same)
        INSERT INTO wp_row_count (organization_id, table_name, delta)
        SELECT organization_id, TG_TABLE_NAME, SUM(delta) FROM (
            SELECT o.organization_id, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE n.organization_id IS DISTINCT FROM o.organization_id
            UNION ALL
            SELECT n.organization_id, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE n.organization_id IS DISTINCT FROM o.organization_id
        ) moved GROUP BY organization_id;
    END IF;
    RETURN NULL;
END
$$;
"""


# A value counts once per organization: it is new when no row held it before the statement, gone
# when no row holds it after (an update: before is the table without the new rows, with the old).
# `moved` is the (organization, value) pairs the statement adds or takes away: those it inserted,
# those it deleted, or both sides of an update that moved a row to another value or organization
# (the counters' figures change on every review and move nothing).
_DISTINCT_FUNCTION = """
CREATE OR REPLACE FUNCTION wp_count_distinct() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    kept text := TG_TABLE_NAME || '.' || TG_ARGV[0];
    moved text;
    orgs bigint[];
    vals bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM wp_row_count WHERE table_name = kept;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        moved := format('SELECT DISTINCT organization_id, %I AS v FROM new_rows', col);
    ELSIF TG_OP = 'DELETE' THEN
        moved := format('SELECT DISTINCT organization_id, %I AS v FROM old_rows', col);
    ELSE
        moved := format('SELECT o.organization_id, o.%1$I AS v FROM old_rows o JOIN new_rows n ON n.id = o.id'
            ' WHERE (n.organization_id, n.%1$I) IS DISTINCT FROM (o.organization_id, o.%1$I)'
            ' UNION SELECT n.organization_id, n.%1$I FROM old_rows o JOIN new_rows n ON n.id = o.id'
            ' WHERE (n.organization_id, n.%1$I) IS DISTINCT FROM (o.organization_id, o.%1$I)', col);
    END IF;
    -- Whether a value was or is held by another row depends on what other transactions write at
    -- once: the values moved are locked (shared.triggers.LOCK_FUNCTION), and each statement below
    -- reads what committed meanwhile (a snapshot of its own). Nothing moved: nothing to count.
    EXECUTE 'SELECT array_agg(DISTINCT organization_id), array_agg(DISTINCT v) FROM (' || moved || ') t'
       INTO orgs, vals;
    IF vals IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM wp_lock_values(kept, orgs, vals);
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO wp_row_count (organization_id, table_name, delta) '
            'SELECT organization_id, %1$L, COUNT(*) FROM (' || moved || ') t '
            'WHERE NOT EXISTS (SELECT 1 FROM %3$I c WHERE c.organization_id = t.organization_id AND c.%2$I = t.v '
            '  AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = c.id)) '
            'GROUP BY organization_id', kept, col, TG_TABLE_NAME);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO wp_row_count (organization_id, table_name, delta) '
            'SELECT organization_id, %1$L, -COUNT(*) FROM (' || moved || ') t '
            'WHERE NOT EXISTS (SELECT 1 FROM %3$I c WHERE c.organization_id = t.organization_id AND c.%2$I = t.v) '
            'GROUP BY organization_id', kept, col, TG_TABLE_NAME);
    ELSE
        EXECUTE format('INSERT INTO wp_row_count (organization_id, table_name, delta) '
            'SELECT organization_id, %1$L, SUM(now - was) FROM ('
            '  SELECT t.organization_id,'
            '    (EXISTS (SELECT 1 FROM %3$I c'
            '             WHERE c.organization_id = t.organization_id AND c.%2$I = t.v))::int AS now,'
            '    (EXISTS (SELECT 1 FROM %3$I c WHERE c.organization_id = t.organization_id AND c.%2$I = t.v'
            '             AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = c.id))'
            '     OR EXISTS (SELECT 1 FROM old_rows o'
            '                WHERE o.organization_id = t.organization_id AND o.%2$I = t.v))::int'
            '     AS was'
            '  FROM (' || moved || ') t'
            ') judged GROUP BY organization_id HAVING SUM(now - was) <> 0', kept, col, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
"""


def distinct_counted() -> dict[str, tuple[str, str]]:
    """{key: (table, column)} of the distinct counts (`DISTINCT_COUNTED`); the key is "table.column"."""
    found = {}
    for label, column in DISTINCT_COUNTED:
        table = apps.get_model(label)._meta.db_table
        found[f"{table}.{column}"] = (table, column)
    return found


def counted_tables() -> dict[str, type[Model]]:
    return {model._meta.db_table: model for model in (apps.get_model(label) for label in COUNTED)}


# --- installing ---------------------------------------------------------------------------------


def install(using: str = "default") -> list[str]:
    """Create the table and function, and the triggers of each counted table that has none yet
    (its rows counted first, the table locked against writes meanwhile). Idempotent; returns the
    tables whose counting began."""
    db = connections[using]
    if not installed(using):
        return []
    begun = []
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, organization_id bigint NOT NULL, "
            "table_name varchar(63) NOT NULL, delta bigint NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_org ON {TABLE} (organization_id, table_name) INCLUDE (delta)"
        )
        cursor.execute(_FUNCTION)
        for table in counted_tables():
            if triggers_in_place(cursor, [table], "wp_count") == len(EVENTS):
                continue
            _recount(cursor, table)
            statement_triggers(cursor, table, "wp_count", "wp_count_rows()")
            begun.append(table)
        cursor.execute(LOCK_FUNCTION)
        cursor.execute(_DISTINCT_FUNCTION)
        for key, (table, column) in distinct_counted().items():
            if triggers_in_place(cursor, [table], "wp_distinct") == len(EVENTS):
                continue
            _recount(cursor, key)
            statement_triggers(cursor, table, "wp_distinct", f"wp_count_distinct('{column}')")
            begun.append(key)
    return begun


def _counting(key: str) -> tuple[str, str]:
    """(table, what a count of it is) of a kept count's key: a counted table's rows, or the
    distinct values of a `distinct_counted` column."""
    found = distinct_counted().get(key)
    if found is not None:
        table, column = found
        return table, f'COUNT(DISTINCT "{column}")'
    return key, "COUNT(*)"


def _recount(cursor: Any, key: str, organization_ids: list[int] | None = None) -> None:
    """Count a kept count afresh (of these organizations; None: all), its table's writes held off
    until the transaction ends."""
    table, counting = _counting(key)
    cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
    mine, params = ("", []) if organization_ids is None else ("AND organization_id = ANY(%s)", [organization_ids])
    cursor.execute(f"DELETE FROM {TABLE} WHERE table_name = %s {mine}", [key, *params])  # noqa: S608 - no input
    where = "" if organization_ids is None else f"WHERE {COLUMN} = ANY(%s)"
    cursor.execute(
        f"INSERT INTO {TABLE} (organization_id, table_name, delta) "  # noqa: S608 - names, no input
        f'SELECT {COLUMN}, %s, {counting} FROM "{table}" {where} GROUP BY {COLUMN}',
        [key, *params],
    )


# --- reading ------------------------------------------------------------------------------------


def organization_of(queryset: Any) -> int | None:
    """The organization id when `queryset` selects exactly every row of a counted model in one
    organization (its conditions `organization_id = N`, on its own rows and perhaps on rows its
    required foreign keys reach), else None."""
    if not isinstance(queryset, QuerySet) or queryset.model._meta.db_table not in counted_tables():
        return None
    query = queryset.query
    if query.is_sliced or query.distinct or query.combinator or query.group_by is not None or query.is_empty():
        return None
    if query.extra or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values()):
        return None
    where = query.where
    if where.negated or where.connector != AND or not where.children:
        return None
    own, implied = None, set()
    for lookup in where.children:
        if not isinstance(lookup, Exact):  # RelatedExact too
            return None
        column = lookup.lhs
        if not isinstance(column, Col) or column.target.column != COLUMN:
            return None
        value = lookup.rhs.pk if isinstance(lookup.rhs, Model) else lookup.rhs
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        if column.alias == query.base_table:
            own = value
        elif _required_path(query, column.alias):
            implied.add(value)
        else:
            return None
    return own if own is not None and implied <= {own} else None


def _required_path(query: Any, alias: str) -> bool:
    """Whether `alias` is reached from the base table through required foreign keys alone (inner
    joins, forward, not null): each base row then meets exactly one row of it, of its organization."""
    while alias != query.base_table:
        join = query.alias_map.get(alias)
        if not isinstance(join, Join) or join.join_type != INNER or join.nullable:
            return False
        if not isinstance(join.join_field, ForeignKey) or join.filtered_relation is not None:
            return False
        alias = join.parent_alias
    return True


def count_of(queryset: Any) -> int | None:
    """The maintained count of `queryset`'s rows when it selects every row of one organization of a
    counted model (and counts are kept here), else None."""
    organization_id = organization_of(queryset)
    if organization_id is None or not installed(queryset.db):
        return None
    return organization_count(organization_id, queryset.model._meta.db_table, using=queryset.db)


def count(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, read from the maintained count when there is one."""
    known = count_of(queryset)
    return queryset.count() if known is None else known


def counts(*querysets: QuerySet[Any]) -> list[int]:
    """`count` of each queryset, the maintained counts of one organization read in one statement
    (the others, and every count under SQLite, are `COUNT(*)` each)."""
    kept: dict[int, tuple[int, str]] = {}  # position: (organization, database) of a maintained count
    for i, queryset in enumerate(querysets):
        organization_id = organization_of(queryset)
        if organization_id is not None and installed(queryset.db):
            kept[i] = (organization_id, queryset.db)
    if len(set(kept.values())) > 1:  # several organizations or databases: one statement each
        return [count(queryset) for queryset in querysets]
    read = {}
    if kept:
        organization_id, using = next(iter(kept.values()))
        tables = [querysets[i].model._meta.db_table for i in kept]
        read = organization_counts(organization_id, tables, using=using)
    return [
        read[queryset.model._meta.db_table] if i in kept else queryset.count() for i, queryset in enumerate(querysets)
    ]


def distinct_count(organization_id: int, model: type[Model], column: str, *, using: str = "default") -> int | None:
    """How many distinct values of `column` the organization's rows of `model` hold, when the
    database keeps that count (`DISTINCT_COUNTED`, PostgreSQL), else None."""
    key = f"{model._meta.db_table}.{column}"
    if not installed(using) or key not in distinct_counted():
        return None
    return organization_count(organization_id, key, using=using)


def organization_count(organization_id: int, table: str, *, using: str = "default") -> int:
    return organization_counts(organization_id, [table], using=using)[table]


def organization_counts(organization_id: int, tables: Iterable[str], *, using: str = "default") -> dict[str, int]:
    """The kept counts of several counted tables of one organization, in one statement (PostgreSQL:
    see `installed`)."""
    wanted = list(tables)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT table_name, COALESCE(SUM(delta), 0), COUNT(*) FROM {TABLE} "  # noqa: S608 - no input
            "WHERE organization_id = %s AND table_name = ANY(%s) GROUP BY table_name",
            [organization_id, wanted],
        )
        found = {table: (int(total), rows) for table, total, rows in cursor.fetchall()}
    for table, (_total, rows) in found.items():
        if rows > COMPACT_AT:
            fold(organization_id, table, using=using)
    return {table: found.get(table, (0, 0))[0] for table in wanted}


# Rows above which a page of a list ordered through a join is read ids first: below, building the
# second statement costs more than sorting the list (the API's organizations, a member's few).
IDS_FIRST_ABOVE = 500


class CountedPaginator(Paginator):
    """A Paginator whose count is the maintained one when its list is every row of one
    organization of a counted model (`count_of`), and whose page of a list ordered through a join
    is read ids first (`shared.paging.ids_first`).

    `rows`, when given, reads a page instead of slicing the list: `rows(bottom, top, by_ids)`,
    the rows `bottom` to `top` of the same list (ids first when `by_ids`), such as a prepared
    statement of it (shared.prepared) — `page_of` says what it must return."""

    def __init__(self, *args: Any, rows: Callable[[int, int, bool], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows

    @cached_property
    def count(self) -> int:
        known = count_of(self.object_list)
        return super().count if known is None else known

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        by_ids = self.count > IDS_FIRST_ABOVE  # a short list: one statement sorts it as cheaply as two
        if top <= bottom:  # an empty list: nothing to read (an empty slice cannot be prepared)
            return Page([], number, self)
        if self.rows is None:
            return Page(page_of(self.object_list, bottom, top, by_ids), number, self)
        rows = self.rows(bottom, top, by_ids)
        check_same_statement(rows, page_of(self.object_list, bottom, top, by_ids))
        return Page(rows, number, self)


def read_page(page: Page, reader: Callable[[int, int], Any]) -> None:
    """Have a plain Paginator's `page` hold `reader(bottom, top)` — its rows read by a prepared
    statement of the same list (shared.prepared) — rather than a slice of the list."""
    if not page.paginator.count:  # nothing to read (an empty slice cannot be prepared)
        page.object_list = []
        return
    rows = reader(page.start_index() - 1, page.end_index())
    check_same_statement(rows, page.object_list)
    page.object_list = rows


def count_rows(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """A statement of how many rows `queryset` (one organization's) holds: one row (none when it
    holds none), for a prepared builder to return — `QuerySet.count()` runs at once."""
    return queryset.order_by().values(COLUMN).annotate(n=Count("*")).values_list("n", flat=True)


def counted(rows: Any) -> int:
    """The count a `count_rows` statement read (0 when it read no row: the list is empty)."""
    return next(iter(rows), 0)


def page_of(queryset: Any, bottom: int, top: int, by_ids: bool) -> Any:
    """The rows `bottom` to `top` of `queryset`, their ids cut first when `by_ids`."""
    return ids_first(queryset, bottom, top) if by_ids else queryset[bottom:top]


# --- folding, checking, repairing ---------------------------------------------------------------


def fold(organization_id: int, table: str, *, using: str = "default") -> None:
    """Replace the organization's rows of `table` by one row of their sum (none when it is 0; the
    count unchanged). One statement, so atomic; rows of a transaction still open are not seen, so
    not folded, and count when it commits. Two folds at once: the second waits for the first's
    rows, finds them gone, adds nothing."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} WHERE organization_id = %s AND table_name = %s RETURNING delta) "  # noqa: S608
            f"INSERT INTO {TABLE} (organization_id, table_name, delta) "
            "SELECT %s, %s, SUM(delta) FROM gone HAVING SUM(delta) <> 0",
            [organization_id, table, organization_id, table],
        )


def fold_all(using: str = "default") -> int:
    """Fold every (organization, table)'s rows into one, dropping those that sum to 0 (the hourly
    task); returns the rows left."""
    if not installed(using):
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} RETURNING organization_id, table_name, delta) "  # noqa: S608
            f"INSERT INTO {TABLE} (organization_id, table_name, delta) "
            "SELECT organization_id, table_name, SUM(delta) FROM gone GROUP BY organization_id, table_name "
            "HAVING SUM(delta) <> 0"  # a deleted organization's rows sum to nothing and go
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Difference:
    table: str
    organization_id: int
    kept: int
    counted: int


def check(organization_ids: Iterable[int] | None = None, *, using: str = "default") -> list[Difference]:
    """Every maintained count (of these organizations) that differs from `COUNT(*)`."""
    if not installed(using):
        return []
    wanted = None if organization_ids is None else sorted(set(organization_ids))
    differences = []
    with connections[using].cursor() as cursor:
        for key in [*counted_tables(), *distinct_counted()]:
            table, counting = _counting(key)
            where, params = ("", []) if wanted is None else (f"WHERE {COLUMN} = ANY(%s)", [wanted])
            cursor.execute(f'SELECT {COLUMN}, {counting} FROM "{table}" {where} GROUP BY {COLUMN}', params)  # noqa: S608
            counted = dict(cursor.fetchall())
            where = "" if wanted is None else "AND organization_id = ANY(%s)"
            cursor.execute(
                f"SELECT organization_id, SUM(delta) FROM {TABLE} WHERE table_name = %s {where} "  # noqa: S608
                "GROUP BY organization_id",
                [key, *params],
            )
            kept = {org: int(n) for org, n in cursor.fetchall()}
            for org in sorted(set(counted) | set(kept)):
                if kept.get(org, 0) != counted.get(org, 0):
                    differences.append(Difference(key, org, kept.get(org, 0), counted.get(org, 0)))
    return differences


def repair(organization_ids: Iterable[int] | None = None, *, using: str = "default") -> None:
    """Count the rows of these organizations (None: all) afresh, each table locked against writes
    while it is counted."""
    if not installed(using):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        wanted = None if organization_ids is None else sorted(set(organization_ids))
        for key in [*counted_tables(), *distinct_counted()]:
            _recount(cursor, key, wanted)
