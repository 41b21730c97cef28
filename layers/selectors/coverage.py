"""Reads for coverage and reports (issue 5): the rows `compute_coverage` needs, snapshots for the
reports pages (the dashboard's are `portfolio`'s), and the progress of a build.

Every function here runs a fixed number of queries whatever the organization's size: the big
tables (stakeholders, reviews) are read with `values_list` into plain rows, never as model
instances, and per-product series come from one windowed query rather than one per product.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_celery_results.models import TaskResult

from domain.coverage.compute import compute_coverage
from domain.coverage.result import Coverage
from domain.coverage.rows import AssignmentRow, DisruptionRow, FunctionRow, PartnershipRow, ReviewRow, StakeholderRow
from roles.models import Disruption, Stakeholder
from roles.permissions import OrgContext
from roles.rowcounts import count_rows
from shared.prepared import prepared

from ..models import Assignment, CoverageReport, Product, Review
from ..readmodel.read import function_rows, live_coverage, partnership_rows
from .products import products_of, visible_products

TREND_LENGTH = 30  # snapshots per product in a dashboard sparkline


# --- the rows of one product --------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageInput:
    """Everything `compute_coverage` reads for one product, as plain rows (six queries)."""

    functions: list[FunctionRow]
    assignments: list[AssignmentRow]
    stakeholders: list[StakeholderRow]
    reviews: list[ReviewRow]
    disruptions: list[DisruptionRow]
    partnerships: list[PartnershipRow]
    external_function_ids: frozenset[int] = frozenset()

    def compute(self, *, now: datetime) -> Coverage:
        return compute_coverage(
            functions=self.functions,
            assignments=self.assignments,
            stakeholders=self.stakeholders,
            reviews=self.reviews,
            disruptions=self.disruptions,
            partnerships=self.partnerships,
            now=timezone.localtime(now),  # the site's calendar days (`calendar_day`)
        )


def coverage_input(*, product_id: int, organization_id: int) -> CoverageInput:
    """The rows of DESIGN §4 for one product, in six queries at any size.

    Only the people of functions mapped on the product are read (nobody else forms a review
    pair), and only the partnerships and disruptions touching those functions: a partnership
    between two functions that do nothing for this product is not this product's gap.
    """
    cells = Assignment.objects.filter(organization_id=organization_id, product_id=product_id)
    mapped = cells.values("function_id")
    by_id, external = function_rows(organization_id)
    functions = list(by_id.values())
    assignments = [
        AssignmentRow(id=pk, function_id=fid, layer_key=key, emphasis=emphasis, changed_at=changed)
        for pk, fid, key, emphasis, changed in cells.values_list(
            "id", "function_id", "layer__key", "emphasis", "changed_at"
        )
    ]
    stakeholders = [
        StakeholderRow(id=pk, function_id=fid)
        for pk, fid in Stakeholder.objects.filter(organization_id=organization_id, function_id__in=mapped).values_list(
            "id", "function_id"
        )
    ]
    return CoverageInput(
        functions=functions,
        assignments=assignments,
        stakeholders=stakeholders,
        reviews=_reviews(organization_id, product_id),
        disruptions=_disruptions(organization_id, mapped),
        partnerships=partnership_rows(organization_id, mapped),
        external_function_ids=external,
    )


def _reviews(organization_id: int, product_id: int) -> list[ReviewRow]:
    """Each stakeholder's latest review of each assignment: the only one coverage reads (the
    greatest (created_at, id), as `review_state.latest_review` picks it). Leaving the older ones
    in the database halves what a build of an organization with a review history reads."""
    newer = Review.objects.filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id")),
        assignment_id=OuterRef("assignment_id"),
        stakeholder_id=OuterRef("stakeholder_id"),
    )
    latest = Review.objects.filter(organization_id=organization_id, assignment__product_id=product_id).exclude(
        Exists(newer)
    )
    rows = latest.values_list(
        "assignment_id", "stakeholder_id", "verdict", "created_at", "resolved_at", "resolution", "id"
    )
    return [
        ReviewRow(
            assignment_id=aid,
            stakeholder_id=sid,
            verdict=verdict,
            created_at=created,
            resolved_at=resolved,
            resolution=resolution,
            id=pk,
        )
        for aid, sid, verdict, created, resolved, resolution, pk in rows
    ]


def _disruptions(organization_id: int, mapped: QuerySet) -> list[DisruptionRow]:
    # One row per (disruption, function): compute_coverage keeps the latest per function.
    # Only applied ones count (domain.review_state): a planned one waits for its date.
    through = Disruption.functions.through.objects.filter(
        disruption__organization_id=organization_id, disruption__applied_at__isnull=False, function_id__in=mapped
    )
    return [
        DisruptionRow(function_ids=(fid,), occurred_at=effective)
        for fid, effective in through.values_list("function_id", "disruption__effective_at")
    ]


def product_coverage(product: Product, *, now: datetime | None = None) -> Coverage:
    """The product's live coverage, read from the maintained read model (four queries)."""
    return live_coverage(product, now=now).coverage


