"""The dashboard's reads (issue 5, issue 13 item 9): each product's latest snapshot and recent
scores, the first gaps of each latest snapshot, and the disruptions over the trend's span.

They cost the same few queries for 3 products or 300, and nothing in them grows with the
organization's functions, people or reviews: a snapshot's JSON (megabytes of gaps and data in a
large organization) stays in the database but for a few gaps, cut once and kept in the cache.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import BinaryField, Case, F, QuerySet, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from redis.exceptions import RedisError

from roles.models import Disruption
from roles.permissions import OrgContext
from roles.selectors.disruptions import Touched, touched
from shared.packed import stored_bytes, unpack_slice
from shared.prepared import prepared
from shared.sql import array_text

from ..models import Assignment, CoverageReport, Product
from .coverage import TREND_FIELDS, TREND_LENGTH
from .products import visible_products

DISRUPTION_DAYS = 30  # the timeline reaches back at least this far
DISRUPTIONS_SHOWN = 50  # the most the timeline lists
CACHE_ERRORS = (RedisError, OSError)  # the cache unreachable (Redis, or the embedded mode's files)

logger = logging.getLogger(__name__)

GAP_HEADS = 8  # gaps of each latest snapshot the dashboard reads: enough for its top gaps
GAP_HEADS_TTL = 60 * 60 * 24 * 7  # a week in the cache; then a snapshot still shown is cut again, once
TOUCHED_NAMES = 6  # functions a disruption on the dashboard names; the rest are counted
_LATEST_FIELDS = ("id", "product_id", "generated_at", "trigger", "score")  # what the dashboard shows of it


@dataclass
class ProductSeries:
    """One product on the dashboard: its latest snapshot (its light columns only), the first
    GAP_HEADS of that snapshot's gaps, and its recent scores (light)."""

    product: Product
    latest: CoverageReport | None = None
    top_gaps: list[dict[str, Any]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)  # oldest first


@dataclass
class Portfolio:
    series: list[ProductSeries]
    disruptions: list[Disruption]
    touched: dict[int, Touched] = field(default_factory=dict)  # by disruption id

    @property
    def built(self) -> list[ProductSeries]:
        return [s for s in self.series if s.latest is not None]

    @property
    def last_build(self) -> CoverageReport | None:
        built = [s.latest for s in self.series if s.latest is not None]
        return max(built, key=lambda r: (r.generated_at, r.pk), default=None)


def portfolio(ctx: OrgContext, products: Sequence[Product], *, length: int = TREND_LENGTH) -> Portfolio:
    """Each visible product's latest snapshot and last `length` scores, and the disruptions over
    the span of those scores with what each touched: four queries for any number of products."""
    series = {p.pk: ProductSeries(product=p) for p in products}
    keys = {}  # each latest snapshot's key in the cache of gap heads
    for row in _trends([p.pk for p in products], length):
        series[row["product_id"]].trend.append(row)
        if row["rank"] == 1:
            keys[row["id"]] = _gap_heads_key(row["id"], row["generated_at"])
    for item in series.values():
        item.trend.sort(key=lambda r: (r["generated_at"], r["id"]))
    for report, heads in _latest_with_gap_heads(keys):
        series[report.product_id].latest = report
        series[report.product_id].top_gaps = heads
    starts = [s.trend[0]["generated_at"] for s in series.values() if s.trend]
    disruptions = _disruptions_since(ctx, min(starts, default=None))
    return Portfolio(
        series=list(series.values()),
        disruptions=disruptions,
        touched=touched([d.pk for d in disruptions], first=TOUCHED_NAMES, organization_id=ctx.organization.pk),
    )


def _trends(product_ids: list[int], length: int) -> list[dict[str, Any]]:
    """The last `length` snapshots of each product (their light columns, and their rank: 1 the
    latest), newest first within each product.

    On PostgreSQL each product's are read along its (product, -generated_at) index and cut at
    `length` (`_latest_per_product`); the window that numbers them all (`_ranked_trends`, the
    SQLite way) read every snapshot the products ever had, and every tenant's when the planner
    chose to scan the table: one report a night for a year is 365 snapshots a product."""
    if not product_ids:
        return []
    if connection.vendor == "postgresql":
        return _latest_per_product(product_ids, length)
    return list(_ranked_trends(product_ids, length))


