"""Pages and API lists served from a cache that cannot serve what a write has changed (issue 13).

Every write to an organization's rows, by any code path (a service, a bulk statement, the
read model's maintenance, an import, a restore, the admin), adds a row to `wp_state_change`
in the same transaction, through PostgreSQL statement triggers that `install` puts on every
table of the apps (and on the user table, whose rows every member's pages show). An
organization's *state version* is the sum of its rows' weights, read by the organization
context's one query (`roles.permissions.org_context`): it changes when, and only when, a
transaction that wrote to the organization commits, and it is read before anything a page
shows, so what a page renders is never older than the version it is stored under.

`serve` stores a page's response under the requester, the address, the state version and the
day (or the minute, for pages that say "3 minutes ago"), and answers the next identical request
from the cache without running the view. Nothing needs invalidating: a write makes a new key.

- Only GETs answered 200 are stored; a request with a message waiting (after a form's redirect)
  is rendered, never stored nor served from the cache.
- The CSRF token of a stored page is swapped for a placeholder, and each answer gets a fresh
  token of its own requester's (a page stored for one browser works in another).
- The triggers exist on PostgreSQL only; under SQLite (embedded mode) nothing is cached.
- `fold` replaces an organization's rows by one row of their summed weight (the version is
  unchanged): the hourly task `roles.fold_state_changes` folds them all, and a request that
  meets more than `COMPACT_AT` rows folds its organization's.
- The cache down or failing is a miss, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import ForeignKey, Model
from django.http import HttpRequest, HttpResponse

# `_unmask_cipher_token` is Django's own unmasking of a CSRF token (private, not in the stubs): a
# stored page's tokens are recognized by it and replaced, so each answer carries a token masked anew.
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.utils import timezone

logger = logging.getLogger(__name__)

TABLE = "wp_state_change"
EPOCH_TABLE = "wp_state_epoch"
# The apps whose tables pages read: their every table gets a trigger, and the user table too.
APPS = ("roles", "layers", "scenarios")
# Rows of one organization past which a request folds them (the hourly task folds them all). Every
# signed-in request sums and counts its organization's rows: 4,096 of them took 1 ms of the
# context query's 1.3 (EXPLAIN ANALYZE, 2,751 rows); a fold of 128 costs a write once in 128.
COMPACT_AT = 128
TTL = 60 * 60  # seconds a stored answer lives (a new state makes a new key long before)
CSRF_PLACEHOLDER = b"__wp-csrf-token__"
_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
DAY, MINUTE = "day", "minute"
# What a stored answer was drawn with besides the data (code_version).
CODE_FOLDERS = ("wholeproduct", "shared", "domain", "roles", "layers", "scenarios", "templates", "static")
CODE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".svg", ".txt"})


@dataclass(frozen=True)
class State:
    """Where an organization's data stands: what a stored answer is keyed on."""

    epoch: str  # this database's (a fresh test database never meets another's keys)
    organization_id: int
    organization: int  # the organization's version
    everyone: int  # the version of the rows no organization owns (layers, the playbook)

    @property
    def key(self) -> str:
        return f"{self.epoch}:{self.organization_id}:{self.organization}:{self.everyone}"


# --- the version -------------------------------------------------------------------------------


def state_of(organization_id: int, row: tuple[Any, ...]) -> State | None:
    """The state from the organization context query's last five columns (roles.permissions):
    the epoch, the organization's version and row count, everyone's. None where nothing is
    cached. A long run of rows is folded on the way (the hourly task folds them all)."""
    epoch, version, rows, everyone, everyone_rows = row
    if not epoch or not installed():
        return None
    if rows > COMPACT_AT:
        fold(organization_id)
    if everyone_rows > COMPACT_AT:
        fold(None)
    return State(epoch=epoch, organization_id=organization_id, organization=int(version), everyone=int(everyone))


def fold(organization_id: int | None) -> None:
    """Fold the organization's rows (None: everyone's) into one row of their summed weight.

    One statement, so atomic: the sum, the version, is the same before and after. Rows of a
    transaction still open are not seen, so not folded, and count when it commits. Two folds at
    once: the second waits for the first's rows, finds them gone, adds nothing."""
    where = "organization_id IS NULL" if organization_id is None else "organization_id = %s"
    params = [] if organization_id is None else [organization_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} WHERE {where} RETURNING weight) "  # noqa: S608 - no input
            f"INSERT INTO {TABLE} (organization_id, weight) "
            f"SELECT %s, SUM(weight) FROM gone HAVING COUNT(*) > 0",
            [*params, organization_id],
        )


