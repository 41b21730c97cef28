"""The web's links summed by what a large web's summary shows, kept by the database (issue 13 item 9:
what grows is summarized).

A web of more than 300 links is drawn as one circle per category and summed up (links, mean trust,
weak ones, checks due) by one statement that joined every link to its two functions and to the
disruption days: 13 ms of PostgreSQL's time at 7,500 links, and growing with them. The figures
depend on a link's two categories, its trust, its `needs_trust_check` flag and the day of its last
check (due when never checked or checked `UNCHECKED_AFTER_DAYS` days ago or more), and on the
disruptions of its ends after that day. PostgreSQL statement triggers add a row (organization,
category_a, category_b, trust, flagged, checked_on, +n or -n) to `wp_link_count` in the
transaction that inserts, changes or deletes partnerships, or changes a function's category,
whatever the code path (a service, a bulk statement, a cascade, an import, a restore, the admin);
a TRUNCATE clears them. The summary is then a sum of the organization's rows, whose number is
bounded by the categories, trust levels and the last `UNCHECKED_AFTER_DAYS` days (2,400 rows at
7,500 links), plus the few links that a disruption of an end after their check makes due, read
one by one (`roles.selectors.web.large_web`).

- `fold` replaces an organization's rows by one per key, and a check day old enough to make a
  link due whatever the day it is read (`OLD_AFTER_DAYS`, one day more than the rule, for a
  request that straddles midnight) by none: never checked and checked long ago are due alike. A
  read that meets more than `COMPACT_AT` unfolded rows folds them, and so does the hourly
  `roles.fold_state_changes`. So the rows hold a day as "old" only once it is; a summary read for
  a day before today (a test's clock) reads the links themselves (`readable`).
- `install` (after every migrate, `roles.apps`) creates the table and function, and, for a table
  without its triggers yet, locks the partnerships, counts them and creates the triggers.
- `differences` compares the kept sums with the links, `repair` recounts (`rebuild_read_model`).
- Under SQLite (embedded mode) there are no triggers: the summary reads the links.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from domain.partnerships import UNCHECKED_AFTER_DAYS, trust_check_disrupted_sql, trust_check_due_sql
from shared import triggers
from shared.triggers import LOCK_FUNCTION, installed, statement_triggers, triggers_in_place

from .models import Function, Partnership

TABLE = "wp_link_count"
KEY = "organization_id, category_a, category_b, trust, flagged, checked_on"
COMPACT_AT = 128  # unfolded rows of one organization past which a read folds them
OLD_AFTER_DAYS = UNCHECKED_AFTER_DAYS + 1  # a check this many days ago is old whenever it is read
PARTNERSHIP, FUNCTION = Partnership._meta.db_table, Function._meta.db_table
TRIGGERS = {PARTNERSHIP: ("INSERT", "UPDATE", "DELETE", "TRUNCATE"), FUNCTION: ("UPDATE",)}

# A link's key: its organization, its functions' categories (a's, then b's), trust, flag, check day.
_OF_LINKS = """SELECT l.organization_id, fa.category, fb.category, l.trust, l.needs_trust_check, l.last_checked_on"""
_ENDS = f"JOIN {FUNCTION} fa ON fa.id = l.function_a_id JOIN {FUNCTION} fb ON fb.id = l.function_b_id"
_KEYED = "(l.organization_id, l.function_a_id, l.function_b_id, l.trust, l.needs_trust_check, l.last_checked_on)"

# The links an update changed the key of: each as it was (-1) and as it is (+1).
_CHANGED = f"""changed AS (
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE {_KEYED.replace("l.", "o.")} IS DISTINCT FROM {_KEYED.replace("l.", "n.")}
        ), l AS (
            SELECT o.*, -1 AS delta FROM old_rows o WHERE o.id IN (SELECT id FROM changed)
            UNION ALL
            SELECT n.*, 1 AS delta FROM new_rows n WHERE n.id IN (SELECT id FROM changed)
        )"""  # noqa: S608 - column names, no input
# The functions whose category an update changed, with the category they had.
_MOVED = """moved AS (
            SELECT n.id, n.organization_id, o.category AS was FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.category IS DISTINCT FROM o.category
        )"""


def _ends_of(links: str) -> str:
    """(organization, function) of both ends of `links`."""
    ends = "SELECT organization_id, function_a_id AS id FROM {0} UNION SELECT organization_id, function_b_id FROM {0}"
    return ends.format(links)


_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION wp_count_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orgs bigint[];
    vals bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
        RETURN NULL;
    END IF;
    -- A link is summed by its ends' categories, which another transaction may be changing (or a
    -- link of whose it may be writing) at once: the functions a statement concerns are locked
    -- until this transaction ends (shared.triggers.LOCK_FUNCTION), so the other waits, and the
    -- statement below reads what committed meanwhile (a snapshot of its own). A statement that
    -- changes no key (a goal, a note, a function's name) has nothing to lock or count.
    IF TG_TABLE_NAME = '{FUNCTION}' THEN
        -- The functions that changed category and the other ends of their links (whose own change
        -- at once would move the same links).
        WITH {_MOVED}
        SELECT array_agg(DISTINCT organization_id), array_agg(DISTINCT id) INTO orgs, vals FROM (
            SELECT organization_id, id FROM moved
            UNION SELECT organization_id, function_a_id FROM {PARTNERSHIP} WHERE function_b_id IN (SELECT id FROM moved)
            UNION SELECT organization_id, function_b_id FROM {PARTNERSHIP} WHERE function_a_id IN (SELECT id FROM moved)
        ) concerned;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT organization_id), array_agg(DISTINCT id) INTO orgs, vals FROM (
            {_ends_of("new_rows")}) ends;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT organization_id), array_agg(DISTINCT id) INTO orgs, vals FROM (
            {_ends_of("old_rows")}) ends;
    ELSE
        WITH {_CHANGED}
        SELECT array_agg(DISTINCT organization_id), array_agg(DISTINCT id) INTO orgs, vals FROM (
            {_ends_of("l")}) ends;
    END IF;
    IF vals IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM wp_lock_values('{TABLE}', orgs, vals);
    IF TG_TABLE_NAME = '{FUNCTION}' THEN
        -- The links of the functions whose category changed move from their old categories.
        INSERT INTO {TABLE} ({KEY}, delta)
        WITH {_MOVED}, l AS (
            SELECT * FROM {PARTNERSHIP}
             WHERE function_a_id IN (SELECT id FROM moved) OR function_b_id IN (SELECT id FROM moved)
        )
        SELECT l.organization_id, COALESCE(ma.was, fa.category), COALESCE(mb.was, fb.category), l.trust,
               l.needs_trust_check, l.last_checked_on, -COUNT(*)
          FROM l {_ENDS} LEFT JOIN moved ma ON ma.id = l.function_a_id LEFT JOIN moved mb ON mb.id = l.function_b_id
         GROUP BY 1, 2, 3, 4, 5, 6
        UNION ALL
        {_OF_LINKS}, COUNT(*) FROM l {_ENDS} GROUP BY 1, 2, 3, 4, 5, 6;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} ({KEY}, delta)
        {_OF_LINKS}, COUNT(*) FROM new_rows l {_ENDS} GROUP BY 1, 2, 3, 4, 5, 6;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} ({KEY}, delta)
        {_OF_LINKS}, -COUNT(*) FROM old_rows l {_ENDS} GROUP BY 1, 2, 3, 4, 5, 6;
    ELSE  -- an UPDATE: the links whose key changed
        INSERT INTO {TABLE} ({KEY}, delta)
        WITH {_CHANGED}
        {_OF_LINKS}, SUM(l.delta) FROM l {_ENDS} GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(l.delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;
"""  # noqa: S608 - table names, no input