def _latest_per_product(product_ids: list[int], length: int) -> list[dict[str, Any]]:
    columns = ", ".join(f"r.{name}" for name in TREND_FIELDS)
    sql = f"""SELECT x.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL (
    SELECT {columns} FROM {CoverageReport._meta.db_table} r
    WHERE r.product_id = p.id ORDER BY r.generated_at DESC, r.id DESC LIMIT %s
) x ORDER BY x.product_id, x.generated_at DESC, x.id DESC"""  # noqa: S608 (column and table names; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_text(product_ids), length])
        found = [dict(zip(TREND_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    previous, rank = None, 0
    for row in found:
        rank = rank + 1 if row["product_id"] == previous else 1
        row["rank"], previous = rank, row["product_id"]
    return found


@prepared
def _ranked_trends(product_ids: list[int], length: int) -> QuerySet[Any]:
    return (
        CoverageReport.objects.filter(product_id__in=product_ids)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("product_id")], order_by=[F("generated_at").desc(), F("id").desc()]
            )
        )
        .filter(rank__lte=length)
        .values(*TREND_FIELDS, "rank")
    )


def _latest_with_gap_heads(keys: dict[int, str]) -> list[tuple[CoverageReport, list[dict[str, Any]]]]:
    """The latest snapshots (light columns, one query), each with its first GAP_HEADS gaps.

    A large organization's snapshot holds thousands of gaps, packed: its heads are read (the
    column's bytes leave the database) and cut once, then kept in the cache, since a snapshot never
    changes. Only those missing from it (a snapshot nobody has shown yet, or the cache
    unreachable) are read, in the same query."""
    if not keys:
        return []
    cached = _cache_call(cache.get_many, list(keys.values())) or {}
    missing = [pk for pk, key in keys.items() if key not in cached]
    reports = list(_latest_heads(list(keys), missing) if missing else _latest(list(keys)))
    fresh = {key: _gap_heads_of(r) for r in reports if (key := keys[r.pk]) not in cached}
    if fresh:
        _cache_call(cache.set_many, fresh, GAP_HEADS_TTL)
    heads = cached | fresh
    return [(report, heads[keys[report.pk]]) for report in reports]


@prepared
def _latest(report_ids: list[int]) -> QuerySet[CoverageReport]:
    return CoverageReport.objects.filter(id__in=report_ids).only(*_LATEST_FIELDS)


@prepared
def _latest_heads(report_ids: list[int], missing: list[int]) -> QuerySet[CoverageReport]:
    """The same snapshots, with the packed gaps of those in `missing` (`_with_gap_heads`)."""
    return _with_gap_heads(CoverageReport.objects.filter(id__in=report_ids).only(*_LATEST_FIELDS), missing)


def _gap_heads_key(report_id: int, generated_at: datetime) -> str:
    # The build time too: a restored database reusing an id never meets another snapshot's heads.
    return f"coverage:gap-heads:{GAP_HEADS}:{report_id}:{generated_at.timestamp()}"


def _cache_call(method: Any, *args: Any) -> Any:
    """The cache only saves work here: unreachable, the heads are cut in the database instead."""
    try:
        return method(*args)
    except CACHE_ERRORS:
        logger.warning("The cache is not answering: the dashboard cuts its gap heads in the database.")
        return None


def _with_gap_heads(reports: QuerySet[CoverageReport], ids: list[int]) -> QuerySet[CoverageReport]:
    """Annotate the snapshots `ids` among `reports` with their packed gaps' bytes (a CASE reads
    the column only for those): a snapshot's gaps are sorted by severity, so the dashboard's top
    gaps are all among each one's first few, and only those are parsed (`_gap_heads_of`)."""
    packed = Case(When(id__in=ids, then=stored_bytes("gaps")), default=None, output_field=BinaryField())
    return reports.annotate(packed_gaps=packed)


def _gap_heads_of(report: CoverageReport) -> list[dict[str, Any]]:
    return unpack_slice(getattr(report, "packed_gaps", None), 0, GAP_HEADS)


def _disruptions_since(ctx: OrgContext, start: datetime | None) -> list[Disruption]:
    """Disruptions over the trend's span, and at least the last 30 days: a reorg logged before
    the first report still explains the numbers that follow it.

    A stakeholder sees only those touching a function mapped on one of their products."""
    recent = timezone.now() - timedelta(days=DISRUPTION_DAYS)
    since = min(start, recent) if start else recent
    if not ctx.is_stakeholder_only:
        return list(_disruptions(ctx.organization.pk, since))
    qs = Disruption.objects.filter(organization_id=ctx.organization.pk, effective_at__gte=since)
    mapped = Assignment.objects.filter(product__in=visible_products(ctx)).values("function_id")
    qs = qs.filter(functions__in=mapped).distinct()
    return list(qs.order_by("effective_at", "id")[:DISRUPTIONS_SHOWN])


@prepared
def _disruptions(organization_id: int, since: datetime) -> QuerySet[Disruption]:
    """The organization's first disruptions from `since` (everyone's who sees every product)."""
    qs = Disruption.objects.filter(organization_id=organization_id, effective_at__gte=since)
    return qs.order_by("effective_at", "id")[:DISRUPTIONS_SHOWN]
