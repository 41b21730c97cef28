"""The cast every test can call on (STYLE §8).

`org` is the organization under test with an admin, a leader and a stakeholder
(a Customer Success manager with a linked user); `outsider` is a leader of
another organization, who must see nothing of `org` (404 everywhere).
"""

from __future__ import annotations

import os

import pytest
from django.test import Client

from roles.models import Function, Membership

from .factories import (
    FunctionFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls in
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-for-tests-1"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`make test` runs `-n auto`), give each worker process what it must not
    share with the other: pytest-django already suffixes its test database (`…_gw0`); here it
    gets caches of its own — a Redis database (a test that clears the cache, or a Celery worker's
    queue, must not reach the other's) or, in embedded mode, folders of its own for the file
    caches (two test databases number their jobs and organizations alike, and progress and web
    layouts are cached by those numbers) — and a media folder of its own (exports are numbered
    alike too). Children the tests start (Celery workers) inherit it through REDIS_URL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    index = int(worker[2:])
    if settings.REDIS_URL:
        url = redis_database(settings.REDIS_URL, index)
        os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    for cache in settings.CACHES.values():
        if settings.REDIS_URL:
            cache["LOCATION"] = settings.REDIS_URL
        elif cache["BACKEND"].endswith("FileBasedCache"):
            cache["LOCATION"] = f"{cache['LOCATION']}-test-{worker}"
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / f"test-{worker}"
    os.environ["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)


def redis_database(url: str, index: int) -> str:
    """The Redis URL of worker `index`: the next databases after the one `url` names (of 16)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    base = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{(base + 1 + index) % 16}").geturl()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every transactional test restores the migrated rows after it (serialized rollback).

    Without it, the flush after the test makes the content types and permissions again, and the
    next test that restores them meets them twice: one such test failed 44 others in a full run.
    """
    unrestored = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("django_db")
        transactional = bool({"transactional_db", "live_server"} & names) or bool(
            marker and marker.kwargs.get("transaction")
        )
        restored = "django_db_serialized_rollback" in names or bool(marker and marker.kwargs.get("serialized_rollback"))
        if transactional and not restored:
            unrestored.append(item.nodeid)
    if unrestored:
        raise pytest.UsageError(
            "Transactional tests must use serialized rollback "
            "(pytest.mark.django_db(transaction=True, serialized_rollback=True)): " + ", ".join(unrestored[:10])
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Rebuild the read model from the rows the fixtures wrote, before the test body runs.

    Fixtures build raw rows (factories, then `.update(created_at=…)` to date them) that no
    service wrote, so nothing maintained the review pairs and counters: a rebuild brings the
    model to what `rebuild_read_model` would make of them, as after a raw load. What the test
    body then writes goes through services (or the factories, which call the same hooks), and
    tests of the maintenance itself are marked `raw_read_model` to see only what it did.
    Tests on a world built once per module (tests/security) are marked `read_model_built`: the
    world rebuilt it once, and each test's writes are undone with its savepoint; rebuilding two
    organizations before each of their thousands of requests was half of those tests' time.
    """
    names = getattr(item, "fixturenames", ())
    uses_db = bool({"db", "transactional_db"} & set(names)) or item.get_closest_marker("django_db") is not None
    if item.get_closest_marker("raw_read_model") or item.get_closest_marker("read_model_built") or not uses_db:
        return
    from layers.readmodel.oracle import rebuild_everything

    rebuild_everything()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Analytics", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", slug="globex")


def _member(org, access: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=org, access=access)
    return user


@pytest.fixture
def admin_user(org):
    return _member(org, Membership.Access.ADMIN, "admin@acme.test")


@pytest.fixture
def leader(org):
    return _member(org, Membership.Access.LEADER, "leader@acme.test")


@pytest.fixture
def cs_function(org):
    return FunctionFactory(organization=org, name="Customer Success", category=Function.Category.CUSTOMER_FACING)


@pytest.fixture
def stakeholder_user(org, cs_function):
    user = _member(org, Membership.Access.STAKEHOLDER, "cs@acme.test")
    StakeholderFactory(function=cs_function, email=user.email, full_name="Casey Success", user=user)
    return user


@pytest.fixture
def outsider(other_org):
    return _member(other_org, Membership.Access.LEADER, "leader@globex.test")


# --- the world: the product and functions many modules share (one copy, issue 17) ----------------


@pytest.fixture
def insights(org):
    """Acme's product Insights Cloud (slug insights), nothing mapped on it yet."""
    return ProductFactory(organization=org, name="Insights Cloud", slug="insights")


@pytest.fixture
def pm(org):
    return FunctionFactory(organization=org, name="Product Management", category=Function.Category.BUILDING)


@pytest.fixture
def engineering(org):
    return FunctionFactory(organization=org, name="Engineering", category=Function.Category.BUILDING)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def leader_client(leader):
    return client_for(leader)


@pytest.fixture
def stakeholder_client(stakeholder_user):
    return client_for(stakeholder_user)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


@pytest.fixture
def celery_worker_process(transactional_db, django_db_serialized_rollback, tmp_path):
    """A real `celery worker` subprocess on the test database and the broker, on a queue of its own.

    The test runs in a committed (transactional) database, so the worker sees its rows;
    serialized rollback first restores what migrations created (the four layers, the
    schedules) in case an earlier transactional test flushed it.

    Tasks sent without an explicit queue during the test go to that queue, so two test
    runs on one broker never take each other's tasks. The worker must open the database
    the test reads: PostgreSQL (its test database is shared by name) or a file-based
    SQLite test database; pytest's default in-memory SQLite skips (fails under
    REQUIRE_SERVICES=1). Stop it early, or kill it, with `.stop(sig=...)`.
    """
    import uuid

    from django.conf import settings

    from wholeproduct.celery import app

    from .services import require_postgres
    from .workers import child_env, database_url_for, start_celery_worker

    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    if db["ENGINE"] == "django.db.backends.postgresql":
        env = child_env(DATABASE_URL=database_url_for(name), CELERY_TASK_ALWAYS_EAGER="0")
    elif name != ":memory:" and "mode=memory" not in name:
        env = child_env(SQLITE_PATH=name, WHOLEPRODUCT_STATE_DIR=str(settings.STATE_DIR), CELERY_TASK_ALWAYS_EAGER="0")
    else:
        require_postgres()  # an in-memory database is invisible to another process
    queue = f"test-{uuid.uuid4().hex[:12]}"
    saved = (app.conf.task_default_queue, app.conf.task_always_eager)
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    worker = start_celery_worker(env, log_path=tmp_path / "celery-worker.log", queue=queue)
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_default_queue, app.conf.task_always_eager = saved


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the whole session (skips without it; fails under REQUIRE_SERVICES=1)."""
    from .services import require_chromium

    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, settings):
    """A fresh browser context per test: no cookie or session carries over.

    The live server speaks plain http, so secure-only cookies would never come back
    and the https redirect would lead nowhere: both are off for browser tests.
    """
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Hash test passwords with MD5: the real hasher costs ~0.3 s a user, and tests make hundreds."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _prepared_statements_checked():
    """Every call of a prepared builder (shared/prepared.py) is also built the ordinary way and
    its SQL and parameters compared: a prepared statement that differs fails the test it is in."""
    from django.conf import settings

    settings.PREPARED_CHECK = True


@pytest.fixture(autouse=True, scope="session")
def _production_mode_test_overrides():
    """Let the suite run unchanged in production mode (DATABASE_URL set, as in CI).

    There, DEBUG is off, so settings pick WhiteNoise's manifest storage, which needs a
    collectstatic build (the Dockerfile makes one; it costs ~45 s), and redirect every
    http request to https. Tests render templates from the source tree and speak plain
    http; tests/test_settings.py checks the production values themselves.
    """
    from django.conf import settings
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    with override_settings(STORAGES=storages, SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture
def drawn(settings):
    """Pages and API reads drawn by their views every time, the state cache bypassed
    (roles.statecache): for the tests that count what a view itself does (its queries at two
    sizes), which a second request answered from the cache would hide."""
    settings.STATE_CACHE = False


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (their email lands in `mail.outbox`).

    Tasks queued with transaction.on_commit still wait for the commit: wrap the action in
    `django_capture_on_commit_callbacks(execute=True)` (or use a transactional test).
    """
    from wholeproduct.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True, scope="session")
def _one_database_connection_per_thread():
    """Keep Django's connections per thread while Playwright's sync API is running.

    Playwright runs an asyncio loop in the test thread, so `asyncio.get_running_loop()`
    answers there too and Django's thread-critical Local switches the main thread to a
    second, context-local set of connections: their test-database state (serialized
    rollback contents) is missing, and the first set stays open until the PostgreSQL
    test database cannot be dropped. No test runs database code in real async tasks,
    so a plain thread-local is the faithful model here.
    """
    import contextlib
    import threading

    from django.db import connections

    storage = threading.local()
    for alias in connections:
        with contextlib.suppress(AttributeError):
            setattr(storage, alias, getattr(connections._connections, alias))
    connections._connections = storage
    yield


@pytest.fixture(autouse=True)
def _reference_layers(request):
    """The four layers come from a data migration; a transactional test's flush empties them.

    Every transactional test (live server, worker, transaction=True) gets them back after
    pytest-django has set its database up, whatever ran before it.
    """
    marker = request.node.get_closest_marker("django_db")
    wants = {"transactional_db", "live_server"} & set(request.fixturenames)
    if not (wants or (marker and marker.kwargs.get("transaction"))):
        return
    request.getfixturevalue("_django_db_helper")
    from .factories import ensure_layers

    ensure_layers()
