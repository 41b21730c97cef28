"""Celery: its configuration, real worker processes, and beat in embedded mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django_celery_results.models import TaskResult

from layers.models import Layer
from wholeproduct.celery import app, ping

from .workers import embedded_env, start_celery_worker


def test_tasks_travel_as_json_and_are_acknowledged_after_they_run():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.accept_content == ["json"]
    # A worker killed mid-task leaves the message on the broker for another worker.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_are_bounded_in_time_and_results_kept_in_the_database():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.result_backend == "django-db"
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.services
def test_a_task_round_trips_through_a_real_worker(celery_worker_process):
    token = uuid.uuid4().hex

    result = ping.delay(token)

    assert result.get(timeout=30) == token
    row = TaskResult.objects.get(task_id=result.id)
    assert row.status == "SUCCESS"
    assert row.task_name == "wholeproduct.ping"
    assert row.worker.startswith(celery_worker_process.queue)  # this test's worker, not another


@pytest.mark.services
def test_the_worker_fixture_starts_from_the_migrated_reference_data(celery_worker_process):
    # Earlier transactional tests flush every table; the fixture restores what migrations made.
    assert list(Layer.objects.values_list("key", flat=True)) == ["core", "expected", "augmented", "potential"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_worker_leaves_no_process_behind(tmp_path, sig):
    worker = start_celery_worker(embedded_env(tmp_path / "state"), log_path=tmp_path / "worker.log", concurrency=2)
    assert worker.alive()

    code = worker.stop(sig=sig)

    assert code == (0 if sig == signal.SIGTERM else -signal.SIGKILL)
    assert not _group_alive(worker.pid)  # the pool processes went with it


SCHEDULE_A_PING = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.create(name="ping", task="wholeproduct.ping", args='["from-beat"]', interval=every_second)
"""


def _wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@pytest.mark.slow
def test_beat_sends_database_scheduled_tasks_to_a_worker_in_embedded_mode(tmp_path):
    # The trio `make run` starts, on SQLite and the filesystem broker: a periodic task
    # stored in the database is sent by beat and run by the worker.
    env = embedded_env(tmp_path / "state")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "shell", "-v", "0", "-c", SCHEDULE_A_PING], cwd=settings.BASE_DIR, env=env, check=True)
    worker = start_celery_worker(env, log_path=tmp_path / "worker.log")
    beat_log = tmp_path / "beat.log"
    with beat_log.open("wb") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wholeproduct", "beat", "--loglevel", "INFO"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "'from-beat'" in worker.log(), timeout=60, what="the worker to run beat's task")
        beat.send_signal(signal.SIGTERM)
        assert beat.wait(timeout=20) == 0
    finally:
        if beat.poll() is None:
            beat.kill()
            beat.wait()
        worker.stop()
    assert "django_celery_beat.schedulers.DatabaseScheduler" in beat_log.read_text()
    assert "Scheduler: Sending due task ping (wholeproduct.ping)" in beat_log.read_text()
    assert "Task wholeproduct.ping[" in worker.log() and "succeeded" in worker.log()
