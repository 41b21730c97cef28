"""Pages of the org-chart import (upload → columns → preview → commit → progress) and the people export."""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared.exports.http import file_response
from wholeproduct.errors import DomainError

from ..exports import PeopleExporter
from ..forms.functions import add_domain_error
from ..forms.imports import ColumnMappingForm, ImportUploadForm
from ..models import ImportJob
from ..permissions import OrgRequest, Perm, org_view
from ..services import imports
from ..services.imports.columns import FIELD_LABELS, column_letter

State = ImportJob.State
PAGE_SIZE = 100
ROW_FILTERS = [
    ("all", "All rows"),
    ("create", "New"),
    ("update", "Updated"),
    ("unchanged", "Unchanged"),
    ("error", "Errors"),
]


class PreviewRow(NamedTuple):
    number: int
    state: str
    full_name: str
    email: str
    title: str
    function: str
    changes: list[list[str]]
    errors: list[str]
    manager: str = ""


def _job(request: OrgRequest, token: UUID, *, with_preview: bool = False) -> ImportJob:
    job = imports.job_of(request.ctx.organization, token, with_preview=with_preview)
    if job is None:
        raise Http404("No such import.")
    return job


def _next_page(job: ImportJob) -> HttpResponse:
    org = job.organization.slug
    if job.state == State.MAPPING:
        return redirect("import-mapping", org=org, token=job.token)
    if job.state in {State.QUEUED, State.RUNNING, State.DONE}:
        return redirect("import-job", org=org, token=job.token)
    return redirect("import-preview", org=org, token=job.token)


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def import_start(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    form = ImportUploadForm(
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
    )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.start_import(
                organization=organization, by=request.user, filename=upload.name, content=upload.read()
            )
        except DomainError as exc:
            form.add_error("file", f"{upload.name}: {exc.detail}")
        else:
            return _next_page(job)
    context = {
        "form": form,
        "jobs": imports.jobs_of(organization).select_related("created_by")[:8],
        "columns": _format_columns(),
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
        "max_columns": imports.limits()[0],
        "max_rows": imports.limits()[1],
        "background_rows": imports.BACKGROUND_ROWS,
    }
    return render(request, "roles/import.html", context, status=400 if form.errors else 200)


def _format_columns() -> list[tuple[str, str, str]]:
    """(header to use, other headers recognized, required?) for the page's format guide."""
    return [
        ("Full Name", "Name, or First Name + Last Name, Employee Name", "required"),
        ("Email", "Work Email, E-mail, Email Address", "required"),
        ("Job Title", "Title, Position", "optional"),
        ("Department", "Team, Function", "required"),
        (
            "Category",
            "Function Category; values: Building, Customer-facing, Cross-functional, Leadership, Partner",
            "optional",
        ),
        ("Parent Function", "Parent, Parent Department", "optional"),
        ("Manager Email", "Manager, Reports To, Supervisor (an email or a name)", "optional"),
    ]


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def import_mapping(request: OrgRequest, token: UUID) -> HttpResponse:
    job = _job(request, token)
    if job.state in {State.QUEUED, State.RUNNING, State.DONE}:
        return _next_page(job)
    samples = imports.column_samples(job)
    # A file whose headers were not all recognized starts from guesses the user confirms.
    initial = imports.suggest_columns(job.headers, samples) if job.state == State.MAPPING else dict(job.mapping)
    form = ColumnMappingForm(
        data=request.POST if request.method == "POST" else None,
        initial=initial,
        headers=job.headers,
        samples=samples,
    )
    if form.is_bound and form.is_valid():
        try:
            job = imports.choose_columns(job=job, mapping=form.mapping())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _next_page(job)
    columns = [(column_letter(i), header, samples[i]) for i, header in enumerate(job.headers)]
    context = {"job": job, "form": form, "columns": columns, "missing": imports.missing_columns(initial)}
    return render(request, "roles/import_mapping.html", context, status=400 if form.errors else 200)


@org_view(Perm.EDIT)
@require_GET
def import_preview(request: OrgRequest, token: UUID) -> HttpResponse:
    job = _job(request, token, with_preview=True)
    if job.state not in {State.READY, State.INVALID, State.FAILED}:
        return _next_page(job)
    shown = request.GET.get("state", "all")
    if shown not in dict(ROW_FILTERS):
        shown = "all"
    rows = [PreviewRow(*row) for row in job.preview["rows"] if shown in ("all", row[1])]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = job.preview["totals"]
    context = {
        "job": job,
        "preview": job.preview,
        "totals": totals,
        "page": page,
        "shown": shown,
        "filters": [(key, label, totals["rows"] if key == "all" else totals[key]) for key, label in ROW_FILTERS],
        "background": imports.runs_in_background(job),
        "to_write": totals["create"] + totals["update"],
        "mapped": [(FIELD_LABELS[name], job.headers[column]) for name, column in job.mapping.items()],
        "more_errors": totals["errors"] - len(job.preview["errors"]),
        "good_rows": totals["rows"] - totals["error"],
        "separate": job.preview.get("separate", []),
    }
    return render(request, "roles/import_preview.html", context)


@org_view(Perm.EDIT)
@require_POST
def import_joins(request: OrgRequest, token: UUID) -> HttpResponse:
    """The preview's "keep separate" choices: the ticked labels stay functions of their own."""
    job = _job(request, token, with_preview=True)
    try:
        imports.choose_joins(job=job, separate=request.POST.getlist("separate"))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return _next_page(job)


@org_view(Perm.EDIT)
@require_POST
def import_commit(request: OrgRequest, token: UUID) -> HttpResponse:
    job = _job(request, token, with_preview=True)
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        if imports.runs_in_background(job):
            imports.queue_import(job=job, skip_invalid=skip_invalid)
        else:
            imports.commit_import(job=job, skip_invalid=skip_invalid)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _next_page(job)
    if job.state == State.DONE:
        result = job.result
        left_out = f" {result['rejected']} rows with errors left out." if result.get("rejected") else ""
        messages.success(
            request,
            f"Imported {job.filename}: {result['created']} people added, {result['updated']} updated, "
            f"{result['unchanged']} unchanged.{left_out}",
        )
    return redirect("import-job", org=job.organization.slug, token=job.token)


@org_view(Perm.EDIT)
@require_GET
def import_rejected(request: OrgRequest, token: UUID) -> HttpResponse:
    """The rows with errors, as the file had them plus a Reason column, to fix and import again."""
    job = _job(request, token, with_preview=True)
    if job.state in {State.MAPPING, State.QUEUED, State.RUNNING}:
        raise Http404("This import has no rejected rows yet.")
    content = imports.rejected_csv(job)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    stem = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(stem)}-rejected-rows.csv"'
    response["Cache-Control"] = "no-store"  # personal data: keep it out of shared caches
    return response


def _safe_filename(stem: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)[:80] or "import"


@org_view(Perm.EDIT)
@require_GET
def import_job(request: OrgRequest, token: UUID) -> HttpResponse:
    job = _job(request, token)
    context = {"job": job, "progress": imports.progress_of(job)}
    if request.htmx:
        return render(request, "roles/_partials/import_progress.html", context)
    return render(request, "roles/import_job.html", context)


@org_view(Perm.EDIT)
@require_GET
def people_export(request: OrgRequest, fmt: str) -> HttpResponse:
    export = PeopleExporter(request.ctx.organization).render(fmt)
    return file_response(export)  # personal data: never kept by a cache
