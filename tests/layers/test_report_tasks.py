"""The build tasks: one snapshot per task however often it runs, retries only on transient
database errors, and the nightly fan-out claiming each product's build once."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django_celery_results.models import TaskResult

from layers.models import CoverageReport
from layers.services import reports as services
from layers.tasks import reports as tasks
from tests.factories import OrganizationFactory, ProductFactory, ensure_layers
from wholeproduct.celery import app

from .reports_scenario import SCORE, insights


@pytest.fixture
def scenario(org):
    return insights(org)


@pytest.fixture
def queued(monkeypatch):
    """Record what build_all_reports sends instead of sending it."""
    sent: list[dict] = []

    def fake_apply_async(*, kwargs, task_id):
        sent.append({"task_id": task_id, **kwargs})

    monkeypatch.setattr(tasks.build_report, "apply_async", fake_apply_async)
    return sent


def test_the_build_task_uses_its_own_id_as_the_run_key(scenario, leader):
    result = tasks.build_report.apply(
        kwargs={"product_id": scenario.product.pk, "trigger": "manual", "requested_by_id": leader.pk}, task_id="t-1"
    )

    report = CoverageReport.objects.get(pk=result.get())
    assert (report.run_key, report.score, report.requested_by) == ("t-1", SCORE, leader)


def test_the_same_build_task_run_twice_leaves_one_snapshot(scenario):
    """A message redelivered after its worker died runs again with the same id."""
    kwargs = {"product_id": scenario.product.pk, "trigger": "manual"}
    first = tasks.build_report.apply(kwargs=kwargs, task_id="redelivered").get()
    second = tasks.build_report.apply(kwargs=kwargs, task_id="redelivered").get()

    assert first == second
    assert CoverageReport.objects.filter(product=scenario.product).count() == 1


def test_a_scheduled_build_keeps_its_slot_as_the_run_key(scenario):
    kwargs = {"product_id": scenario.product.pk, "trigger": "schedule", "run_key": "schedule:2025-11-03:02h"}
    tasks.build_report.apply(kwargs=kwargs, task_id="schedule:2025-11-03:02h:1").get()
    assert CoverageReport.objects.get().run_key == "schedule:2025-11-03:02h"


def test_a_product_deleted_before_its_build_runs_is_skipped_not_retried(db, monkeypatch):
    calls = []
    original = services.build_report
    monkeypatch.setattr(services, "build_report", lambda **kw: calls.append(kw) or original(**kw))

    result = tasks.build_report.apply(kwargs={"product_id": 987654, "trigger": "manual"}, task_id="gone")

    assert result.successful() and result.get() is None
    assert len(calls) == 1


@pytest.mark.parametrize("error", [OperationalError("database is locked"), InterfaceError("connection already closed")])
def test_a_transient_database_error_is_retried(scenario, monkeypatch, error):
    original = services.build_report
    attempts = []

    def flaky(**kwargs):
        attempts.append(kwargs["run_key"])
        if len(attempts) == 1:
            raise error
        return original(**kwargs)

    monkeypatch.setattr(services, "build_report", flaky)

    result = tasks.build_report.apply(kwargs={"product_id": scenario.product.pk, "trigger": "manual"}, task_id="t")

    assert result.successful()
    assert attempts == ["t", "t"]  # the retry keeps the run key: still one snapshot
    assert CoverageReport.objects.filter(run_key="t").count() == 1


def test_any_other_error_fails_without_a_retry(scenario, monkeypatch):
    attempts = []

    def broken(**kwargs):
        attempts.append(1)
        raise ValueError("a bug")

    monkeypatch.setattr(services, "build_report", broken)

    result = tasks.build_report.apply(kwargs={"product_id": scenario.product.pk, "trigger": "manual"})

    assert result.failed() and isinstance(result.result, ValueError)
    assert attempts == [1]


def test_the_tasks_are_late_acked_bounded_and_retry_only_transient_errors():
    for task in (tasks.build_report, tasks.build_all_reports):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.autoretry_for == (OperationalError, InterfaceError)
        assert task.retry_backoff and task.max_retries == 5
        assert 0 < task.soft_time_limit < task.time_limit <= app.conf.task_time_limit
    assert {"layers.build_report", "layers.build_all_reports"} <= set(app.tasks)


# --- the nightly fan-out ------------------------------------------------------------------------


def test_build_all_reports_queues_one_build_per_product_of_every_organization(db, queued):
    products = [ProductFactory(organization=OrganizationFactory()) for _ in range(3)]

    count = tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get()

    assert count == 3
    assert sorted(item["product_id"] for item in queued) == sorted(p.pk for p in products)
    run_key = queued[0]["run_key"]
    assert run_key.startswith("schedule:") and run_key.endswith(":nightly")
    assert {item["trigger"] for item in queued} == {"schedule"}
    assert {item["task_id"] for item in queued} == {f"{run_key}:{p.pk}" for p in products}


def test_build_all_reports_run_twice_queues_each_product_once(db, queued):
    products = [ProductFactory() for _ in range(4)]

    first = tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get()
    second = tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get()

    assert (first, second) == (4, 0)
    assert sorted(item["product_id"] for item in queued) == sorted(p.pk for p in products)


def test_a_product_claimed_by_another_dispatcher_is_left_to_it(db, queued):
    """The race itself: the other dispatcher inserted the claim between our look and our insert."""
    mine, theirs = ProductFactory(), ProductFactory()
    run_key = services.schedule_run_key(now=timezone.now(), slot="nightly")
    TaskResult.objects.create(task_id=f"{run_key}:{theirs.pk}", status="PENDING")

    tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get()

    assert [item["product_id"] for item in queued] == [mine.pk]


def test_a_product_already_built_for_the_slot_is_not_queued_again(scenario, queued):
    run_key = services.schedule_run_key(now=timezone.now(), slot="nightly")
    services.build_report(product_id=scenario.product.pk, trigger="schedule", run_key=run_key)

    assert tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get() == 0
    assert queued == []


def test_a_scheduled_run_builds_every_snapshot_end_to_end(scenario):
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        tasks.build_all_reports.apply(kwargs={"slot": "nightly"}).get()
    finally:
        app.conf.task_always_eager = saved
    report = CoverageReport.objects.get(product=scenario.product)
    assert (report.trigger, report.score) == ("schedule", SCORE)


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_the_same_moment_queue_each_product_once(queued):
    """Two threads, two database connections, released together (PostgreSQL: real concurrency)."""
    from tests.services import require_postgres

    require_postgres()
    ensure_layers()
    products = [ProductFactory() for _ in range(25)]
    start = threading.Barrier(2)
    slot = f"race{uuid.uuid4().hex[:8]}"
    counts: list[int] = []

    def dispatch() -> None:
        try:
            start.wait()
            counts.append(tasks.build_all_reports.apply(kwargs={"slot": slot}).get())
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(counts) == 25
    assert sorted(item["product_id"] for item in queued) == sorted(p.pk for p in products)


# --- a real worker ------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_on_redis_builds_the_report_queued_through_the_page(org, leader, request):
    from tests.conftest import client_for
    from tests.services import require_redis

    require_redis()  # before the worker starts: without Redis this skips (fails under REQUIRE_SERVICES=1)
    celery_worker_process = request.getfixturevalue("celery_worker_process")
    ensure_layers()
    scenario = insights(org)
    client = client_for(leader)

    response = client.post("/o/acme/reports/build/", {"product": "insights"}, headers={"HX-Request": "true"})
    assert response.status_code == 202
    task_id = response.context["job"].job_id

    deadline = time.monotonic() + 60
    while not TaskResult.objects.filter(task_id=task_id, status="SUCCESS").exists():
        assert time.monotonic() < deadline, celery_worker_process.log()[-3000:]
        time.sleep(0.25)
    report = CoverageReport.objects.get(run_key=task_id)
    assert (report.product, report.score, report.requested_by) == (scenario.product, SCORE, leader)
    row = TaskResult.objects.get(task_id=task_id)
    assert row.worker.startswith(celery_worker_process.queue)

    poll = client.get(f"/o/acme/reports/jobs/{task_id}/", headers={"HX-Request": "true"})
    assert "1 report built" in poll.text
    assert 'hx-trigger="every 1s"' not in poll.text  # finished: the partial stops polling
