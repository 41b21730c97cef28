"""Celery faults (issue 8 item 4): what happens to a report build when a worker dies.

The configuration that makes it safe is asserted first: late acks, requeue on a lost
worker, one message prefetched at a time, time limits on every task, and a Redis
visibility timeout longer than the longest task (else Redis hands a task still running
to a second worker). Then real workers show it: one SIGKILLed in the middle of a build
leaves nothing, the next one runs the same message again and leaves exactly one
snapshot; a message delivered twice leaves one snapshot too.

"In the middle" is made deterministic without any hook in the code under test: the test
holds a SHARE lock on the snapshot table from a connection of its own, so the worker
reads, computes and then waits on its INSERT, which PostgreSQL shows in
pg_stat_activity. The worker is killed there. The dead worker's message would come back
after the visibility timeout (an hour); the test ages its entry in Redis's unacked index
instead of waiting, which is exactly the clock that timeout reads.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_results.models import TaskResult

from layers.models import CoverageReport
from layers.tasks import reports as tasks
from roles.models import ImportJob, Stakeholder
from roles.services import imports
from tests.factories import ensure_layers
from tests.layers.reports_scenario import SCORE, insights
from wholeproduct import jobs, task_limits
from wholeproduct.jobs import RUNNING_REASON

from .services import require_postgres, require_redis
from .workers import embedded_env, start_celery_worker

PRODUCTION = {
    "DATABASE_URL": "postgres://wpm:secret@db.internal:5432/wholeproduct",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECRET_KEY": "a-production-secret",
}

# Every registered task's limits and the broker's visibility timeout, as production mode sets them.
PROBE = """
import json, django
django.setup()
from wholeproduct.celery import app
app.loader.import_default_modules()
conf = app.conf
tasks = {name: [t.soft_time_limit, t.time_limit] for name, t in app.tasks.items() if not name.startswith("celery.")}
print(json.dumps({
    "acks_late": conf.task_acks_late,
    "reject_on_worker_lost": conf.task_reject_on_worker_lost,
    "prefetch": conf.worker_prefetch_multiplier,
    "soft_time_limit": conf.task_soft_time_limit,
    "time_limit": conf.task_time_limit,
    "broker": conf.broker_url,
    "visibility_timeout": conf.broker_transport_options.get("visibility_timeout"),
    "tasks": tasks,
}))
"""

SNAPSHOT_TABLE = CoverageReport._meta.db_table
PEOPLE_TABLE = Stakeholder._meta.db_table
WAIT = 90.0  # seconds: a loaded CI machine starts a worker in ~10 s


def _production_celery_conf(tmp_path) -> dict:
    env = embedded_env(tmp_path / "state") | PRODUCTION
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_celery_survives_a_lost_worker_and_never_runs_a_task_twice_at_once(tmp_path):
    conf = _production_celery_conf(tmp_path)

    assert conf["broker"] == PRODUCTION["REDIS_URL"]
    assert (conf["acks_late"], conf["reject_on_worker_lost"], conf["prefetch"]) == (True, True, 1)
    assert 0 < conf["soft_time_limit"] < conf["time_limit"]
    assert "layers.build_report" in conf["tasks"] and "layers.build_all_reports" in conf["tasks"]
    longest = conf["time_limit"]
    for name, (soft, hard) in conf["tasks"].items():
        hard = hard or conf["time_limit"]
        assert hard <= conf["time_limit"], f"{name} may run longer than the global time limit"
        assert (soft or conf["soft_time_limit"]) < hard, f"{name} gets no soft time limit before its hard one"
        longest = max(longest, hard)
    # Redis hands an unacknowledged message to another worker after this long: a task still
    # running then would run twice at once.
    assert conf["visibility_timeout"] > longest
    # ...and not much longer: a dead worker's task comes back after it (it was an hour).
    assert conf["visibility_timeout"] == longest + 60 == 660


# --- real workers ---------------------------------------------------------------------------------


def _wait_for(predicate: Callable[[], object], *, what: str, log: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}\n{log()[-3000:]}"
        time.sleep(0.2)


@contextlib.contextmanager
def inserts_held(table: str = SNAPSHOT_TABLE) -> Iterator[None]:
    """Hold a SHARE lock on `table` from a connection of our own: reads go on, an INSERT into
    it waits until the block ends."""
    import psycopg2

    params = connection.get_connection_params()
    holder = psycopg2.connect(**params)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        yield
    finally:
        holder.rollback()
        holder.close()


def _backends_inserting(*, waiting: bool, table: str = SNAPSHOT_TABLE) -> int:
    """Other backends of this database whose (last) query inserts into `table`; `waiting`: only
    those blocked on a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND query LIKE %s AND (NOT %s OR wait_event_type = 'Lock')",
            [f'INSERT INTO "{table}"%', waiting],
        )
        return cursor.fetchone()[0]


