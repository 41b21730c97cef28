"""Report exports on the pages (admins only, DESIGN §5): the file at once for a small report, a job
with progress and a download link for the PDF or XLSX of a large one (issue 15 item 9).

A job is its admin's: another admin of the organization, or anyone of another one, gets 404.
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from roles.permissions import OrgRequest, Perm, org_view
from shared.exports.http import file_response

from ..exports import EXPORTERS, export_error, get_exporter
from ..models import CoverageReport, ExportJob
from ..selectors.coverage import report_for
from ..services import exports as services
from ..tasks import exports as export_tasks


@org_view(Perm.ADMIN)
@require_GET
def report_export(request: OrgRequest, pk: int) -> HttpResponse:
    ctx = request.ctx
    report: CoverageReport | None = report_for(ctx, pk)
    if report is None:
        raise Http404("No such report.")
    fmt, table = request.GET.get("format", ""), request.GET.get("table", "")
    error = export_error(fmt, table)
    exporter = get_exporter(fmt)
    if error or exporter is None:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    if services.runs_in_background(exporter, report):
        job = export_tasks.start_export(report=report, file_format=fmt, table=table, by=request.user)
        return redirect("export-job", org=ctx.organization.slug, token=job.token)
    return file_response(exporter.render(report, table=table or None))


def _job(request: OrgRequest, token: UUID) -> ExportJob:
    """The requesting admin's own job in this organization, or 404."""
    job = (
        ExportJob.objects.filter(
            organization=request.ctx.organization,
            requested_by=request.user.pk,
            token=token,
        )
        .select_related("report__product")
        .defer("content")
        .first()
    )
    if job is None:
        raise Http404("No such export, or it has expired.")
    return job


@org_view(Perm.ADMIN)
@require_GET
def export_job(request: OrgRequest, token: UUID) -> HttpResponse:
    """The job's page; htmx polls its progress partial every second until it is done or failed."""
    job = _job(request, token)
    context = {"job": job, "status": services.describe(job), "format": EXPORTERS[job.file_format].verbose_name}
    if request.htmx:
        return render(request, "layers/_partials/export_job.html", context)
    return render(request, "layers/export_job.html", context)


@org_view(Perm.ADMIN)
@require_GET
def export_download(request: OrgRequest, token: UUID) -> HttpResponse:
    export = services.download(_job(request, token))
    if export is None:
        raise Http404("This export is not ready, or it has expired.")
    return file_response(export)