# --- snapshots ----------------------------------------------------------------------------------


def reports_of(ctx: OrgContext) -> QuerySet[CoverageReport]:
    """Snapshots of the products the requester may see (DESIGN §5), newest first."""
    return _reports(ctx.organization.pk, visible_products(ctx))


def every_report(organization_id: int) -> QuerySet[CoverageReport]:
    """`reports_of` one who sees every product."""
    return _reports(organization_id, products_of(organization_id))


def _reports(organization_id: int, products: QuerySet[Product]) -> QuerySet[CoverageReport]:
    return (
        CoverageReport.objects.filter(organization_id=organization_id, product__in=products)
        .select_related("product", "organization")
        .order_by("-generated_at", "-id")
    )


# The JSON columns a list of snapshots leaves in the database.
HEAVY_COLUMNS = ("layers", "gaps", "data", "totals")


def report_for(ctx: OrgContext, pk: int) -> CoverageReport | None:
    """One visible snapshot; None answers 404 so another product's report does not leak."""
    return reports_of(ctx).select_related("requested_by").filter(pk=pk).first()


def report_list(
    ctx: OrgContext, *, product: Product | None = None, since: date | None = None, until: date | None = None
) -> QuerySet[CoverageReport]:
    """The reports page: the columns a row shows (`LISTED_COLUMNS`; the JSON stays in the database)."""
    qs = _listed(reports_of(ctx))
    if product is not None:
        qs = qs.filter(product=product)
    if since is not None:
        qs = qs.filter(generated_at__gte=_day_start(since))
    if until is not None:
        qs = qs.filter(generated_at__lt=_day_start(until + timedelta(days=1)))
    return qs


def _every_report(organization_id: int) -> QuerySet[CoverageReport]:
    """`report_list` of one who sees every product, unfiltered."""
    return _listed(every_report(organization_id))


# What a row of the reports page shows of a snapshot and its product (`report_row`, and the pair
# the comparison preselects): the product's and organization's whole rows were read with each.
LISTED_COLUMNS = (
    *("id", "product_id", "organization_id", "generated_at", "trigger", "score"),
    *("layer_coverage", "function_coverage", "review_coverage", "agreement"),
    *("product__id", "product__name", "product__slug"),
)


def _listed(reports: QuerySet[CoverageReport]) -> QuerySet[CoverageReport]:
    return reports.select_related(None).select_related("product").only(*LISTED_COLUMNS)


@prepared(shaped=("bottom", "top"))
def every_report_page(organization_id: int, bottom: int, top: int) -> QuerySet[CoverageReport]:
    return _every_report(organization_id)[bottom:top]


@prepared
def every_report_count(organization_id: int) -> QuerySet[Any]:
    """How many reports `_every_report` lists: one row (none when there is none)."""
    return count_rows(_every_report(organization_id))


def compare_choices(ctx: OrgContext, *, limit: int = 200) -> list[CoverageReport]:
    """Recent snapshots for the comparison picker."""
    light = reports_of(ctx).select_related(None).select_related("product")
    return list(light.only("id", "generated_at", "score", "trigger", "product__name")[:limit])


def product_trend(report: CoverageReport, *, length: int = TREND_LENGTH) -> list[dict[str, Any]]:
    """The product's snapshots up to and including `report`, oldest first (one query)."""
    return list(reversed(list(_trend_to(report.product_id, report.generated_at, report.pk, length))))


