"""Jobs that recover (issue 16 item 5): the sweep of jobs a lost worker left unfinished, and the
retry their pages offer.

The clock is passed to the sweep (`now=`), so "an hour later" is a fixed instant, not a wait.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_results.models import TaskResult

from layers.models import CoverageReport
from layers.selectors.coverage import job_progress
from layers.services import reports as report_services
from roles.models import ImportJob
from wholeproduct import jobs, task_limits

from .factories import ProductFactory

State = ImportJob.State
IMPORT_DEADLINE = task_limits.limits_of("roles.commit_import").hard + task_limits.VISIBILITY_MARGIN  # 660 s
BUILD_DEADLINE = task_limits.limits_of("layers.build_report").hard + task_limits.VISIBILITY_MARGIN  # 360 s
LOST_IMPORT = (
    "The worker running this job stopped before it finished (no word from it for 11 minutes); "
    "nothing was saved. Retry it."
)
LOST_BUILD = (
    "The worker running this job stopped before it finished (no word from it for 6 minutes); "
    "nothing was saved. Retry it."
)
NEVER_TAKEN = "No worker picked this job up within 60 minutes; nothing was saved. Retry it."
HTMX = {"HX-Request": "true"}
CSV = b"Full Name,Email,Job Title,Department\nAda Lovelace,ada@acme.test,Analyst,Engineering\n"


def _import(org, state: str, *, age: float) -> ImportJob:
    job = ImportJob.objects.create(
        organization=org, filename="people.csv", file_format="csv", content=CSV, row_count=1, state=state
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(seconds=age))
    return job


# --- the limits, in one place -----------------------------------------------------------------------


def test_the_visibility_timeout_is_just_above_the_longest_hard_limit():
    longest = max(limits.hard for limits in [task_limits.DEFAULT, *task_limits.TASKS.values()])
    assert longest == 600
    assert task_limits.VISIBILITY_TIMEOUT == 660
    assert settings.CELERY_TASK_TIME_LIMIT == 600 and settings.CELERY_TASK_SOFT_TIME_LIMIT == 540


def test_every_task_takes_its_limits_from_the_one_table():
    from wholeproduct.celery import app

    app.loader.import_default_modules()
    for name, limits in task_limits.TASKS.items():
        task = app.tasks[name]
        assert (task.soft_time_limit, task.time_limit) == (limits.soft, limits.hard), name


def test_beat_sweeps_every_minute_and_imports_and_builds_are_registered():
    assert settings.CELERY_BEAT_SCHEDULE["sweep stuck jobs"] == {
        "task": "wholeproduct.sweep_stuck_jobs",
        "schedule": 60.0,
    }
    assert set(jobs.REGISTRY) >= {
        "django_celery_results.TaskResult:layers.build_report",
        "roles.ImportJob:roles.commit_import",
        "layers.ExportJob:layers.build_export",
    }


# --- imports ----------------------------------------------------------------------------------------


def test_an_import_running_past_its_limit_is_failed_with_a_reason(org):
    lost = _import(org, State.RUNNING, age=IMPORT_DEADLINE + 1)
    busy = _import(org, State.RUNNING, age=IMPORT_DEADLINE - 30)
    done = _import(org, State.DONE, age=10 * IMPORT_DEADLINE)
    now = timezone.now()

    failed = jobs.sweep(now=now)

    assert failed == {"roles.ImportJob:roles.commit_import": [lost.pk]}
    lost.refresh_from_db()
    assert (lost.state, lost.error, lost.finished_at) == (State.FAILED, LOST_IMPORT, now)
    assert ImportJob.objects.get(pk=busy.pk).state == State.RUNNING
    assert ImportJob.objects.get(pk=done.pk).state == State.DONE


def test_an_import_no_worker_took_within_an_hour_is_failed(org):
    waiting = _import(org, State.QUEUED, age=3601)
    recent = _import(org, State.QUEUED, age=IMPORT_DEADLINE + 1)  # queued: behind other work, not lost

    jobs.sweep()

    assert ImportJob.objects.get(pk=waiting.pk).error == NEVER_TAKEN
    assert ImportJob.objects.get(pk=waiting.pk).state == State.FAILED
    assert ImportJob.objects.get(pk=recent.pk).state == State.QUEUED


def test_the_sweep_is_idempotent(org):
    lost = _import(org, State.RUNNING, age=IMPORT_DEADLINE + 1)

    first, second = jobs.sweep(), jobs.sweep()

    assert (first, second) == ({"roles.ImportJob:roles.commit_import": [lost.pk]}, {})


def test_the_beat_task_sweeps(org):
    _import(org, State.RUNNING, age=IMPORT_DEADLINE + 1)
    _import(org, State.RUNNING, age=IMPORT_DEADLINE + 2)

    assert jobs.sweep_stuck_jobs.apply().get() == 2
    assert ImportJob.objects.filter(state=State.FAILED).count() == 2


def test_a_failed_import_page_offers_a_retry_that_runs_it_again(org, leader_client):
    from roles.services import imports

    job = imports.start_import(organization=org, by=None, filename="people.csv", content=CSV)
    ImportJob.objects.filter(pk=job.pk).update(state=State.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(seconds=IMPORT_DEADLINE + 1))
    jobs.sweep()
    page = f"/o/acme/import/jobs/{job.token}/"

    html = leader_client.get(page).text

    assert LOST_IMPORT in html
    assert f'action="/o/acme/import/{job.token}/commit/"' in html and "Retry the import" in html
    response = leader_client.post(f"/o/acme/import/{job.token}/commit/")
    assert response.status_code == 302 and response.url == page
    job.refresh_from_db()
    assert (job.state, job.error, job.result["created"]) == (State.DONE, "", 1)
    assert org.stakeholders.get().email == "ada@acme.test"


def test_only_editors_of_the_organization_retry_an_import(org, stakeholder_client, outsider_client):
    job = _import(org, State.FAILED, age=0)
    retry = f"/o/acme/import/{job.token}/commit/"

    assert stakeholder_client.post(retry).status_code == 403
    assert outsider_client.post(retry).status_code == 404
    assert ImportJob.objects.get(pk=job.pk).state == State.FAILED


# --- report builds ----------------------------------------------------------------------------------


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights Cloud", slug="insights")


def _age(task_id: str, status: str, seconds: float) -> None:
    TaskResult.objects.filter(task_id=task_id).update(
        status=status, date_done=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_requested_build_has_a_row_from_the_start(org, product):
    [task_id] = report_services.request_build(organization=org, product=product, trigger="manual")

    assert TaskResult.objects.filter(task_id=task_id).values_list("status", "task_name").get() == (
        "PENDING",
        "layers.build_report",
    )


def test_a_build_running_past_its_limit_is_failed_and_its_page_says_why(org, product, leader_client):
    [lost] = report_services.request_build(organization=org, product=product, trigger="manual")
    [busy] = report_services.request_build(organization=org, product=product, trigger="manual")
    _age(lost, "STARTED", BUILD_DEADLINE + 1)
    _age(busy, "STARTED", BUILD_DEADLINE - 30)

    failed = jobs.sweep()

    assert list(failed.values()) == [[TaskResult.objects.get(task_id=lost).pk]]
    row = TaskResult.objects.get(task_id=lost)
    assert (row.status, row.traceback) == ("FAILURE", LOST_BUILD)
    assert json.loads(row.result)["exc_type"] == "BuildLost"
    [task] = job_progress(organization_id=org.pk, job_id=lost).tasks
    assert (task.state, task.reason) == ("failed", LOST_BUILD)
    assert TaskResult.objects.get(task_id=busy).status == "STARTED"
    html = leader_client.get(f"/o/acme/reports/jobs/{lost}/", headers=HTMX).text
    assert LOST_BUILD in html and f'action="/o/acme/reports/jobs/{lost}/retry/"' in html
    assert "Retry 1 failed build" in html


def test_a_build_never_taken_within_an_hour_is_failed_and_one_with_its_snapshot_is_left(org, product):
    [lost, built] = [
        report_services.request_build(organization=org, product=product, trigger="manual")[0] for _ in range(2)
    ]
    report_services.build_report(product_id=product.pk, trigger="manual", run_key=built)
    _age(lost, "PENDING", 3601)
    _age(built, "PENDING", 3601)  # an eager run stores no result: its snapshot says it is done

    jobs.sweep()

    assert TaskResult.objects.get(task_id=lost).traceback == NEVER_TAKEN
    assert TaskResult.objects.get(task_id=built).status == "PENDING"
    assert [t.state for t in job_progress(organization_id=org.pk, job_id=built).tasks] == ["done"]


def test_retry_queues_the_failed_builds_again_as_a_new_job(
    org, product, leader, leader_client, eager_tasks, django_capture_on_commit_callbacks
):
    [lost] = report_services.request_build(organization=org, product=product, trigger="manual")
    _age(lost, "STARTED", BUILD_DEADLINE + 1)
    jobs.sweep()

    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(f"/o/acme/reports/jobs/{lost}/retry/")

    assert response.status_code == 302
    new_job = response.url.split("?job=")[1]
    assert response.url == f"/o/acme/reports/?job={new_job}" and new_job != lost
    report = CoverageReport.objects.get(product=product)
    assert (report.run_key, report.requested_by_id, report.trigger) == (new_job, leader.pk, "manual")
    assert [t.state for t in job_progress(organization_id=org.pk, job_id=new_job).tasks] == ["done"]


def test_retry_answers_the_progress_partial_to_htmx(org, product, leader_client):
    [lost] = report_services.request_build(organization=org, product=product, trigger="manual")
    _age(lost, "STARTED", BUILD_DEADLINE + 1)
    jobs.sweep()

    response = leader_client.post(f"/o/acme/reports/jobs/{lost}/retry/", headers=HTMX)

    assert response.status_code == 202
    new_job = response.context["job"]
    assert (new_job.total, new_job.job_id != lost) == (1, True)
    assert TaskResult.objects.get(task_id=new_job.job_id).status == "PENDING"


def test_a_job_with_nothing_failed_has_nothing_to_retry(org, product, leader_client):
    [task_id] = report_services.request_build(organization=org, product=product, trigger="manual")
    report_services.build_report(product_id=product.pk, trigger="manual", run_key=task_id)

    response = leader_client.post(f"/o/acme/reports/jobs/{task_id}/retry/", headers=HTMX)

    assert response.status_code == 400
    assert "Nothing to retry: no build of this run failed." in response.text
    assert TaskResult.objects.count() == 1


def test_only_editors_of_the_organization_retry_a_build(org, product, stakeholder_client, outsider_client):
    [lost] = report_services.request_build(organization=org, product=product, trigger="manual")
    _age(lost, "STARTED", BUILD_DEADLINE + 1)
    jobs.sweep()
    retry = f"/o/acme/reports/jobs/{lost}/retry/"

    assert stakeholder_client.post(retry).status_code == 403
    assert outsider_client.post(retry).status_code == 404
    assert outsider_client.post(f"/o/globex/reports/jobs/{lost}/retry/").status_code == 404
    assert TaskResult.objects.count() == 1


def test_retry_of_an_unknown_job_is_404(org, leader_client):
    assert leader_client.post(f"/o/acme/reports/jobs/{uuid.uuid4()}/retry/").status_code == 404
