"""The product side of /api/v1 (DESIGN §6): layers, products, assignments, suggestions, reviews,
coverage reports and their exports.

Thin views (STYLE §3): serializers validate, the services the pages use write, and
wholeproduct.api_errors turns their refusals into HTTP. Products are addressed by slug and
only the requester's visible products resolve (a stakeholder's own products, DESIGN §5).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api.permissions import OrgAPIView, OrgViewSet
from roles.api.views import VERSION_PARAM, merged, version_param
from roles.permissions import Perm
from shared.exports.http import file_response

from .. import filters
from ..exports import API_FORMATS, EXPORTERS, TABLES, export_error, get_exporter
from ..models import Assignment, CoverageReport, ExportJob, Layer, Product, Review
from ..readmodel.read import live_coverage
from ..selectors import products as selectors
from ..selectors.coverage import job_progress, reports_of
from ..selectors.reviews import visible_reviews
from ..services import assignments as assignment_services
from ..services import exports as export_services
from ..services import mapping
from ..services import products as product_services
from ..services import reports as report_services
from ..services import reviews as review_services
from ..tasks import exports as export_tasks
from . import serializers as s

SLUG = r"[-a-zA-Z0-9_]+"


# --- layers -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The four layers of the Whole Product, from the inside out"),
    retrieve=extend_schema(summary="One layer"),
)
class LayerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The four fixed layers (reference data, the same for every organization)."""

    queryset = Layer.objects.order_by("ring")
    serializer_class = s.LayerSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_field = "key"
    lookup_value_regex = "[a-z]+"