@prepared(shaped=("length",))
def _trend_to(product_id: int, generated_at: datetime, report_id: int, length: int) -> QuerySet[Any]:
    return (
        CoverageReport.objects.filter(product_id=product_id)
        .filter(Q(generated_at__lt=generated_at) | Q(generated_at=generated_at, id__lte=report_id))
        .order_by("-generated_at", "-id")
        .values(*TREND_FIELDS)[:length]
    )


TREND_FIELDS = (
    "id",
    "product_id",
    "generated_at",
    "trigger",
    "score",
    "layer_coverage",
    "function_coverage",
    "review_coverage",
    "agreement",
)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- the progress of a build --------------------------------------------------------------------


def job_key(job_id: str) -> str:
    """Where `services.reports.request_build` keeps what a build queued (the cache)."""
    return f"reports:job:{job_id}"


# The exception type a sweep of lost builds stores (services.reports.STUCK_BUILDS): its message
# is meant for the page; any other failure's is not.
LOST_BUILD = "BuildLost"
FAILED_BUILD = "The build stopped with an error; nothing was saved."


@dataclass(frozen=True)
class TaskProgress:
    task_id: str
    product: Product | None
    state: str  # queued | running | retrying | done | failed | skipped
    report_id: int | None = None
    score: int | None = None
    reason: str = ""  # why a failed build failed, in plain words


@dataclass(frozen=True)
class JobProgress:
    job_id: str
    tasks: list[TaskProgress]

    @property
    def total(self) -> int:
        return len(self.tasks)

    @property
    def finished(self) -> int:
        return sum(1 for t in self.tasks if t.state in _FINISHED)

    @property
    def done(self) -> bool:
        return self.finished == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100

    @property
    def failed(self) -> list[TaskProgress]:
        return [t for t in self.tasks if t.state == "failed"]

    @property
    def built(self) -> list[TaskProgress]:
        return [t for t in self.tasks if t.state == "done"]


_FINISHED = frozenset({"done", "failed", "skipped"})
_RUNNING = {"STARTED": "running", "RETRY": "retrying", "FAILURE": "failed", "REVOKED": "failed"}


def job_progress(*, organization_id: int, job_id: str) -> JobProgress | None:
    """Where a build stands, from its snapshots and django-celery-results' rows (three queries).

    A snapshot with the task's run key means done, whatever the result backend says (an eager
    run stores no result); otherwise the task's state. None for a job of another organization,
    or one forgotten after a day.
    """
    record = cache.get(job_key(job_id))
    if not record or record.get("organization_id") != organization_id:
        return None
    pairs: list[tuple[str, int]] = [tuple(pair) for pair in record["tasks"]]
    task_ids = [tid for tid, _ in pairs]
    reports = {
        r["run_key"]: r
        for r in CoverageReport.objects.filter(organization_id=organization_id, run_key__in=task_ids).values(
            "id", "run_key", "score"
        )
    }
    results = {
        tid: (status, result)
        for tid, status, result in TaskResult.objects.filter(task_id__in=task_ids).values_list(
            "task_id", "status", "result"
        )
    }
    products = Product.objects.filter(organization_id=organization_id).in_bulk([pid for _, pid in pairs])
    tasks = []
    for tid, pid in pairs:
        report = reports.get(tid)
        if report is not None:
            tasks.append(TaskProgress(tid, products.get(pid), "done", report["id"], report["score"]))
            continue
        status, result = results.get(tid, ("PENDING", None))
        state = "skipped" if status == "SUCCESS" else _RUNNING.get(status, "queued")
        reason = _failure_reason(result) if state == "failed" else ""
        tasks.append(TaskProgress(tid, products.get(pid), state, reason=reason))
    return JobProgress(job_id=job_id, tasks=tasks)


def _failure_reason(result: str | None) -> str:
    try:
        error = json.loads(result or "")
    except ValueError:
        return FAILED_BUILD
    if isinstance(error, dict) and error.get("exc_type") == LOST_BUILD and error.get("exc_message"):
        return str(error["exc_message"][0])
    return FAILED_BUILD
