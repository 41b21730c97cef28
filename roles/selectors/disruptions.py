"""The latest disruption per function, read in one query: the one home of that read (issue 17).

The partnership web dates its trust checks by it, the read model marks reviews stale by it, and
a check-in asks it of a partnership's two functions. Only disruptions that have taken effect
count: applied by the disruption service (`applied_only`, the default) and, with `now`, dated no
later than it. The same rule on plain rows, without the database, is
`domain.review_state.latest_disruptions`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from shared.prepared import prepared
from shared.sql import array_text

from ..models import Disruption, Function


def latest_disruptions(
    *,
    organization_id: int,
    function_ids: Collection[int] | QuerySet[Any, Any] | None = None,
    now: datetime | None = None,
    applied_only: bool = True,
) -> dict[int, datetime]:
    """{function id: the effective time of its latest disruption} (one query)."""
    return dict(
        latest_disruptions_query(
            organization_id=organization_id, function_ids=function_ids, now=now, applied_only=applied_only
        )
    )


def latest_disruptions_query(
    *,
    organization_id: int,
    function_ids: Collection[int] | QuerySet[Any, Any] | None = None,
    now: datetime | None = None,
    applied_only: bool = True,
) -> QuerySet[Any]:
    """(function id, the effective time of its latest disruption) rows: `latest_disruptions`'s
    statement, for a prepared builder to return."""
    links = Disruption.functions.through.objects.filter(disruption__organization_id=organization_id)
    if applied_only:
        links = links.filter(disruption__applied_at__isnull=False)
    if function_ids is not None:  # ids, or a queryset of them, which goes in as a subquery
        links = links.filter(function_id__in=function_ids)
    if now is not None:
        links = links.filter(disruption__effective_at__lte=now)
    return links.order_by().values_list("function_id").annotate(last=Max("disruption__effective_at"))


@dataclass(frozen=True)
class TouchedFunction:
    id: int
    name: str
    category: str


@dataclass
class Touched:
    """The functions a disruption touched: the first few by name, and how many in all."""

    functions: list[TouchedFunction] = field(default_factory=list)
    count: int = 0

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.functions]

    @property
    def more(self) -> int:
        return max(self.count - len(self.functions), 0)

    @property
    def more_words(self) -> str:
        """ "and 318 more functions" for those not named; empty when every one is."""
        more = self.more
        return f"and {more:,} more function{'' if more == 1 else 's'}" if more else ""

    @property
    def sentence(self) -> str:
        """The names, then the count of the rest: "Legal, Sales and 318 more functions"."""
        names = ", ".join(self.names)
        return f"{names} {self.more_words}" if self.more else names


def touched(disruption_ids: Iterable[int], *, first: int, organization_id: int) -> dict[int, Touched]:
    """What each disruption of the organization touched: its `first` functions by name and how
    many in all (one query), so a reorganization of thousands of functions costs what one of three
    does (the dashboard and the disruptions timeline). The functions are the organization's (as
    a disruption's always are): named, PostgreSQL reads them from its index, not every tenant's."""
    ids = list(disruption_ids)
    found = {pk: Touched() for pk in ids}
    postgresql = connection.vendor == "postgresql"
    rows = _touched_rows(ids, first, organization_id) if postgresql else _touched(ids, first, organization_id)
    for disruption_id, function_id, name, category, total in rows:
        found[disruption_id].functions.append(TouchedFunction(function_id, name, category))
        found[disruption_id].count = total
    return found


def _touched_rows(ids: list[int], first: int, organization_id: int) -> list[tuple[Any, ...]]:
    """`_touched`'s rows on PostgreSQL, each touched function read by its key (a LATERAL read kept
    apart by OFFSET 0): given the join, the planner hashed every function of the organization (5,000)
    for the 200 a few disruptions touch, 0.8-1.4 ms where these reads take 0.3-0.6 (EXPLAIN ANALYZE).
    A test holds the two statements' rows equal."""
    if not ids:
        return []
    through, function = Disruption.functions.through._meta.db_table, Function._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT disruption_id, function_id, name, category, total FROM (
    SELECT d.disruption_id, d.function_id, f.name, f.category,
           ROW_NUMBER() OVER (PARTITION BY d.disruption_id ORDER BY f.name, d.function_id) AS rank,
           COUNT(*) OVER (PARTITION BY d.disruption_id) AS total
      FROM {through} d
     CROSS JOIN LATERAL (SELECT name, category FROM {function} WHERE id = d.function_id
                          AND organization_id = %s OFFSET 0) f
     WHERE d.disruption_id = ANY(%s::bigint[])
) ranked WHERE rank <= %s ORDER BY disruption_id, rank""",  # noqa: S608 - table names, no input
            [organization_id, array_text(ids), first],
        )
        return cursor.fetchall()


@prepared
def _touched(ids: list[int], first: int, organization_id: int) -> QuerySet[Any]:
    links: Any = Disruption.functions.through  # (its annotations are beyond the type checker)
    return (
        links.objects.filter(disruption_id__in=ids, function__organization_id=organization_id)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("disruption_id")], order_by=[F("function__name"), F("function_id")]
            ),
            total=Window(Count("id"), partition_by=[F("disruption_id")]),
        )
        .filter(rank__lte=first)
        .order_by("disruption_id", "rank")
        .values_list("disruption_id", "function_id", "function__name", "function__category", "total")
    )
