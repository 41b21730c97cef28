"""A product's suggestion rows counted by (layer, rule, stored status), kept by the database (issue
13 item 9: what grows is summarized).

The map editor's panel and the API's suggestions say how many suggestions each status holds. They
grouped every suggestion row of the product (6,500 at 5,000 functions) on each read: 2 ms of
PostgreSQL's time, growing with the organization. The counts the panel weighs (`ProductSuggestions._tally`)
depend on a row's layer, its rule's emphasis and its status before leads are weighed (`before`),
so PostgreSQL statement triggers add a row (organization, product, layer, rule emphasis, before,
+n or -n) to `wp_suggestion_count` in the transaction that inserts, changes or deletes suggestion
rows, whatever the code path (the read model's maintenance, a rebuild, a cascade, a bulk
statement); a TRUNCATE clears them. A product's counts are then a sum of at most a few dozen rows
per key set (`kept_part`); a read that meets more than `COMPACT_AT` of them folds them (`fold`).

- `install` (after every migrate, `layers.apps`) creates the table and function and, when the
  triggers are missing, locks the rows, counts them and creates the triggers.
- `differences` compares the kept counts with the rows, `repair` recounts (`rebuild_read_model`).
- Under SQLite (embedded mode) there are no triggers: the counts group the rows (`installed`).
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction

from shared import triggers
from shared.triggers import EVENTS, installed, statement_triggers, triggers_in_place

from .tables import SuggestionRow

TABLE = "wp_suggestion_count"
ROWS = SuggestionRow._meta.db_table
KEY = "organization_id, product_id, layer_id, rule_emphasis, before"
COMPACT_AT = 128  # kept rows of one product past which a read folds them

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION wp_count_suggestions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} ({KEY}, delta)
        SELECT {KEY}, COUNT(*) FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} ({KEY}, delta)
        SELECT {KEY}, -COUNT(*) FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    ELSE  -- an UPDATE: the rows whose key changed (a cell's facts and names change more often)
        INSERT INTO {TABLE} ({KEY}, delta)
        WITH changed AS (
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.organization_id, o.product_id, o.layer_id, o.rule_emphasis, o.before)
                   IS DISTINCT FROM (n.organization_id, n.product_id, n.layer_id, n.rule_emphasis, n.before)
        ), moved AS (
            SELECT {KEY}, -1 AS delta FROM old_rows WHERE id IN (SELECT id FROM changed)
            UNION ALL
            SELECT {KEY}, 1 FROM new_rows WHERE id IN (SELECT id FROM changed)
        )
        SELECT {KEY}, SUM(delta) FROM moved GROUP BY 1, 2, 3, 4, 5 HAVING SUM(delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;
"""  # noqa: S608 - table names, no input


def install(using: str = "default") -> bool:
    """Create the table and function, and the triggers if any is missing (the rows counted first,
    their table locked against writes meanwhile). Idempotent; returns whether the counting began."""
    db = connections[using]
    if not installed(using):
        return False
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, organization_id bigint NOT NULL, "
            "product_id bigint NOT NULL, layer_id bigint NOT NULL, rule_emphasis varchar(20) NOT NULL, "
            "before varchar(20) NOT NULL, delta bigint NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_product ON {TABLE} (product_id) "
            "INCLUDE (layer_id, rule_emphasis, before, delta)"
        )
        cursor.execute(_FUNCTION_SQL)
        if triggers_in_place(cursor, [ROWS], "wp_suggestions") == len(EVENTS):
            return False
        _recount(cursor)
        statement_triggers(cursor, ROWS, "wp_suggestions", "wp_count_suggestions()")
    return True


def _recount(cursor: Any, organization_ids: list[int] | None = None) -> None:
    """Count the rows (of these organizations; None: all) afresh, their writes held off until the
    transaction ends."""
    cursor.execute(f'LOCK TABLE "{ROWS}" IN SHARE MODE')
    mine, params = ("", []) if organization_ids is None else ("WHERE organization_id = ANY(%s)", [organization_ids])
    cursor.execute(f"DELETE FROM {TABLE} {mine}", params)  # noqa: S608 - no input
    cursor.execute(
        f"INSERT INTO {TABLE} ({KEY}, delta) SELECT {KEY}, COUNT(*) FROM {ROWS} {mine} GROUP BY 1, 2, 3, 4, 5",  # noqa: S608
        params,
    )


# --- reading ------------------------------------------------------------------------------------


def kept_part(kind: str) -> str:
    """A part of `ProductSuggestions`' statement (its row shape; parameter: the product): the
    product's counts per (layer, rule, stored status), as its rows grouped would give them, and,
    in the name's place, how many kept rows each key sums (as text, the column's type; `needs_fold`
    reads them)."""
    return f"""SELECT '{kind}', SUM(delta)::bigint, layer_id, COUNT(*)::text, NULL, NULL, NULL, rule_emphasis,
NULL, before FROM {TABLE} WHERE product_id = %s GROUP BY layer_id, rule_emphasis, before HAVING SUM(delta) <> 0"""  # noqa: S608


def needs_fold(rows: list[tuple[Any, ...]], kind: str) -> bool:
    """Whether the kept rows a `kept_part` read summed are more than `COMPACT_AT`."""
    return sum(int(row[3] or 0) for row in rows if row[0] == kind) > COMPACT_AT


def fold(product_id: int | None = None, *, using: str = "default") -> int:
    """Replace the product's rows (None: every product's) by one per key, keys summing to 0
    dropped. One statement, so atomic; rows of a transaction still open are not seen, so not
    folded, and count when it commits. Returns the rows left."""
    where, params = ("", []) if product_id is None else ("WHERE product_id = %s", [product_id])
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""WITH gone AS (DELETE FROM {TABLE} {where} RETURNING *)
INSERT INTO {TABLE} ({KEY}, delta)
SELECT {KEY}, SUM(delta) FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING SUM(delta) <> 0""",  # noqa: S608 - no input
            params,
        )
        return cursor.rowcount


# --- checking, repairing ------------------------------------------------------------------------


def differences(organization_id: int, *, using: str = "default") -> list[str]:
    """Every (product, layer, rule, status) whose kept count differs from its rows', in words."""

    def words(key: tuple[Any, ...], rows: int, kept: int) -> str:
        _org, product_id, layer_id, rule, before = key
        where = f"product {product_id}, layer {layer_id}, {rule} rule, {before}"
        return f"{TABLE}: {where}: {rows} suggestion rows, kept as {kept}"

    grouped = "WHERE organization_id = %s GROUP BY 1, 2, 3, 4, 5"
    return triggers.differences(
        organization_id,
        f"SELECT {KEY}, SUM(delta) FROM {TABLE} {grouped}",  # noqa: S608 - names, no input
        f"SELECT {KEY}, COUNT(*) FROM {ROWS} {grouped}",  # noqa: S608 - names, no input
        words,
        using=using,
    )


def repair(organization_id: int, *, using: str = "default") -> None:
    """Count the organization's suggestion rows afresh (in the caller's transaction)."""
    if installed(using):
        with connections[using].cursor() as cursor:
            _recount(cursor, [organization_id])