def _age_unacked_message(task_id: str = "", *, task: str = "") -> int:
    """Make the broker see the unacknowledged delivery of `task_id` (or of any `task` by name) as
    older than the visibility timeout, as if that time had passed; return how many were aged."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    aged = 0
    for tag, raw in client.hscan_iter("unacked"):
        headers = json.loads(raw)[0].get("headers", {})
        if (task_id and headers.get("id") == task_id) or (task and headers.get("task") == task):
            aged += client.zadd("unacked_index", {tag: 1}, xx=True, ch=True)
    return aged


def _succeeded(task_id: str) -> bool:
    return TaskResult.objects.filter(task_id=task_id, status="SUCCESS").exists()


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_in_the_middle_of_a_build_leaves_one_snapshot_built_by_the_next_worker(org, request, tmp_path):
    require_postgres()
    require_redis()
    first = request.getfixturevalue("celery_worker_process")
    ensure_layers()
    scenario = insights(org)
    task_id = f"fault-{uuid.uuid4().hex}"
    kwargs = {"product_id": scenario.product.pk, "trigger": "manual"}

    with inserts_held():
        tasks.build_report.apply_async(kwargs=kwargs, task_id=task_id)
        _wait_for(
            lambda: _backends_inserting(waiting=True) == 1,
            what="the build to reach its write",
            log=first.log,
        )
        assert first.stop(sig=signal.SIGKILL) == -signal.SIGKILL
    # The killed worker's transaction never committed: its backend finds the client gone and rolls back.
    _wait_for(lambda: _backends_inserting(waiting=False) == 0, what="the dead worker's backend to go")
    assert not CoverageReport.objects.filter(product=scenario.product).exists()
    assert not _succeeded(task_id)

    assert _age_unacked_message(task_id) == 1  # still on the broker, unacknowledged
    second = start_celery_worker(first.env, log_path=tmp_path / "second-worker.log", queue=first.queue)
    try:
        _wait_for(lambda: _succeeded(task_id), what="the next worker to run the message again", log=second.log)
    finally:
        second.stop()

    report = CoverageReport.objects.get(product=scenario.product)
    assert (report.run_key, report.score) == (task_id, SCORE)
    assert f"layers.build_report[{task_id}] received" in second.log()
    assert TaskResult.objects.get(task_id=task_id).worker.startswith(first.queue)


PEOPLE = 50


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_in_the_middle_of_an_import_leaves_a_failed_job_whose_retry_imports_once(
    org, request, tmp_path
):
    require_postgres()
    require_redis()
    first = request.getfixturevalue("celery_worker_process")
    rows = [f"Fault Person {n:02d},fault{n:02d}@acme.test,Analyst,Fault Finding" for n in range(PEOPLE)]
    content = "\n".join(["Full Name,Email,Job Title,Department", *rows]).encode()
    job = imports.start_import(organization=org, by=None, filename="people.csv", content=content)
    people = Stakeholder.objects.filter(organization=org, email__startswith="fault")

    with inserts_held(PEOPLE_TABLE):
        imports.queue_import(job=job)
        _wait_for(
            lambda: _backends_inserting(waiting=True, table=PEOPLE_TABLE) == 1,
            what="the import to reach its write",
            log=first.log,
        )
        assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.RUNNING
        assert first.stop(sig=signal.SIGKILL) == -signal.SIGKILL
    _wait_for(lambda: _backends_inserting(waiting=False, table=PEOPLE_TABLE) == 0, what="the dead worker's backend")
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.RUNNING  # stranded
    assert not people.exists()

    later = timezone.now() + timedelta(seconds=task_limits.VISIBILITY_TIMEOUT + 1)
    assert jobs.sweep(now=later) == {"roles.ImportJob:roles.commit_import": [job.pk]}
    job.refresh_from_db()
    assert (job.state, job.error) == (ImportJob.State.FAILED, RUNNING_REASON.format(minutes=11))

    # The retry queues a second message; the broker hands the first one out again too (its
    # visibility timeout, aged here). Whichever runs first imports; the other finds it done.
    imports.queue_import(job=job)
    assert _age_unacked_message(task="roles.commit_import") == 1
    second = start_celery_worker(first.env, log_path=tmp_path / "second-worker.log", queue=first.queue)
    try:
        _wait_for(
            lambda: second.log().count("roles.commit_import[") >= 4,  # two received, two succeeded
            what="both deliveries to run",
            log=second.log,
        )
    finally:
        second.stop()
    job.refresh_from_db()
    assert (job.state, job.error, job.result["created"]) == (ImportJob.State.DONE, "", PEOPLE)
    assert people.count() == PEOPLE


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_build_message_delivered_twice_to_a_real_worker_leaves_one_snapshot(org, request):
    require_postgres()
    require_redis()
    worker = request.getfixturevalue("celery_worker_process")
    ensure_layers()
    scenario = insights(org)
    task_id = f"twice-{uuid.uuid4().hex}"
    kwargs = {"product_id": scenario.product.pk, "trigger": "manual"}

    # The broker's at-least-once delivery, made explicit: the same message (same id) sent twice.
    tasks.build_report.apply_async(kwargs=kwargs, task_id=task_id)
    tasks.build_report.apply_async(kwargs=kwargs, task_id=task_id)

    _wait_for(
        lambda: worker.log().count(f"layers.build_report[{task_id}] succeeded") == 2,
        what="both deliveries to run",
        log=worker.log,
    )
    reports = CoverageReport.objects.filter(product=scenario.product)
    assert [(r.run_key, r.score) for r in reports] == [(task_id, SCORE)]
    assert TaskResult.objects.get(task_id=task_id).result == str(reports.get().pk)