def readable(today: date) -> bool:
    """Whether a summary for `today` may be read from the kept rows: on PostgreSQL, for today or
    later (a fold may have made a day old that an earlier day's reading does not count as old)."""
    return installed() and today >= timezone.localdate()


# --- installing ---------------------------------------------------------------------------------


def install(using: str = "default") -> bool:
    """Create the table and function, and the triggers if any is missing (the links counted first,
    the partnerships and functions locked against writes meanwhile). Idempotent; returns whether
    the counting began."""
    db = connections[using]
    if not installed(using):
        return False
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, organization_id bigint NOT NULL, "
            "category_a varchar(20), category_b varchar(20), trust smallint NOT NULL, flagged boolean NOT NULL, "
            "checked_on date, delta bigint NOT NULL, folded boolean NOT NULL DEFAULT false)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_org ON {TABLE} (organization_id)")
        cursor.execute(LOCK_FUNCTION)
        cursor.execute(_FUNCTION_SQL)
        if triggers_in_place(cursor, list(TRIGGERS), "wp_links") == sum(len(events) for events in TRIGGERS.values()):
            return False
        _recount(cursor)
        for table, events in TRIGGERS.items():
            statement_triggers(cursor, table, "wp_links", "wp_count_links()", events)
    return True


def _recount(cursor: Any, organization_ids: list[int] | None = None) -> None:
    """Count the links (of these organizations; None: all) afresh, folded, their writes held off
    until the transaction ends."""
    cursor.execute(f'LOCK TABLE "{PARTNERSHIP}", "{FUNCTION}" IN SHARE MODE')
    mine, params = ("", []) if organization_ids is None else ("WHERE organization_id = ANY(%s)", [organization_ids])
    cursor.execute(f"DELETE FROM {TABLE} {mine}", params)  # noqa: S608 - no input
    where = "" if organization_ids is None else "WHERE l.organization_id = ANY(%s)"
    cursor.execute(
        f"""INSERT INTO {TABLE} ({KEY}, delta, folded)
SELECT l.organization_id, fa.category, fb.category, l.trust, l.needs_trust_check,
       CASE WHEN l.last_checked_on > %s THEN l.last_checked_on END, COUNT(*), true
  FROM {PARTNERSHIP} l {_ENDS} {where} GROUP BY 1, 2, 3, 4, 5, 6""",  # noqa: S608 - names, no input
        [_old_on_or_before(), *params],
    )