def fold_all() -> int:
    """Fold every organization's rows, one row each (the hourly task); returns the rows left."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} RETURNING organization_id, weight) "  # noqa: S608 - no input
            f"INSERT INTO {TABLE} (organization_id, weight) "
            "SELECT organization_id, SUM(weight) FROM gone GROUP BY organization_id"
        )
        return cursor.rowcount


def installed() -> bool:
    """Whether writes are counted here: the triggers exist on PostgreSQL only."""
    return connection.vendor == "postgresql" and getattr(settings, "STATE_CACHE", True)


# --- the triggers ------------------------------------------------------------------------------

_FUNCTION = """
CREATE OR REPLACE FUNCTION wp_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'own' THEN
        EXECUTE format('INSERT INTO wp_state_change (organization_id) '
                       'SELECT DISTINCT %1$I FROM changed_rows WHERE %1$I IS NOT NULL', TG_ARGV[1]);
    ELSIF TG_ARGV[0] = 'via' THEN
        EXECUTE format('INSERT INTO wp_state_change (organization_id) SELECT DISTINCT p.organization_id '
                       'FROM %I p WHERE p.id IN (SELECT %I FROM changed_rows)', TG_ARGV[2], TG_ARGV[1]);
    ELSIF TG_ARGV[0] = 'user-shown' THEN
        -- An update of users counts only where it changes what pages show of them: a sign-in
        -- (last_login) or a new password leaves every stored answer as true as it was.
        INSERT INTO wp_state_change (organization_id)
        SELECT DISTINCT m.organization_id FROM roles_membership m
         WHERE m.user_id IN (
             SELECT n.id FROM changed_rows n JOIN old_rows o ON o.id = n.id
              WHERE (n.username, n.first_name, n.last_name, n.email, n.is_active, n.is_staff, n.is_superuser)
                    IS DISTINCT FROM
                    (o.username, o.first_name, o.last_name, o.email, o.is_active, o.is_staff, o.is_superuser));
    ELSIF TG_ARGV[0] = 'user' THEN
        EXECUTE format('INSERT INTO wp_state_change (organization_id) SELECT DISTINCT m.organization_id '
                       'FROM roles_membership m WHERE m.user_id IN (SELECT %I FROM changed_rows)', TG_ARGV[1]);
    ELSE
        INSERT INTO wp_state_change (organization_id) VALUES (NULL);
    END IF;
    RETURN NULL;
