"""`/healthz`: one JSON answer for load balancers and people, 200 only when every check passes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings

from wholeproduct import health

from .services import require_redis
from .workers import embedded_env, start_celery_worker

CHECK_NAMES = ["database", "cache", "broker", "worker"]


def _passes() -> None:
    return None


@pytest.fixture
def no_worker_needed(monkeypatch):
    """Broker and worker checks that pass without a worker (database and cache stay real)."""
    monkeypatch.setitem(health.CHECKS, "broker", _passes)
    monkeypatch.setitem(health.CHECKS, "worker", _passes)


def test_it_answers_json_with_every_check(client, db, no_worker_needed):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["checks"]) == CHECK_NAMES
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], int | float)
        assert "error" not in check


def test_it_needs_no_login_and_is_never_cached(client, db, no_worker_needed):
    response = client.get("/healthz")

    assert response.status_code == 200  # not a redirect to the login page
    assert "no-cache" in response["Cache-Control"]


def test_it_only_answers_get(client, db, no_worker_needed):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize("failing", CHECK_NAMES)
def test_it_answers_503_naming_the_failing_check(client, db, monkeypatch, failing):
    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, _passes)

    def broken() -> None:
        raise ConnectionError(f"{failing} is down")

    monkeypatch.setitem(health.CHECKS, failing, broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"][failing]["ok"] is False
    assert body["checks"][failing]["error"] == f"ConnectionError: {failing} is down"
    assert [name for name, check in body["checks"].items() if not check["ok"]] == [failing]
    assert body["failing"] == [failing]


def test_ready_is_the_same_answer_as_healthz(client, db, monkeypatch):
    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, _passes)

    def no_worker() -> None:
        raise TimeoutError("no worker answered within 5 s")

    monkeypatch.setitem(health.CHECKS, "worker", no_worker)

    for path in ("/healthz", "/healthz/ready"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.json()["failing"] == ["worker"]
        assert response.json()["checks"]["worker"]["error"] == "TimeoutError: no worker answered within 5 s"


def test_live_answers_while_every_dependency_is_down(client, monkeypatch):
    def down() -> None:
        raise ConnectionError("down")

    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, down)

    response = client.get("/healthz/live")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz/live").status_code == 405


def test_a_worker_that_answers_the_wrong_token_fails_the_check(monkeypatch):
    class WrongResult:
        def get(self, **kwargs: object) -> str:
            return "someone else's token"

        def forget(self) -> None:
            pass

    monkeypatch.setattr(health.ping, "apply_async", lambda **kwargs: WrongResult())

    with pytest.raises(RuntimeError, match="wrong token"):
        health.check_worker()


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.mark.services
def test_it_is_200_with_a_real_worker_on_redis(redis_url, celery_worker_process, client):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["worker"]["ok"] is True
    assert redis_url == settings.CELERY_BROKER_URL
    log = celery_worker_process.log()
    assert "Connected to redis://" in log
    assert "wholeproduct.ping" in log and "succeeded" in log


HEALTHZ_IN_A_SHELL = """
import json
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


@pytest.mark.slow
def test_it_is_200_in_embedded_mode_with_a_real_worker_on_the_filesystem_broker(tmp_path):
    # Everything runs in subprocesses: the worker writes its result into the embedded
    # SQLite file, which pytest's in-memory test database could not share.
    env = embedded_env(tmp_path / "state")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True)
    worker = start_celery_worker(env, log_path=tmp_path / "worker.log")
    try:
        shell = subprocess.run(
            [*manage, "shell", "-v", "0", "-c", HEALTHZ_IN_A_SHELL],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        worker.stop()

    assert shell.returncode == 0, shell.stderr
    answer = json.loads(shell.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, answer
    assert answer["body"]["checks"]["worker"]["ok"] is True
    log = worker.log()
    assert "Connected to filesystem://" in log
    assert "wholeproduct.ping" in log and "succeeded" in log
    assert (tmp_path / "state" / "wholeproduct.sqlite3").exists()
