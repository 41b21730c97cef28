"""docker-compose.yml and the Dockerfile, read as data (no Docker engine runs here).

What is checked is what `docker compose up` relies on: five services from one image,
each started by the right command, with the environment production mode requires,
in the right order (databases healthy first), as a user that is not root.
"""

from __future__ import annotations

import re

import pytest
import yaml
from django.conf import settings

APP_SERVICES = ("web", "worker", "beat")
REQUIRED_ENV = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (settings.BASE_DIR / "Dockerfile").read_text()


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_runs_the_five_services(services):
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_redis_is_bounded_and_evicts_only_what_expires(services):
    command = services["redis"]["command"]
    policy = command[command.index("--maxmemory-policy") + 1]
    assert "--maxmemory" in command
    # volatile-*: only keys with an expiry (cached answers, sessions' copies, progress) are evicted;
    # allkeys-* could evict a Celery queue and lose the tasks in it.
    assert policy == "volatile-lru"


def test_web_worker_and_beat_share_one_image_built_once(services):
    assert {services[name]["image"] for name in APP_SERVICES} == {"wholeproduct:latest"}
    assert services["web"]["build"] in (".", {"context": "."})
    assert [name for name in services if "build" in services[name]] == ["web"]


def test_web_migrates_then_serves_with_gunicorn(services):
    command = command_of(services["web"])

    assert "manage.py migrate --noinput" in command
    assert command.index("migrate") < command.index("gunicorn wholeproduct.wsgi")
    assert services["web"]["ports"][0].endswith(":8000")


def test_worker_and_beat_run_celery_with_the_database_scheduler(services):
    assert command_of(services["worker"]).startswith("celery -A wholeproduct worker")
    beat = command_of(services["beat"])
    assert beat.startswith("celery -A wholeproduct beat")
    assert "--scheduler django_celery_beat.schedulers:DatabaseScheduler" in beat


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_gets_the_production_environment(services, name):
    environment = services[name]["environment"]

    assert set(REQUIRED_ENV) <= set(environment)
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["DATABASE_URL"].rsplit("@", 1)[1].startswith("db:5432/")
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    # No default secret: compose refuses to start without one.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_waits_for_healthy_databases(services, name):
    depends_on = services[name]["depends_on"]

    assert depends_on["db"] == {"condition": "service_healthy"}
    assert depends_on["redis"] == {"condition": "service_healthy"}


def test_worker_and_beat_wait_for_the_migrations_web_runs(services):
    assert "healthcheck" in services["web"]
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_the_databases_have_healthchecks_and_postgres_a_named_volume(compose, services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "ping" in services["redis"]["healthcheck"]["test"]
    volume = services["db"]["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]


def test_the_image_runs_as_a_user_that_is_not_root(dockerfile):
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)

    assert users, "the Dockerfile sets no USER: the containers would run as root"
    assert users[-1] not in {"root", "0", "0:0"}


def test_the_image_collects_static_files_at_build_time_with_weasyprint_libraries(dockerfile):
    instructions = dockerfile.replace("\\\n", " ").splitlines()
    run_lines = " ".join(line for line in instructions if line.startswith("RUN "))

    assert "manage.py collectstatic --noinput" in run_lines
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert library in run_lines
    assert dockerfile.index("collectstatic") < dockerfile.index("\nUSER ")


def test_the_build_context_leaves_local_state_out():
    ignored = (settings.BASE_DIR / ".dockerignore").read_text().split()

    assert {".git", ".venv", "var", "staticfiles"} <= set(ignored)