# --- products -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Products (a stakeholder sees their own)"),
    retrieve=extend_schema(summary="One product"),
    create=extend_schema(
        summary="Add a product",
        examples=[
            OpenApiExample(
                "Analytics",
                value={"name": "Northwind Insights 2", "slug": "", "description": "Dashboards", "head": None},
                request_only=True,
            )
        ],
    ),
    update=extend_schema(summary="Change a product"),
    partial_update=extend_schema(summary="Change some fields of a product"),
)
class ProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgViewSet
):
    """Products or product areas; the whole product is mapped per product."""

    model = Product
    serializer_class = s.ProductSerializer
    filterset_class = filters.ProductFilter
    ordering_fields = ["name", "slug", "created_at"]
    ordering = ["name", "pk"]
    lookup_field = "slug"
    lookup_url_kwarg = "product"
    lookup_value_regex = SLUG

    def scoped_queryset(self) -> QuerySet[Product]:
        return selectors.products_for_list(self.ctx)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = product_services.product_create(
            organization=self.ctx.organization, by=self.request.user, **serializer.validated_data
        )
        return self._fresh(product, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = merged(serializer.validated_data, product, ["name", "slug", "description"])
        values["head"] = serializer.validated_data.get("head", product.head)
        product_services.product_update(product=product, **values)
        return self._fresh(product)


class ProductScoped:
    """Views under orgs/<org>/products/<product>/: the product, if the requester may see it (else 404)."""

    kwargs: dict[str, Any]

    @cached_property
    def product(self) -> Product:
        product = selectors.product_for(self.ctx, self.kwargs["product"])  # type: ignore[attr-defined]
        if product is None:
            raise Http404("No such product.")
        return product


# --- assignments --------------------------------------------------------------------------------

ASSIGNMENT_EXAMPLE = OpenApiExample(
    "Customer Success leads the Augmented layer",
    value={"function": 1, "layer": "augmented", "emphasis": "lead", "contribution": "Onboarding and adoption."},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="The map of a product: which function contributes to which layer"),
    retrieve=extend_schema(summary="One assignment"),
    create=extend_schema(
        summary="Assign a function to a layer",
        description="Creates the (function, layer) cell. A cell that exists answers 409 with it; "
        "a second lead of a layer answers 400 (`second_lead`).",
        request=s.AssignmentCreateSerializer,
        responses={201: s.AssignmentSerializer},
        examples=[ASSIGNMENT_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change an assignment",
        description="Send the `version` you read: a stale one answers 409 with the current assignment, "
        "and nothing is written. An omitted `emphasis` or `contribution` keeps its value.",
        request=s.AssignmentUpdateSerializer,
        examples=[OpenApiExample("Make it the lead", value={"version": 1, "emphasis": "lead"}, request_only=True)],
    ),
    destroy=extend_schema(summary="Remove an assignment (its reviews go with it)", parameters=[VERSION_PARAM]),
)
class AssignmentViewSet(
    ProductScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgViewSet,
):
    """The cells of a product's map: (function, layer) with an emphasis, optimistic-locked by `version`."""

    model = Assignment
    serializer_class = s.AssignmentSerializer
    conflict_serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    ordering_fields = ["layer__ring", "function__name", "emphasis", "changed_at"]
    ordering = ["layer__ring", "function__name", "pk"]
    conflict_actions = frozenset({"create", "partial_update", "destroy"})
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # updates name their version

    def scoped_queryset(self) -> QuerySet[Assignment]:
        return Assignment.objects.filter(product=self.product).select_related("function", "layer")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.product  # an address naming no product of ours is a 404 before the body is read
        serializer = s.AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        assignment = assignment_services.assignment_set(
            product=product, by=request.user, expected_version=0, **serializer.validated_data
        )
        return self._fresh(assignment, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        serializer = s.AssignmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment_services.assignment_set(
            product=self.product,
            function=assignment.function,
            layer=assignment.layer,
            emphasis=data.get("emphasis", assignment.emphasis),
            contribution=data.get("contribution"),  # None keeps the text
            by=request.user,
            expected_version=data["version"],
        )
        return self._fresh(assignment)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        assignment_services.assignment_clear(
            product=self.product,
            function=assignment.function,
            layer=assignment.layer,
            by=request.user,
            expected_version=version_param(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- suggestions --------------------------------------------------------------------------------


class CoverageView(ProductScoped, OrgAPIView):
    """A product's live coverage, read from the maintained read model (DESIGN §4)."""

    @extend_schema(
        summary="Live coverage of a product: the fields of a report, as of now",
        description="Read from the maintained read model, so it costs the same at any size. A report "
        "built right after equals it on every figure. A stakeholder sees only their own products.",
        responses={200: s.LiveCoverageSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.product
        live = live_coverage(product)
        data = live.coverage.to_dict()
        body = {
            "product": product.slug,
            "product_name": product.name,
            "as_of": live.as_of,
            **{name: data[name] for name in ("score", "layer_coverage", "function_coverage", "review_coverage")},
            "agreement": data["agreement"],
            "layers": data["layers"],
            "gaps": data["gaps"],
            "totals": report_services.totals_of(live.coverage, live),
        }
        return Response(s.LiveCoverageSerializer(body).data)


class SuggestionView(ProductScoped, OrgAPIView):
    """The playbook's suggestions for one product (DESIGN §3), and applying them."""

    @extend_schema(
        summary="The playbook's suggestions, each with its reason",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=s.SUGGESTION_STATUSES,
                required=False,
                description="Only the suggestions in this state.",
            )
        ],
        responses={200: s.SuggestionSetSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wanted = request.query_params.get("status")
        if wanted not in (None, *s.SUGGESTION_STATUSES):
            raise ValidationError({"status": [f"Choose one of {', '.join(s.SUGGESTION_STATUSES)}."]})
        result = mapping.suggest(product=self.product)
        suggestions = [x for x in result.suggestions if wanted is None or x.status == wanted]
        body = {
            "go_to_market": result.go_to_market,
            "counts": result.counts(),
            "suggestions": suggestions,
            "unmatched": result.unmatched,
        }
        return Response(s.SuggestionSetSerializer(body).data)

    @extend_schema(
        summary="Apply suggestions: all of them, or the chosen cells",
        description="Never overwrites a manual assignment nor makes a second lead; applying twice changes nothing.",
        request=s.ApplySerializer,
        responses={200: s.ApplyResultSerializer},
        examples=[
            OpenApiExample("All", value={"all": True}, request_only=True),
            OpenApiExample("Some", value={"cells": [{"function": 1, "layer": "core"}]}, request_only=True),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ApplySerializer(data=request.data, context={"organization": self.ctx.organization})
        serializer.is_valid(raise_exception=True)
        cells = serializer.validated_data.get("cells")
        only = None if cells is None else [(cell["function"].pk, cell["layer"].key) for cell in cells]
        result = mapping.apply(product=self.product, by=request.user, only=only)
        return Response(s.ApplyResultSerializer(result.as_dict()).data)


# --- reviews ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Reviews (leaders: all; a stakeholder: their own)"),
    retrieve=extend_schema(summary="One review"),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Stakeholders' verdicts on their own function's assignments; leaders resolve disagreements."""

    model = Review
    serializer_class = s.ReviewSerializer
    conflict_serializer_class = s.AssignmentSerializer
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]
    action_perms = {"create": Perm.REVIEW, "resolve": Perm.RESOLVE}
    conflict_actions = frozenset({"resolve"})

    filterset_class = filters.ReviewFilter

    def scoped_queryset(self) -> QuerySet[Review]:
        return visible_reviews(self.ctx).select_related(
            "assignment__product", "assignment__function", "assignment__layer", "stakeholder", "suggested_layer"
        )

    def serialize_current(self, current: Any) -> Any:
        return s.AssignmentSerializer(current).data if isinstance(current, Assignment) else None

    @extend_schema(
        summary="Review an assignment of your own function: agree, or disagree and say why",
        request=s.ReviewCreateSerializer,
        responses={201: s.ReviewSerializer},
        examples=[
            OpenApiExample(
                "Disagree",
                value={
                    "assignment": 1,
                    "verdict": "disagree",
                    "comment": "We also run onboarding.",
                    "suggested_layer": "augmented",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = self.ctx.stakeholder
        if person is None:
            raise PermissionDenied("Only a person of a function can review: your login is linked to no person here.")
        assignment = (
            Assignment.objects.select_related("product", "layer", "function")
            .filter(pk=data["assignment"], product__in=selectors.visible_products(self.ctx))
            .first()
        )
        if assignment is None:
            raise ValidationError({"assignment": ["No such assignment in your products."]})
        if assignment.function_id != person.function_id:
            raise PermissionDenied(f"You review {person.function.name}'s assignments only.")
        review = review_services.review_submit(
            assignment=assignment,
            stakeholder=person,
            verdict=data["verdict"],
            comment=data["comment"],
            suggested_layer=data["suggested_layer"],
        )
        return self._fresh(review, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Resolve a dispute: keep the assignment with a note, or change it",
        request=s.ResolveSerializer,
        responses={200: s.ReviewSerializer},
        examples=[
            OpenApiExample("Keep", value={"action": "keep", "note": "Onboarding stays with CS."}, request_only=True),
            OpenApiExample(
                "Change",
                value={"action": "change", "emphasis": "lead", "contribution": "", "version": 1},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()
        serializer = s.ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "keep":
            review_services.dispute_keep(review=review, note=data["note"], by=request.user)
        else:
            assignment = review.assignment
            review_services.dispute_change(
                review=review,
                emphasis=data.get("emphasis", assignment.emphasis),
                contribution=data.get("contribution", assignment.contribution),
                add_suggested_layer=data["add_suggested_layer"],
                note=data["note"],
                expected_version=data["version"],
                by=request.user,
            )
        return self._fresh(review)


# --- reports ------------------------------------------------------------------------------------


class IgnoreFormatNegotiation(BaseContentNegotiation):
    """Exports read `?format=` themselves; refusals are JSON whatever it says."""

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None


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
        return reports.defer("layers", "gaps", "data", "totals") if self.action == "list" else reports

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