def _old_on_or_before() -> date:
    """The last check day that makes a link due however late today is read (see the docstring)."""
    return timezone.localdate() - timedelta(days=OLD_AFTER_DAYS)


# --- reading ------------------------------------------------------------------------------------


def kept_sql() -> str:
    """A SELECT of one organization's rows (parameters: the last day of an old check, then the
    organization), as `roles.selectors.web.large_web` sums them: (cat_a, cat_b, trust, due,
    disrupted, n, folded), judged by the link's own facts (flag, check day) only."""
    return f"""SELECT category_a AS cat_a, category_b AS cat_b, trust,
           CASE WHEN {trust_check_due_sql("checked_on", "flagged")} THEN 1 ELSE 0 END AS due,
           CASE WHEN {trust_check_disrupted_sql("checked_on", "flagged")} THEN 1 ELSE 0 END AS disrupted,
           delta AS n, folded
      FROM {TABLE} WHERE organization_id = %s"""  # noqa: S608 - no input


# --- folding, checking, repairing ---------------------------------------------------------------


def fold(organization_id: int | None = None, *, using: str = "default") -> int:
    """Replace the organization's rows (None: every organization's) by one per key, a check day
    old by then written as none, keys summing to 0 dropped. One statement, so atomic; rows of a
    transaction still open are not seen, so not folded, and count when it commits. Returns the
    rows left."""
    where, params = ("", []) if organization_id is None else ("WHERE organization_id = %s", [organization_id])
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""WITH gone AS (DELETE FROM {TABLE} {where} RETURNING *)
INSERT INTO {TABLE} ({KEY}, delta, folded)
SELECT organization_id, category_a, category_b, trust, flagged,
       CASE WHEN checked_on > %s THEN checked_on END, SUM(delta), true
  FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(delta) <> 0""",  # noqa: S608 - no input
            [*params, _old_on_or_before()],
        )
        return cursor.rowcount


def differences(organization_id: int, *, using: str = "default") -> list[str]:
    """Every key whose kept sum differs from the links' count, in words: a check day old enough
    to make a link due whatever the day is compared as none, as a fold keeps it."""
    old = _old_on_or_before()

    def as_kept(columns: tuple[Any, ...]) -> tuple[Any, ...]:
        *rest, checked_on = columns
        return (*rest, checked_on if checked_on and checked_on > old else None)

    def words(key: tuple[Any, ...], links: int, kept: int) -> str:
        _org, cat_a, cat_b, trust, flagged, checked_on = key
        day = checked_on.isoformat() if checked_on else "long ago or never"
        which = f"links {cat_a}-{cat_b}, trust {trust}, flagged {flagged}, checked {day}"
        return f"{TABLE}: {which}: {links}, kept as {kept}"

    return triggers.differences(
        organization_id,
        f"SELECT {KEY}, SUM(delta) FROM {TABLE} WHERE organization_id = %s GROUP BY 1, 2, 3, 4, 5, 6",  # noqa: S608
        f"{_OF_LINKS}, COUNT(*) FROM {PARTNERSHIP} l {_ENDS} WHERE l.organization_id = %s GROUP BY 1, 2, 3, 4, 5, 6",
        words,
        key=as_kept,
        using=using,
    )


def repair(organization_id: int, *, using: str = "default") -> None:
    """Count the organization's links afresh (in the caller's transaction)."""
    if installed(using):
        with connections[using].cursor() as cursor:
            _recount(cursor, [organization_id])
