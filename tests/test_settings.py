"""Settings read the environment, default safely, and fail loudly on a bad value (STYLE §8).

Each case imports the settings in a fresh interpreter with an environment of its own,
so nothing here depends on (or changes) the settings of the test run itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .workers import embedded_env

PRODUCTION = {
    "DATABASE_URL": "postgres://wpm:secret@db.internal:5432/wholeproduct",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECRET_KEY": "a-production-secret",
}

# Prints what the settings module decided, as JSON, or the error it raised.
PROBE = """
import json, sys
try:
    import wholeproduct.settings as s
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    sys.exit(0)
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(s.DATABASES["default"]["NAME"]),
    "DB_OPTIONS": s.DATABASES["default"].get("OPTIONS", {}),
    "CONN_MAX_AGE": s.DATABASES["default"].get("CONN_MAX_AGE"),
    "BROKER": s.CELERY_BROKER_URL,
    "BROKER_OPTIONS": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", False),
    "SECURE_SSL_REDIRECT": getattr(s, "SECURE_SSL_REDIRECT", False),
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "STATIC_ROOT_EXISTS": s.STATIC_ROOT.is_dir(),
    "STATIC_STORAGE": s.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": s.WHITENOISE_USE_FINDERS,
}))
"""


def variables_read_by_settings() -> set[str]:
    source = (settings.BASE_DIR / "wholeproduct" / "settings.py").read_text()
    return set(re.findall(r'(?:env\.\w+|_bool|_int)\("([A-Z][A-Z0-9_]*)"', source))


def load_settings(tmp_path: Path, **variables: str) -> dict:
    """Import wholeproduct.settings with nothing set but `variables` (state kept in tmp_path)."""
    env = embedded_env(tmp_path / "state")
    for name in variables_read_by_settings() - {"WHOLEPRODUCT_STATE_DIR"}:
        env.pop(name, None)
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused(answer: dict, *fragments: str) -> None:
    assert answer.get("error") == "ImproperlyConfigured", answer
    for fragment in fragments:
        assert fragment in answer["message"]


def test_embedded_mode_is_the_default(tmp_path):
    answer = load_settings(tmp_path)

    # DEBUG is off in embedded mode too (issue 15: `make run` showed Django's debug 404 page).
    assert answer["DEBUG"] is False
    assert answer["SESSION_COOKIE_SECURE"] is False  # plain http on 127.0.0.1
    assert answer["SECURE_SSL_REDIRECT"] is False
    assert answer["STATIC_STORAGE"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert answer["WHITENOISE_USE_FINDERS"] is True  # static files served with no collectstatic
    assert answer["ENGINE"] == "django.db.backends.sqlite3"
    assert answer["DB_NAME"] == str(tmp_path / "state" / "wholeproduct.sqlite3")
    assert "journal_mode=WAL" in answer["DB_OPTIONS"]["init_command"]
    assert answer["BROKER"].startswith("filesystem://")
    assert all(
        folder.startswith(str(tmp_path / "state"))
        for key, folder in answer["BROKER_OPTIONS"].items()
        if "folder" in key
    )
    assert answer["CACHE"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert answer["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert answer["STATIC_ROOT_EXISTS"] is True


def test_the_embedded_database_really_runs_in_wal_mode(tmp_path):
    env = embedded_env(tmp_path / "state")
    code = "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
    code += "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wal"


def test_embedded_mode_opts_into_debug_with_debug_1(tmp_path):
    assert load_settings(tmp_path, DEBUG="1")["DEBUG"] is True


def test_production_mode_uses_postgres_and_redis_and_hardens_cookies(tmp_path):
    answer = load_settings(tmp_path, **PRODUCTION)

    assert answer["DEBUG"] is False
    assert answer["ENGINE"] == "django.db.backends.postgresql"
    assert answer["DB_NAME"] == "wholeproduct"
    assert answer["CONN_MAX_AGE"] == 60
    assert answer["BROKER"] == PRODUCTION["REDIS_URL"]
    assert answer["CACHE"] == "wholeproduct.cache.RedisCache"
    assert answer["SESSION_COOKIE_SECURE"] is True
    assert answer["SECURE_SSL_REDIRECT"] is True
    assert answer["STATIC_STORAGE"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_lists_and_numbers_are_read_from_the_environment(tmp_path):
    answer = load_settings(tmp_path, **PRODUCTION, ALLOWED_HOSTS="map.example.com,.example.org", CONN_MAX_AGE="0")

    assert answer["ALLOWED_HOSTS"] == ["map.example.com", ".example.org"]
    assert answer["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    "variables, fragments",
    [
        pytest.param(
            {"DATABASE_URL": "mysql://root@localhost/wholeproduct", "SECRET_KEY": "k", "REDIS_URL": "redis://r/0"},
            ["DATABASE_URL must look like postgres://", "mysql://root@localhost/wholeproduct"],
            id="a-database-url-that-is-not-postgres",
        ),
        pytest.param(
            {"DATABASE_URL": "postgres://wpm@db:5432/", "SECRET_KEY": "k", "REDIS_URL": "redis://r/0"},
            ["DATABASE_URL must look like postgres://"],
            id="a-database-url-without-a-database-name",
        ),
        pytest.param(
            {"DATABASE_URL": PRODUCTION["DATABASE_URL"], "REDIS_URL": PRODUCTION["REDIS_URL"]},
            ["SECRET_KEY is required when DATABASE_URL is set", "secrets.token_urlsafe"],
            id="production-without-a-secret-key",
        ),
        pytest.param(
            {"DATABASE_URL": PRODUCTION["DATABASE_URL"], "SECRET_KEY": "k"},
            ["REDIS_URL is required when DATABASE_URL is set"],
            id="production-without-redis",
        ),
        pytest.param(
            {"REDIS_URL": "amqp://guest@localhost:5672//"},
            ["REDIS_URL must start with redis:// or rediss://", "amqp://guest@localhost:5672//"],
            id="a-redis-url-that-is-not-redis",
        ),
        pytest.param({"DEBUG": "maybe"}, ["DEBUG must be true or false, not 'maybe'"], id="a-malformed-debug"),
        pytest.param(
            {**PRODUCTION, "CONN_MAX_AGE": "forever"},
            ["CONN_MAX_AGE must be a whole number, not 'forever'"],
            id="a-malformed-number",
        ),
        pytest.param(
            {**PRODUCTION, "SECURE_COOKIES": "sometimes"},
            ["SECURE_COOKIES must be true or false"],
            id="a-malformed-flag-in-production",
        ),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(tmp_path, variables, fragments):
    assert_refused(load_settings(tmp_path, **variables), *fragments)


def test_debug_can_be_turned_off_in_embedded_mode(tmp_path):
    assert load_settings(tmp_path, DEBUG="false")["DEBUG"] is False


def test_the_readme_documents_every_variable_the_settings_read():
    readme = (settings.BASE_DIR / "README.md").read_text()
    table_rows = {line.split("|")[1].strip(" `") for line in readme.splitlines() if line.startswith("| `")}

    assert variables_read_by_settings() >= {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    assert variables_read_by_settings() - table_rows == set()
