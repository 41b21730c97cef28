"""The latest disruption per function, read in one query: the one home of that read (issue 17).

The partnership web dates its trust checks by it, the read model marks reviews stale by it, and
a check-in asks it of a partnership's two functions. Only disruptions that have taken effect
count: applied by the disruption service (`applied_only`, the default) and, with `now`, dated no
later than it. The same rule on plain rows, without the database, is
`domain.review_state.latest_disruptions`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import Max, QuerySet

from ..models import Disruption


def latest_disruptions(
    *,
    organization_id: int,
    function_ids: Collection[int] | QuerySet[Any, Any] | None = None,
    now: datetime | None = None,
    applied_only: bool = True,
) -> dict[int, datetime]:
    """{function id: the effective time of its latest disruption} (one query)."""
    links = Disruption.functions.through.objects.filter(disruption__organization_id=organization_id)
    if applied_only:
        links = links.filter(disruption__applied_at__isnull=False)
    if function_ids is not None:  # ids, or a queryset of them, which goes in as a subquery
        links = links.filter(function_id__in=function_ids)
    if now is not None:
        links = links.filter(disruption__effective_at__lte=now)
    return dict(links.order_by().values_list("function_id").annotate(last=Max("disruption__effective_at")))
