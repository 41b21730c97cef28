"""The world of tests/security, built once per module inside a transaction that is rolled back.

Each test still runs in its own savepoint (pytest-django's `db`), so whatever a request
writes is undone before the next one; the world itself costs one build per module, which
is what lets the probe and the matrix send thousands of requests in seconds.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client, override_settings

from layers.readmodel.oracle import rebuild_everything

from .world import World, build_world

# The tables a request could write data to: the domain, accounts and tokens, the schedules.
# (Not the requester's own session or sign-in log, nor Celery's result rows.)
DATA_APPS = {"roles", "layers", "auth", "authtoken", "knox", "django_celery_beat"}
# Signing in (force_login) stamps the requester's own last_login.
NOT_DATA_COLUMNS = {("auth.user", "last_login")}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}
    with django_db_blocker.unblock(), override_settings(CACHES=cache), transaction.atomic():
        built = build_world()
        rebuild_everything()  # its tests are marked `read_model_built`: no rebuild before each
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _health_without_worker(monkeypatch):
    """/healthz also waits for a Celery worker and the broker; here only its access is under test."""
    from wholeproduct import health

    monkeypatch.setattr(health, "CHECKS", {"database": health.check_database})


def _data_tables() -> list[tuple[str, Any, list[Any]]]:
    """(label, model, columns) of every table a request could write data to."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label not in DATA_APPS or model._meta.proxy or not model._meta.managed:
            continue
        columns = [f for f in model._meta.concrete_fields if (label, f.attname) not in NOT_DATA_COLUMNS]
        tables.append((label, model, columns))
    return tables


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows: two equal fingerprints mean nothing was written.

    On PostgreSQL the database digests each table's rows (its row values as text, in key order)
    and answers every table in one query: the matrix takes a fingerprint before and after each
    of thousands of refused requests, and reading every row into Python was most of its time."""
    if connection.vendor != "postgresql":
        return _fingerprint_in_python()
    quote = connection.ops.quote_name
    parts, labels = [], []
    for label, model, columns in _data_tables():
        values = ", ".join(quote(field.column) for field in columns)
        key, table = quote(model._meta.pk.column), quote(model._meta.db_table)
        rows = f"string_agg(ROW({values})::text, ',' ORDER BY {key})"
        parts.append(f"SELECT %s, md5(COALESCE({rows}, '')) FROM {table}")  # noqa: S608 (quoted model names)
        labels.append(label)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), labels)
        return dict(cursor.fetchall())


def _fingerprint_in_python() -> dict[str, str]:
    digests = {}
    for label, model, columns in _data_tables():
        # PostgreSQL returns binary columns as memoryview, whose repr is its address: compare bytes.
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model._base_manager.order_by("pk").values_list(*(f.attname for f in columns))
        ]
        digests[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def body_text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")
