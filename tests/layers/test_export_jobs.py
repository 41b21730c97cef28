"""PDF and XLSX of large reports are built by a worker (issue 15 item 9): the page asks, a job
page follows its progress (htmx) and gives a download link that only its admin may use."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from openpyxl import load_workbook

from layers.exports import report_size
from layers.models import ExportJob
from layers.services import exports as services
from tests.conftest import _member, client_for

from . import export_fixtures

report, large = export_fixtures.report, export_fixtures.large  # the shared fixtures
State = ExportJob.State


def export(report, fmt: str, table: str = "") -> str:
    return f"/o/acme/reports/{report.pk}/export/?format={fmt}" + (f"&table={table}" if table else "")


def job_page(job: ExportJob) -> str:
    return f"/o/acme/reports/exports/{job.token}/"


def download(job: ExportJob) -> str:
    return f"/o/acme/reports/exports/{job.token}/download/"


def ask(client, report, fmt: str, django_capture_on_commit_callbacks, **extra) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(export(report, fmt), **extra)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job_page(job)
    return job


# --- inline or in the background ----------------------------------------------------------------


def test_a_small_report_is_exported_at_once(admin_client_, report, settings):
    assert report_size(report) <= settings.EXPORT_INLINE_MAX_ROWS
    response = admin_client_.get(export(report, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert not ExportJob.objects.exists()


def test_the_csv_and_json_of_a_large_report_stay_inline(admin_client_, large):
    for fmt in ("csv", "json", "zip"):
        assert admin_client_.get(export(large, fmt)).status_code == 200, fmt
    assert not ExportJob.objects.exists()


def test_a_large_pdf_is_queued_then_built_by_the_worker(
    admin_client_, admin_user, large, eager_tasks, django_capture_on_commit_callbacks
):
    job = ask(admin_client_, large, "pdf", django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.state, job.progress, job.requested_by, job.report) == (State.DONE, 100, admin_user, large)
    assert job.started_at <= job.finished_at and job.error == ""
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    assert job.filename.startswith("coverage-insights-cloud-") and job.filename.endswith(".pdf")
    page = admin_client_.get(job_page(job)).text
    assert "Your PDF file is ready" in page and download(job) in page
    response = admin_client_.get(download(job))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_large_xlsx_is_built_with_its_frozen_filtered_sheets(
    admin_client_, large, eager_tasks, django_capture_on_commit_callbacks
):
    job = ask(admin_client_, large, "xlsx", django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(admin_client_.get(download(job)).content))
    assert book.sheetnames == ["Summary", "Layers", "Gaps", "Trend"]
    assert all(sheet.freeze_panes == "A2" and sheet.auto_filter.ref for sheet in book.worksheets)


def test_while_it_waits_the_page_polls_its_progress(admin_client_, large, django_capture_on_commit_callbacks):
    with mock.patch("layers.tasks.exports.build_export.delay") as delay:
        job = ask(admin_client_, large, "pdf", django_capture_on_commit_callbacks)
    delay.assert_called_once_with(job.pk)
    page = admin_client_.get(job_page(job)).text
    assert "Building the PDF file…" in page and "Waiting for a worker" in page
    assert f'hx-get="{job_page(job)}"' in page and 'hx-trigger="every 1s"' in page
    partial = admin_client_.get(job_page(job), HTTP_HX_REQUEST="true")
    assert partial.text.lstrip().startswith("<section") and "<html" not in partial.text
    assert admin_client_.get(download(job)).status_code == 404  # not ready yet


def test_asking_twice_gives_the_same_job(admin_client_, large, django_capture_on_commit_callbacks):
    with mock.patch("layers.tasks.exports.build_export.delay") as delay:
        first = ask(admin_client_, large, "pdf", django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            again = admin_client_.get(export(large, "pdf"))
    assert again.url == job_page(first)
    assert ExportJob.objects.count() == 1 and delay.call_count == 1


# --- access: DESIGN §5 ------------------------------------------------------------------------------


def test_a_job_and_its_file_are_only_for_the_admin_who_asked(
    admin_client_,
    org,
    other_org,
    large,
    leader_client,
    outsider_client,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    job = ask(admin_client_, large, "pdf", django_capture_on_commit_callbacks)
    colleague = client_for(_member(org, "admin", "second-admin@acme.test"))
    their_admin = client_for(_member(other_org, "admin", "admin@globex.test"))
    for path in (job_page(job), download(job)):
        assert colleague.get(path).status_code == 404, path  # another admin's link: not theirs
        assert leader_client.get(path).status_code == 403, path
        assert outsider_client.get(path).status_code == 404, path
        assert their_admin.get(path.replace("/o/acme/", "/o/globex/")).status_code == 404, path
    assert admin_client_.get(f"/o/acme/reports/exports/{uuid.uuid4()}/").status_code == 404


# --- the worker's side ------------------------------------------------------------------------------


def _queued(report, admin_user, fmt: str = "pdf", **fields) -> ExportJob:
    return ExportJob.objects.create(
        organization=report.organization, report=report, requested_by=admin_user, file_format=fmt, **fields
    )


def test_a_redelivered_task_builds_nothing_twice(large, admin_user):
    job = _queued(large, admin_user)
    services.run_export(job_id=job.pk)
    job.refresh_from_db()
    finished = job.finished_at
    with mock.patch("layers.services.exports._render") as render:
        services.run_export(job_id=job.pk)
    render.assert_not_called()
    job.refresh_from_db()
    assert job.state == State.DONE and job.finished_at == finished


def test_a_job_lost_with_its_worker_is_built_again(large, admin_user, settings):
    lost = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    job = _queued(large, admin_user, fmt="xlsx", state=State.RUNNING, started_at=lost)
    services.run_export(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == State.DONE and job.started_at > lost and job.size == len(job.content)


def test_the_sweep_fails_an_export_left_running_by_a_lost_worker_and_leaves_a_live_one(large, admin_user):
    from wholeproduct import jobs

    now = timezone.now()
    stuck = _queued(large, admin_user, state=State.RUNNING, started_at=now - timedelta(hours=1))
    live = _queued(large, admin_user, fmt="xlsx", state=State.RUNNING, started_at=now)
    ExportJob.objects.filter(pk=stuck.pk).update(updated_at=now - timedelta(hours=1))

    failed = jobs.sweep(now=now)

    assert failed == {"layers.ExportJob:layers.build_export": [stuck.pk]}
    stuck.refresh_from_db()
    live.refresh_from_db()
    assert stuck.state == State.FAILED and "stopped before it finished" in stuck.error and stuck.finished_at == now
    assert live.state == State.RUNNING and live.error == ""


def test_a_failure_is_kept_with_its_reason_and_offers_to_try_again(admin_client_, large, admin_user):
    job = _queued(large, admin_user)
    with (
        mock.patch("layers.exports.render_pdf", side_effect=RuntimeError("pango exploded")),
        pytest.raises(RuntimeError),
    ):
        services.run_export(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == State.FAILED and job.finished_at is not None
    assert job.error == "The export stopped unexpectedly; nothing was kept. Ask for it again."
    page = admin_client_.get(job_page(job)).text
    assert "could not be built" in page and job.error in page and "Try again" in page
    assert "pango" not in page


def test_a_transient_database_error_puts_the_job_back_for_the_retry(large, admin_user):
    job = _queued(large, admin_user)
    locked = OperationalError("database is locked")
    with mock.patch("layers.exports.render_pdf", side_effect=locked), pytest.raises(OperationalError):
        services.run_export(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.started_at) == (State.QUEUED, None)
    services.run_export(job_id=job.pk)  # the retry
    job.refresh_from_db()
    assert job.state == State.DONE


def test_an_unreachable_broker_fails_the_job_with_a_reason(admin_client_, large, django_capture_on_commit_callbacks):
    with mock.patch("layers.tasks.exports.build_export.delay", side_effect=BrokerUnreachable("down")):
        job = ask(admin_client_, large, "pdf", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == State.FAILED and "worker could not be reached" in job.error


def test_an_expired_file_is_gone_and_a_new_request_builds_it_again(
    admin_client_, large, admin_user, eager_tasks, django_capture_on_commit_callbacks
):
    old = _queued(large, admin_user)
    services.run_export(job_id=old.pk)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert admin_client_.get(download(old)).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.get(export(large, "pdf"))

    assert not ExportJob.objects.filter(pk=old.pk).exists()  # its file held the organization's data
    fresh = ExportJob.objects.get()
    assert response.url == job_page(fresh) and fresh.state == State.DONE


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=csv&table=nope", "There is no table “nope”: choose one of summary, layers, gaps, trend."),
        ("format=pdf&table=gaps", "Only CSV and XLSX exports take a table."),
        ("format=docx", "Cannot export as “docx”: choose one of csv, xlsx, pdf, json, zip."),
    ],
)
def test_a_bad_export_request_is_refused_with_the_choices(admin_client_, large, query, message):
    response = admin_client_.get(f"/o/acme/reports/{large.pk}/export/?{query}")
    assert response.status_code == 400 and response.content.decode() == message
    assert not ExportJob.objects.exists()
