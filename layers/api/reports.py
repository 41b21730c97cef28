"""The API of coverage reports and exports: list, read, build, and download in every format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api.permissions import OrgViewSet
from roles.permissions import Perm
from roles.rowcounts import page_of
from shared.exports.http import file_response
from shared.prepared import prepared

from .. import filters
from ..exports import API_FORMATS, EXPORTERS, TABLES, export_error, get_exporter
from ..models import CoverageReport, ExportJob
from ..selectors import products as selectors
from ..selectors.coverage import every_report, job_progress, reports_of
from ..services import exports as export_services
from ..services import reports as report_services
from ..tasks import exports as export_tasks
from . import serializers as s


class IgnoreFormatNegotiation(BaseContentNegotiation):
    """Exports read `?format=` themselves; refusals are JSON whatever it says."""

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None


# What the list prints (`ReportSerializer`), and the product it names.
LIST_COLUMNS = (
    *(name for name in s.ReportSerializer._declared_fields if name not in ("product", "product_name")),
    "product__slug",
    "product__name",
)


def _listed(reports: QuerySet[CoverageReport]) -> QuerySet[CoverageReport]:
    """A page of 50 reads the columns it prints and its products' names, nothing else."""
    return reports.select_related(None).select_related("product").only(*LIST_COLUMNS)


@prepared(shaped=("bottom", "top", "by_ids"))
def _reports_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[CoverageReport]:
    """A page of every product's reports in the list's default order (`ReportViewSet.page_rows`)."""
    reports = _listed(every_report(organization_id)).order_by(*ReportViewSet.ordering)
    return page_of(reports, bottom, top, by_ids)


EXPORT_TYPES = {identifier: EXPORTERS[identifier].content_type for identifier in API_FORMATS}