END
$$;
"""


def install(using: str = "default") -> int:
    """Create the table, the epoch and (PostgreSQL) a trigger per event on every table of `APPS`
    and the user table. Idempotent; run after every `migrate` (roles.apps). Returns the number
    of tables watched."""
    db = connections[using]
    with db.cursor() as cursor:
        if db.vendor != "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, "
                "organization_id bigint NULL, weight bigint NOT NULL DEFAULT 1)"
            )
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {EPOCH_TABLE} (token varchar(32) NOT NULL)")
            cursor.execute(
                "INSERT INTO wp_state_epoch (token) SELECT %s WHERE NOT EXISTS (SELECT 1 FROM wp_state_epoch)",
                [secrets.token_hex(16)],
            )
            return 0
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "organization_id bigint NULL, weight bigint NOT NULL DEFAULT 1)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_org ON wp_state_change (organization_id) INCLUDE (weight)")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {EPOCH_TABLE} (token varchar(32) NOT NULL)")
        cursor.execute(
            "INSERT INTO wp_state_epoch (token) SELECT %s WHERE NOT EXISTS (SELECT 1 FROM wp_state_epoch)",
            [secrets.token_hex(16)],
        )
        cursor.execute(_FUNCTION)
        watched = watched_tables()
        users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
        for table, args in watched.items():
            quoted = ", ".join(f"'{arg}'" for arg in args)
            for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                how = f"wp_note_change({quoted})"
                if table == users and event == "UPDATE":  # a sign-in changes nothing a page shows
                    rows, how = "OLD TABLE AS old_rows NEW", "wp_note_change('user-shown')"
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER "wp_note_{event.lower()}" AFTER {event} ON "{table}" '
                    f"REFERENCING {rows} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION {how}"
                )
    return len(watched)


def watched_tables() -> dict[str, tuple[str, ...]]:
    """Each watched table and how its rows name their organization (the trigger's arguments):
    ('own', column) a column of its own; ('via', column, table) a foreign key to a table that
    has one; ('user', column) a user, whose memberships say which; ('everyone',) none."""
    organization = apps.get_model("roles", "Organization")
    user = apps.get_model(settings.AUTH_USER_MODEL)
    models: list[type[Model]] = [user]
    for label in APPS:
        models += list(apps.get_app_config(label).get_models(include_auto_created=True))
    out: dict[str, tuple[str, ...]] = {}
    for model in models:
        if model._meta.proxy or not model._meta.managed:
            continue
        out[model._meta.db_table] = _owner(model, organization, user)
    return out


def _owner(model: type[Model], organization: type[Model], user: type[Model]) -> tuple[str, ...]:
    if model is organization:
        return ("own", "id")
    if model is user:
        return ("user", "id")
    columns = {field.column: field for field in model._meta.concrete_fields}
    if "organization_id" in columns:
        return ("own", "organization_id")
    keys = [field for field in model._meta.concrete_fields if isinstance(field, ForeignKey)]
    for field in keys:
        parent = field.related_model
        if parent is organization:
            return ("own", field.column)
        if any(f.column == "organization_id" for f in parent._meta.concrete_fields):
            return ("via", field.column, parent._meta.db_table)
    for field in keys:
        if field.related_model is user:
            return ("user", field.column)
    return ("everyone",)


# --- serving -----------------------------------------------------------------------------------


def serve(
    request: HttpRequest, state: State | None, render: Callable[[], HttpResponse], *, fresh: str = DAY
) -> HttpResponse:
    """The stored answer to this request at this state, or `render()`'s, stored for the next."""
    if state is None or request.method != "GET" or _has_messages(request):
        return render()
    key = page_key(request, state, fresh)
    stored = _get(key)
    if stored is not None:
        return _answer(request, stored)
    response = render()
    if _storable(response) and not _has_messages(request):  # a message the view added is shown once
        _set(key, _stored(request, response))
    return response


def serve_data(request: Any, state: State | None, produce: Callable[[], Any], *, fresh: str = DAY) -> Any:
    """For the API (a DRF request after its permission check): the stored answer to this read at
    this state, or `produce()`'s DRF Response, stored. JSON is stored rendered (a hit costs a
    cache read); another format (the browsable API) is stored as data and rendered each time."""
    from rest_framework.response import Response

    if state is None or request.method != "GET":
        return produce()
    key = page_key(request, state, fresh, api=True)
    stored = _get(key)
    if stored is not None:
        status, body, headers = stored
        if isinstance(body, bytes):
            return _response(body, status, headers)
        return Response(body, status=status, headers=dict(headers))
    response = produce()
    if response.status_code != 200 or not isinstance(response, Response):
        return response
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-type", "vary", "allow")]
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        _set(key, (response.status_code, response.data, headers))
        return response
    context = {"request": request, "response": response, "view": None}
    body = renderer.render(response.data, request.accepted_media_type, context)
    headers.append(("Content-Type", renderer.media_type))
    _set(key, (response.status_code, body, headers))
    return _response(body, response.status_code, headers)


@functools.cache
def code_version() -> str:
    """What this process serves: the `RELEASE` setting if there is one, else a digest of the
    code, templates and static files as they are on disk (names, sizes, modification times). A
    deploy changes it, so an answer stored by the code before is never served by the code after."""
    release = getattr(settings, "RELEASE", "")
    if release:
        return str(release)
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def page_key(request: HttpRequest, state: State, fresh: str, *, api: bool = False) -> str:
    now = timezone.now()
    moment = now.strftime("%Y%m%d%H%M") if fresh == MINUTE else timezone.localdate(now).isoformat()
    varies = sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("hx-"))
    if api:
        varies.append(("accept", request.headers.get("Accept", "")))
    user = getattr(request, "user", None)
    parts = [code_version(), state.key, str(getattr(user, "pk", "")), request.get_full_path(), repr(varies), moment]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"state-page:{'api' if api else 'page'}:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    try:
        return len(messages.get_messages(request)) > 0  # counts without marking them shown
    except Exception:  # no message middleware (a bare test request)
        return False


def _storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    kind = response.get("Content-Type", "")
    return kind.startswith("text/html") or kind.startswith("application/json")


def _stored(request: HttpRequest, response: HttpResponse) -> tuple[int, bytes, list[tuple[str, str]]]:
    content = response.content
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        for token in set(_CANDIDATE.findall(content)):
            if _unmask_cipher_token(token.decode()) == secret:
                content = content.replace(token, CSRF_PLACEHOLDER)
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
    return response.status_code, content, headers


def _answer(request: HttpRequest, stored: tuple[int, bytes, list[tuple[str, str]]]) -> HttpResponse:
    status, content, headers = stored
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    return _response(content, status, headers)


def _response(content: bytes, status: int, headers: list[tuple[str, str]]) -> HttpResponse:
    """A stored answer as a response: its body, status and the view's headers."""
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # the cache down: render
        logger.warning("The page cache could not be read", exc_info=True)
        return None


def _set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, TTL)
    except Exception:
        logger.warning("The page cache could not be written", exc_info=True)
