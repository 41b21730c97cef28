"""A page of an ordered list read in two steps: its ids first, then its rows.

A list ordered through a join (an API's cells by ring, then function name) asks the database to
sort every row of the list, with every column of every joined table, to keep fifty: at 5,000
functions, 6,300 wide rows for one page of the API's cells. Asked for the page's ids alone, the
same ORDER BY and LIMIT read only the columns the order needs, from indexes where they hold them;
the page's rows are then fetched by those ids, in the same order (`ids_first`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.query import ModelIterable

TOTAL_ORDER_LAST = frozenset({"pk", "-pk", "id", "-id"})


def narrowable(queryset: Any) -> bool:
    """Whether a page of `queryset` is better read ids first: a plain queryset of model instances
    whose order goes through a related table and ends with the primary key (so the order is total
    and the two statements agree on it), with nothing that an id subquery would change (DISTINCT,
    annotations, extra columns, a union, a slice)."""
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
        return False
    query = queryset.query
    if query.is_sliced or query.distinct or query.combinator or query.annotations or query.extra:
        return False
    if query.values_select or query.is_empty():
        return False
    order = [key for key in query.order_by if isinstance(key, str)]
    if len(order) != len(query.order_by) or not order or order[-1] not in TOTAL_ORDER_LAST:
        return False
    return any("__" in key for key in order)


def ids_first(queryset: Any, bottom: int, top: int) -> Any:
    """The rows `bottom` to `top` of `queryset`, their ids cut first by a statement that selects
    them alone (see the module's docstring); any other list is sliced as usual."""
    if not narrowable(queryset):
        return queryset[bottom:top]
    ids = queryset.values("pk")[bottom:top]  # values() leaves select_related out: the order's joins only
    return queryset.filter(pk__in=ids)