@extend_schema_view(
    list=extend_schema(summary="Coverage reports, newest first"),
    retrieve=extend_schema(summary="One coverage report, with its per-layer rows and gaps"),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Immutable coverage snapshots (DESIGN §4), built by workers on a schedule or on request."""

    model = CoverageReport
    serializer_class = s.ReportSerializer
    filterset_class = filters.ReportFilter
    ordering_fields = ["generated_at", "score"]
    ordering = ["-generated_at", "-pk"]
    action_perms = {"export": Perm.ADMIN, "export_job": Perm.ADMIN, "export_download": Perm.ADMIN, "job": Perm.EDIT}
    queue_actions = {"create"}  # 503 when the broker is down (wholeproduct/outages.py)

    def get_serializer_class(self) -> Any:
        return s.ReportDetailSerializer if self.action == "retrieve" else s.ReportSerializer

    def scoped_queryset(self) -> QuerySet[CoverageReport]:
        reports = reports_of(self.ctx)
        if self.action != "list":
            return reports
        return _listed(reports)

    def page_rows(self) -> Callable[[int, int, bool], QuerySet[CoverageReport]] | None:
        if self.action != "list" or self.ctx.is_stakeholder_only:  # their own products' reports: sliced
            return None
        organization_id = self.ctx.organization.pk
        return lambda bottom, top, by_ids: _reports_page(organization_id, bottom, top, by_ids)

    @extend_schema(
        summary="Queue a build of one product's report, or of every product's",
        request=s.ReportBuildSerializer,
        responses={202: s.BuildQueuedSerializer},
        examples=[OpenApiExample("One product", value={"product": "insights"}, request_only=True)],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ReportBuildSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug = serializer.validated_data["product"]
        product = None
        if slug:
            product = selectors.products_of(self.ctx.organization.pk).filter(slug=slug).first()
            if product is None:
                raise ValidationError({"product": [f"There is no product {slug!r} in {self.ctx.organization.name}."]})
        task_ids = report_services.request_build(
            organization=self.ctx.organization, product=product, trigger=CoverageReport.Trigger.API, by=request.user
        )
        url = reverse("api:report-job", kwargs={"org": self.ctx.organization.slug, "job_id": task_ids[0]})
        body = {"job": task_ids[0], "status_url": request.build_absolute_uri(url), "tasks": task_ids}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Where a queued build stands", responses={200: s.BuildStatusSerializer})
    @action(detail=False, methods=["get"], url_path=r"jobs/(?P<job_id>[0-9a-fA-F-]{36})", url_name="job")
    def job(self, request: Request, job_id: str, *args: Any, **kwargs: Any) -> Response:
        progress = job_progress(organization_id=self.ctx.organization.pk, job_id=job_id)
        if progress is None:
            raise Http404("No such build, or it finished more than a day ago.")
        body = {
            "job": progress.job_id,
            "done": progress.done,
            "percent": progress.percent,
            "total": progress.total,
            "finished": progress.finished,
            "tasks": [
                {
                    "task_id": task.task_id,
                    "product": task.product.slug if task.product else None,
                    "state": task.state,
                    "report": task.report_id,
                    "score": task.score,
                }
                for task in progress.tasks
            ],
        }
        return Response(s.BuildStatusSerializer(body).data)

    @extend_schema(
        summary="Export a report as CSV, XLSX, PDF or JSON (admins)",
        description=(
            "Answers the file (200). The PDF and XLSX of a large report are built by a worker instead: "
            "the answer is 202 with the export job, whose `status_url` (also the Location header) says "
            "how far it has come and gives `download_url` once it is done. Asking again for the same "
            "file returns the same job. CSV holds one table: `table` picks it (the gaps by default)."
        ),
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(API_FORMATS), required=True, description="The file"),
            OpenApiParameter(
                "table",
                OpenApiTypes.STR,
                enum=list(TABLES),
                required=False,
                description="CSV and XLSX: export this table only (CSV: `gaps` when not given)",
            ),
        ],
        responses={
            **{
                (200, content_type): OpenApiTypes.OBJECT if identifier == "json" else OpenApiTypes.BINARY
                for identifier, content_type in EXPORT_TYPES.items()
            },
            (202, "application/json"): s.ExportJobSerializer,
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreFormatNegotiation)
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_object()
        fmt, table = request.query_params.get("format", ""), request.query_params.get("table")
        if table == "":  # the schema's enum has no empty name: leave the parameter out instead
            raise ValidationError({"table": [f"Leave `table` out, or choose one of {', '.join(TABLES)}."]})
        table = table or ""
        exporter = get_exporter(fmt, api=True)
        if exporter is None:
            raise ValidationError({"format": [f"Choose one of {', '.join(API_FORMATS)}."]})
        if error := export_error(fmt, table):
            raise ValidationError({"table": [error]})
        if export_services.runs_in_background(exporter, report):
            job = export_tasks.start_export(report=report, file_format=fmt, table=table, by=request.user)
            body = self._export_status(job)
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
        return file_response(exporter.render(report, table=table or None))

    @extend_schema(
        summary="Where an export built by a worker stands (the admin who asked for it)",
        responses={200: s.ExportJobSerializer},
    )
    @action(detail=False, methods=["get"], url_path=r"exports/(?P<token>[0-9a-fA-F-]{36})", url_name="export-job")
    def export_job(self, request: Request, token: str, *args: Any, **kwargs: Any) -> Response:
        return Response(s.ExportJobSerializer(self._export_status(self._export_job(token))).data)

    @extend_schema(
        summary="Download an export built by a worker (the admin who asked for it)",
        responses={
            (200, content_type): OpenApiTypes.OBJECT if identifier == "json" else OpenApiTypes.BINARY
            for identifier, content_type in EXPORT_TYPES.items()
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"exports/(?P<token>[0-9a-fA-F-]{36})/download",
        url_name="export-download",
        content_negotiation_class=IgnoreFormatNegotiation,
    )
    def export_download(self, request: Request, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        export = export_services.download(self._export_job(token))
        if export is None:
            raise Http404("This export is not ready, or it has expired.")
        return file_response(export)

    def _export_job(self, token: str) -> ExportJob:
        """The requesting admin's own job in this organization; 404 for anyone else's."""
        try:
            UUID(token)
        except ValueError:
            raise Http404("No such export.") from None
        job = (
            ExportJob.objects.filter(organization=self.ctx.organization, requested_by=self.request.user.pk, token=token)
            .defer("content")
            .first()
        )
        if job is None:
            raise Http404("No such export, or it has expired.")
        return job

    def _export_status(self, job: ExportJob) -> dict[str, Any]:
        org = self.ctx.organization.slug
        status_url = reverse("api:report-export-job", kwargs={"org": org, "token": str(job.token)})
        download = reverse("api:report-export-download", kwargs={"org": org, "token": str(job.token)})
        described = export_services.describe(job)
        return {
            "job": job.token,
            "state": described["state"],
            "percent": described["percent"],
            "step": described["step"],
            "error": described["error"],
            "format": job.file_format,
            "table": job.table,
            "status_url": self.request.build_absolute_uri(status_url),
            "download_url": self.request.build_absolute_uri(download) if job.state == ExportJob.State.DONE else None,
            "expires_at": job.expires_at,
        }
