"""Report pages (issue 5): the list of snapshots, one snapshot, a comparison of two, an on-demand
build with its progress, and the exports (admins only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from roles.permissions import OrgContext, OrgRequest, Perm, org_view
from roles.rowcounts import counted, read_page
from roles.statecache import DAY
from wholeproduct.errors import DomainError, NotFound

from ..exports import EXPORTERS, TABLES, report_size
from ..models import CoverageReport, Product
from ..reporting import compare_reports, gap_link, report_story
from ..selectors import products as selectors
from ..selectors.coverage import compare_choices, every_report_count, every_report_page, job_progress, report_for
from ..selectors.coverage import report_list as list_reports
from ..selectors.report_page import gap_page, report_for_page, report_rings
from ..services import reports as services

PAGE_SIZE = 30


class ReportFilterForm(forms.Form):
    """The reports page's filters (a GET form): a product and a date range."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, to_field_name="slug", empty_label="All products"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, ctx: OrgContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["product"])
        field.queryset = selectors.visible_products(ctx).order_by("name")
        field.error_messages["invalid_choice"] = "Choose one of your organization's products."
        if not self.is_bound and not ctx.is_stakeholder_only:  # the options, by a prepared statement
            field.widget.choices = [("", field.empty_label), *selectors.product_options(ctx.organization.pk)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


def _ctx(request: OrgRequest) -> OrgContext:
    return request.ctx


@org_view(Perm.VIEW, cached=DAY, drawn_with=("job",))  # a build's progress is kept in the cache
@require_GET
def report_list(request: OrgRequest) -> HttpResponse:
    ctx = _ctx(request)
    form = ReportFilterForm(request.GET or None, ctx=ctx)
    status = 200
    if form.is_bound and not form.is_valid():
        reports = CoverageReport.objects.none()  # a bad filter shows its message, not the unfiltered list
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        reports = list_reports(ctx, product=data.get("product"), since=data.get("since"), until=data.get("until"))
    paginator = Paginator(reports, PAGE_SIZE)
    every = status == 200 and not form.is_bound and not ctx.is_stakeholder_only  # every report: prepared reads
    if every:
        paginator.count = counted(every_report_count(ctx.organization.pk))
    page = paginator.get_page(request.GET.get("page"))
    if every:
        read_page(page, lambda bottom, top: every_report_page(ctx.organization.pk, bottom, top))
    job = _job_from(request)
    pick_a, pick_b = _default_pair(list(page))
    context = {
        "form": form,
        "page": page,
        "pick_a": pick_a,
        "pick_b": pick_b,
        "filtered": form.is_bound,
        "job": job,
        "can_build": ctx.can_edit,
        "query": _query_without_page(request),
    }
    return render(request, "layers/report_list.html", context, status=status)


def _default_pair(reports: list[CoverageReport]) -> tuple[int | None, int | None]:
    """Preselect the newest report (B) and the one before it of the same product (A)."""
    if not reports:
        return None, None
    newest = reports[0]
    earlier = next((r for r in reports[1:] if r.product_id == newest.product_id), None)
    return (earlier.pk if earlier else None), newest.pk


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _job_from(request: OrgRequest) -> Any:
    job_id = request.GET.get("job", "")
    if not job_id or not _ctx(request).can_edit:
        return None
    return job_progress(organization_id=_ctx(request).organization.pk, job_id=job_id)


def _visible_report(request: OrgRequest, pk: int) -> CoverageReport:
    report = report_for(_ctx(request), pk)
    if report is None:
        raise Http404("No such report.")
    return report


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def report_detail(request: OrgRequest, pk: int) -> HttpResponse:
    ctx = _ctx(request)
    # The snapshot without its large JSON: a page of gaps and the picture's members are cut in
    # the database (a large organization's snapshot holds megabytes).
    report = report_for_page(ctx, pk)
    if report is None:
        raise Http404("No such report.")
    story = report_story(report)
    slug = ctx.organization.slug
    product_slug = report.product.slug
    page = gap_page(report, request.GET.get("gaps"))
    gaps = [
        (gap, gap_link(gap, org_slug=slug, product_slug=product_slug, can_edit=ctx.can_edit))
        for gap in page.object_list
    ]
    context = {
        "report": report,
        "story": story,
        "gaps": gaps,
        "gap_page": page,
        "previous_id": story.previous["id"] if story.previous else None,
        "exporters": [cls() for cls in EXPORTERS.values()],
        "export_tables": list(TABLES.items()),
        "export_in_background": report_size(report) > settings.EXPORT_INLINE_MAX_ROWS,
        "rings": report_rings(report),
    }
    return render(request, "layers/report_detail.html", context)


@org_view(Perm.VIEW)
@require_GET
def report_compare(request: OrgRequest) -> HttpResponse:
    ctx = _ctx(request)
    raw_a, raw_b = request.GET.get("a", ""), request.GET.get("b", "")
    context: dict[str, Any] = {"choices": compare_choices(ctx), "a": raw_a, "b": raw_b, "error": ""}
    if not raw_a and not raw_b:
        return render(request, "layers/report_compare.html", context)
    error = _compare_error(raw_a, raw_b)
    if error:
        context["error"] = error
        return render(request, "layers/report_compare.html", context, status=400)
    first, second = _visible_report(request, int(raw_a)), _visible_report(request, int(raw_b))
    context["diff"] = compare_reports(first, second)
    return render(request, "layers/report_compare.html", context)


def _compare_error(raw_a: str, raw_b: str) -> str:
    if not (raw_a.isdigit() and raw_b.isdigit()):
        return "Choose two reports to compare."
    if raw_a == raw_b:
        return "Choose two different reports: a report compared with itself has no differences."
    return ""


@org_view(Perm.EDIT)
@require_POST
def report_build(request: OrgRequest) -> HttpResponse:
    """Queue a rebuild of one product (`product` slug) or of every product; leaders and admins."""
    ctx = _ctx(request)
    slug = request.POST.get("product", "")

    def queue() -> list[str]:
        product = None
        if slug:
            product = selectors.products_of(ctx.organization.pk).filter(slug=slug).first()
            if product is None:
                raise DomainError(f"There is no product {slug!r} in {ctx.organization.name}.")
        return services.request_build(
            organization=ctx.organization, product=product, trigger=CoverageReport.Trigger.MANUAL, by=request.user
        )

    return _queued(request, queue, verb="Building")


@org_view(Perm.EDIT)
@require_POST
def report_job_retry(request: OrgRequest, task_id: Any) -> HttpResponse:
    """Queue again, as a new job, the builds of a job that failed (a lost worker's, or one that raised)."""
    ctx = _ctx(request)
    return _queued(
        request,
        lambda: services.retry_failed_builds(organization=ctx.organization, job_id=str(task_id), by=request.user),
        verb="Building again",
    )


def _queued(request: OrgRequest, queue: Callable[[], list[str]], *, verb: str) -> HttpResponse:
    """Queue builds, then answer with their progress (htmx: the partial, 202; else the list page
    following the job); a refusal is said in the partial's place or as a message."""
    ctx = _ctx(request)
    try:
        task_ids = queue()
    except NotFound as error:
        raise Http404(error.detail) from error
    except DomainError as error:
        if request.htmx:
            html = render_to_string("layers/_partials/report_build_error.html", {"error": error.detail}, request)
            return HttpResponseBadRequest(html)
        messages.error(request, error.detail)
        return redirect("report-list", org=ctx.organization.slug)
    job = job_progress(organization_id=ctx.organization.pk, job_id=task_ids[0])
    if request.htmx:
        return render(request, "layers/_partials/report_job.html", {"job": job}, status=202)
    messages.success(request, f"{verb} {len(task_ids)} report{'s' if len(task_ids) != 1 else ''}.")
    return redirect(reverse("report-list", kwargs={"org": ctx.organization.slug}) + f"?job={task_ids[0]}")


@org_view(Perm.EDIT)
@require_GET
def report_job(request: OrgRequest, task_id: Any) -> HttpResponse:
    """The progress partial, polled every second until every build has finished."""
    job = job_progress(organization_id=_ctx(request).organization.pk, job_id=str(task_id))
    if job is None:
        raise Http404("No such build, or it finished more than a day ago.")
    return render(request, "layers/_partials/report_job.html", {"job": job})
