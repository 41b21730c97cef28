"""Report exports built by a worker (issue 15 item 9): ask, build with progress, download.

`request_export` returns the asking admin's job for (report, format, table), reusing one that
is waiting, running or ready, so a double click or a repeated API call builds one file
(layers.tasks.exports.start_export queues a new one once it is committed).
`run_export` is the worker's side: it claims the job with a conditional UPDATE (a redelivered
task finds it taken and does nothing), renders through layers.exports, and stores the file in
the row until it expires. A failure is recorded on the job with its reason, for the page.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from shared.exports import ExportFile
from wholeproduct.task_limits import VISIBILITY_MARGIN, limits_of

from ..exports import Exporter, get_exporter, report_size
from ..models import CoverageReport, ExportJob

State = ExportJob.State
UNREACHABLE = "The background worker could not be reached; nothing was built. Ask for the export again."
logger = logging.getLogger(__name__)


def runs_in_background(exporter: Exporter, report: CoverageReport) -> bool:
    """Heavy formats (PDF, XLSX) of a report larger than the inline threshold go to a worker."""
    return exporter.heavy and report_size(report) > settings.EXPORT_INLINE_MAX_ROWS


def request_export(
    *, report: CoverageReport, file_format: str, table: str = "", by: AbstractBaseUser
) -> tuple[ExportJob, bool]:
    """The admin's job for this file: an existing live one, or a new one (True) to queue.

    Queuing is the caller's (layers.tasks.exports.start_export), so services never import tasks.
    """
    _forget_expired()
    now = timezone.now()
    live = Q(state__in=[State.QUEUED, State.RUNNING]) | Q(state=State.DONE, expires_at__gt=now)
    with transaction.atomic():
        existing = (
            ExportJob.objects.filter(live, report=report, requested_by=by, file_format=file_format, table=table)
            .defer("content")
            .first()
        )
        if existing is not None:
            return existing, False
        job = ExportJob.objects.create(
            organization_id=report.organization_id,
            report=report,
            requested_by=by,
            file_format=file_format,
            table=table,
            step="Waiting for a worker",
        )
    return job, True


def unreachable(*, job_id: int) -> None:
    """The broker refused the job's task: say so on the job rather than leave it waiting."""
    _fail(job_id, UNREACHABLE)


def run_export(*, job_id: int) -> None:
    """Build a queued export (the worker's side). Does nothing if another worker has the job."""
    now = timezone.now()
    # A job left running longer than a task may live was lost with its worker; building the
    # file again is safe (nothing else is written).
    lost = now - timedelta(seconds=limits_of("layers.build_export").hard + VISIBILITY_MARGIN)
    claimable = Q(state=State.QUEUED) | Q(state=State.RUNNING, started_at__lt=lost)
    claimed = ExportJob.objects.filter(claimable, pk=job_id).update(
        state=State.RUNNING, started_at=now, progress=5, step="Reading the report", error="", updated_at=now
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("report__product", "report__organization").defer("content").get(pk=job_id)
    try:
        export = _render(job)
    except (OperationalError, InterfaceError):
        _requeue(job.pk)  # transient: the task's retry claims it again
        raise
    except LookupError as exc:
        _fail(job.pk, str(exc))  # a format or table that does not exist: said on the page
        return
    except Exception:
        _fail(job.pk, "The export stopped unexpectedly; nothing was kept. Ask for it again.")
        raise
    _finish(job, export)


def _render(job: ExportJob) -> ExportFile:
    exporter = get_exporter(job.file_format)
    if exporter is None:
        raise LookupError(f"There is no export format “{job.file_format}”.")
    _progress(job, 30, "Drawing the pages" if job.file_format == "pdf" else "Writing the sheets")
    return exporter.render(job.report, table=job.table or None)


def _finish(job: ExportJob, export: ExportFile) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk, state=State.RUNNING).update(
        state=State.DONE,
        progress=100,
        step="Ready",
        filename=export.filename,
        content_type=export.content_type,
        content=export.content,
        size=len(export.content),
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
        updated_at=now,
    )


def _progress(job: ExportJob, percent: int, step: str) -> None:
    ExportJob.objects.filter(pk=job.pk, state=State.RUNNING).update(progress=percent, step=step)


def _fail(job_id: int, reason: str) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).exclude(state=State.DONE).update(
        state=State.FAILED, error=reason, step="Failed", finished_at=now, updated_at=now
    )


def _requeue(job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id, state=State.RUNNING).update(
        state=State.QUEUED, step="Waiting for a worker", progress=0, started_at=None
    )


def _forget_expired() -> None:
    """Files hold an organization's data: drop them once their link has expired."""
    ExportJob.objects.filter(state=State.DONE, expires_at__lte=timezone.now()).delete()
    ExportJob.objects.filter(state=State.FAILED, finished_at__lte=timezone.now() - timedelta(days=1)).delete()


def download(job: ExportJob) -> ExportFile | None:
    """The built file, or None while it is not ready or once it has expired."""
    if job.state != State.DONE or (job.expires_at and job.expires_at <= timezone.now()):
        return None
    content = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    return ExportFile(job.filename, job.content_type, bytes(content))


def describe(job: ExportJob) -> dict[str, Any]:
    """What a page or the API says about a job (the report's export status)."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "percent": 100 if job.state == State.DONE else job.progress,
        "step": job.step,
        "error": job.error,
    }
