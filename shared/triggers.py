"""PostgreSQL statement triggers that see a statement's rows (its transition tables), as the kept
counts put them on their tables (`roles.rowcounts`, `roles.linkcounts`,
`layers.readmodel.suggestioncounts`): the inserted rows as `new_rows`, the deleted as `old_rows`,
an update's both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections

EVENTS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
_REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows ",
    "DELETE": "REFERENCING OLD TABLE AS old_rows ",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows ",
    "TRUNCATE": "",
}


def installed(using: str = "default") -> bool:
    """Whether the counts kept by statement triggers are kept on the database `using`: the
    triggers exist on PostgreSQL only (the embedded mode's SQLite counts rows when asked)."""
    return connections[using].vendor == "postgresql"


def statement_triggers(cursor: Any, table: str, prefix: str, call: str, events: Iterable[str] = EVENTS) -> None:
    """Create (or replace) the triggers `{prefix}_{event}` on `table` that run `call` (a trigger
    function and its arguments) once per statement of each of `events`."""
    for event in events:
        cursor.execute(
            f'CREATE OR REPLACE TRIGGER "{prefix}_{event.lower()}" AFTER {event} ON "{table}" '
            f"{_REFERENCING[event]}FOR EACH STATEMENT EXECUTE FUNCTION {call}"
        )


def triggers_in_place(cursor: Any, tables: list[str], prefix: str) -> int:
    """How many triggers named `{prefix}_…` the tables have."""
    cursor.execute(
        "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND tgname LIKE %s",
        [tables, prefix.replace("_", "\\_") + "\\_%"],
    )
    return int(cursor.fetchone()[0])


def differences(
    organization_id: int,
    kept_sql: str,
    counted_sql: str,
    words: Callable[[Any, int, int], str],
    *,
    key: Callable[[tuple[Any, ...]], Any] | None = None,
    using: str = "default",
) -> list[str]:
    """`words(key, counted, kept)` for every key of one organization whose kept count is not its
    rows' count. `kept_sql` and `counted_sql` take the organization as their one parameter and
    group by the key's columns, the count last (`counts_of`); `key` maps a row's key columns to the
    key both are compared under."""
    if not installed(using):
        return []
    with connections[using].cursor() as cursor:
        kept = counts_of(cursor, kept_sql, [organization_id], key)
        counted = counts_of(cursor, counted_sql, [organization_id], key)
    keys = sorted(set(kept) | set(counted), key=repr)
    return [words(k, counted[k], kept[k]) for k in keys if kept[k] != counted[k]]


def counts_of(
    cursor: Any, sql: str, params: list[Any], key: Callable[[tuple[Any, ...]], Any] | None = None
) -> Counter[Any]:
    """A grouped statement's rows, its count last, as {key: count}: the other columns are the key,
    or what `key` makes of them (rows it maps together are summed). A key whose count sums to
    nothing is none (a folded zero, or a key nothing is left of)."""
    cursor.execute(sql, params)
    out: Counter[Any] = Counter()
    for row in cursor.fetchall():
        columns = tuple(row[:-1])
        out[columns if key is None else key(columns)] += int(row[-1])
    return Counter({k: n for k, n in out.items() if n})


# Kept counts whose trigger reads rows other transactions may be writing at once (whether a value
# is held by another row; the categories of a link's ends) lock what a statement concerns until
# its transaction ends, so a writer of the same values waits and then reads what committed: a few
# values each (under a shared lock of their organizations), or, for a statement of more than
# LOCK_EACH_UP_TO values (a rebuild, an import), their organizations whole, exclusively (the lock
# table holds some thousands of locks for every session together).
LOCK_EACH_UP_TO = 64
LOCK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION wp_lock_values(space text, organizations bigint[], vals bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(vals) > {LOCK_EACH_UP_TO} THEN
        PERFORM pg_advisory_xact_lock(hashtext(space || ':organization'), (o % 2147483647)::int)
           FROM (SELECT DISTINCT o FROM unnest(organizations) o ORDER BY o) ordered;
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtext(space || ':organization'), (o % 2147483647)::int)
           FROM (SELECT DISTINCT o FROM unnest(organizations) o ORDER BY o) ordered;
        PERFORM pg_advisory_xact_lock(hashtext(space), (v % 2147483647)::int)
           FROM (SELECT DISTINCT v FROM unnest(vals) v ORDER BY v) ordered;
    END IF;
END
$$;
"""  # noqa: S608 - a constant, no input
