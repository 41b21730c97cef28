"""Querysets whose SQL is built once per process: `@prepared` (issue 13: a page drawn by its view).

Django builds a queryset's SQL on every evaluation: it resolves every lookup, join and column of
the select, then compiles them to text. For the statements a page runs on every load that is
most of their cost — the dashboard's layer rows, joined to their layer and lead and ordered
through the join, took 0.16 ms to build and 0.78 to compile for 0.6 of database time. The SQL of
such a statement depends on its *shape* (which lookups, joins, columns and order), not on the ids
it is asked about, so `@prepared` builds it once and then only puts each call's values in place:

    @prepared
    def layer_rows(organization_id: int, product_ids: Sequence[int]) -> QuerySet[LayerCounts]:
        return LayerCounts.objects.filter(organization_id=organization_id, product_id__in=product_ids)...

    rows = list(layer_rows(org.pk, [1, 2, 3]))  # a queryset to iterate; nothing to chain on it

How it stays exact:

- An argument that is an int, a str, a date or a datetime, or a list or tuple of them, is a
  *value* (a datetime's time zone, none or which, is part of the shape): the builder is
  called once with stand-ins (values no caller passes) and the compiled parameters that are
  stand-ins are where each call's values go. A list's length is part of the shape (`IN` holds a
  placeholder each). Any other argument (None, a bool, a date, an enum) is part of the shape:
  each different one is built and compiled once.
- A stand-in that is not found among the parameters, that appears in the SQL's text, or that
  comes out changed (`name__icontains` wraps it in `%`) makes the shape unpreparable: it is then
  built and compiled on every call, as without the decorator.
- The first call of each shape is also built the ordinary way and its SQL and parameters compared
  with the prepared ones; any difference makes the shape unpreparable. Under
  `settings.PREPARED_CHECK` (the test suite) every call is compared, and a difference raises.
- A parameter named in `@prepared(shaped=(...))` is part of the shape whatever its type: a
  slice's bounds, which Django writes into the SQL's text (`LIMIT 40`).
- The queryset handed back is read-only: iterating it (and `len`, `bool`, `list`) runs the stored
  SQL; anything that would build another statement from it (`filter`, `count`, a slice) raises,
  so no caller can narrow it by mistake and get the unnarrowed rows.
- At most `SHAPES_KEPT` shapes are kept per builder (the oldest goes first). Statements are
  kept per database vendor; the connection a call uses is its thread's own. Two
  threads meeting a new shape at once both build it: the same plan, stored twice.
"""

from __future__ import annotations

import copy
import functools
import inspect
import itertools
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar, cast, overload

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

P = ParamSpec("P")
Q = TypeVar("Q", bound=QuerySet)

_INT_BASE = 1_987_650_000  # within a 32-bit column's range, so no lookup refuses it as out of range
_counter = itertools.count()
MARK = "\x1eprepared-"  # a str stand-in's start
_MISSING: Any = object()
SHAPES_KEPT = 256  # per builder: a list's every length is a shape, and memory stays bounded


class PreparedQuerySetError(TypeError):
    """A prepared queryset was asked to build another statement."""


def _stand_in(value: Any) -> Any:
    """A value of the same kind that no caller passes (unique within the process)."""
    n = next(_counter) % 1_000_000
    if type(value) is int:
        return _INT_BASE + n
    if type(value) is str:
        return f"{MARK}{n}\x1e"
    moment = datetime(1001 + n % 998, 1 + n // 998 % 12, 1 + n // 11_976 % 28, n // 335_328 % 24, tzinfo=value.tzinfo)
    return moment if type(value) is datetime else moment.date()


VALUES = (int, str, date, datetime)  # types whose arguments are put in place (exactly these types)


def _is_value(value: Any) -> bool:
    return type(value) in VALUES


def _is_values(value: Any) -> bool:
    return type(value) in (list, tuple) and all(_is_value(item) for item in value)


def _shape(args: tuple[Any, ...], fixed: frozenset[int] = frozenset()) -> tuple[Any, ...]:
    """What the SQL's text can depend on: each value's type (a sequence's length too), and every
    other argument (and those at the positions `fixed`) itself."""
    shape: list[Any] = []
    for i, arg in enumerate(args):
        if i in fixed:
            shape.append(("shape", arg))
        elif _is_value(arg):
            shape.append(("value", type(arg), getattr(arg, "tzinfo", None)))
        elif _is_values(arg):
            shape.append(("values", type(arg), tuple((type(item), getattr(item, "tzinfo", None)) for item in arg)))
        else:
            shape.append(("shape", arg))
    return tuple(shape)


class _Plan:
    """One shape's statement: its SQL, where each parameter comes from, the compiler that read the
    rows' columns when it was compiled (select, related objects, converters), and the queryset
    built with stand-ins (its model, database and kind of rows)."""

    def __init__(self, template: QuerySet, compiler: Any, sql: str, sources: list[tuple[Any, Any]]):
        self.template, self.compiler, self.sql, self.sources = template, compiler, sql, sources

    def params(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for where, which in self.sources:
            if where is None:
                out.append(which)  # a constant of the statement
            else:
                out.append(args[where] if which is None else args[where][which])
        return tuple(out)

    def queryset(self, args: tuple[Any, ...]) -> QuerySet:
        """A queryset of the template's kind that runs the stored SQL with this call's values."""
        params, db = self.params(args), self.template.db
        template: Any = self.template  # QuerySet's private attributes, as its own _clone copies them
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[db]  # this thread's
        compiler.using = db
        compiler.as_sql = lambda *a, **k: (self.sql, params)
        query: Any = copy.copy(template.query)
        query.get_compiler = lambda *a, **k: compiler
        query.chain = query.clone = _read_only  # filter, count, a slice, exists… each clones first
        kind = _read_only_kind(template.__class__)
        queryset = kind(model=template.model, query=query, using=template._db, hints=template._hints)
        queryset._iterable_class = template._iterable_class
        queryset._fields = template._fields
        queryset._prefetch_related_lookups = template._prefetch_related_lookups[:]
        queryset._known_related_objects = template._known_related_objects
        return queryset


def _compiled(queryset: QuerySet) -> tuple[Any, str, tuple[Any, ...]]:
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _plan(build: Callable[..., QuerySet], args: tuple[Any, ...], fixed: frozenset[int]) -> _Plan | None:
    """The shape's statement built with stand-ins; None when it cannot be prepared."""
    stand_ins: list[Any] = []
    where_of: dict[tuple[type, Any], tuple[int, int | None]] = {}
    for i, arg in enumerate(args):
        if i in fixed:
            stand_ins.append(arg)
        elif _is_value(arg):
            stand = _stand_in(arg)
            where_of[(type(stand), stand)] = (i, None)
            stand_ins.append(stand)
        elif _is_values(arg):
            items = []
            for j, item in enumerate(arg):
                stand = _stand_in(item)
                where_of[(type(stand), stand)] = (i, j)
                items.append(stand)
            stand_ins.append(type(arg)(items))
        else:
            stand_ins.append(arg)
    try:
        template = build(*stand_ins)
        compiler, sql, params = _compiled(template)
    except (EmptyResultSet, FullResultSet):
        return None
    sources: list[tuple[Any, Any]] = []
    for param in params:
        where = where_of.get((type(param), param)) if type(param) in VALUES else None
        if where is not None:
            sources.append(where)
        elif isinstance(param, str) and MARK in param:
            return None  # a value the statement changed (a pattern around it)
        else:
            sources.append((None, param))
    if {source for source in sources if source[0] is not None} != set(where_of.values()):
        return None  # a value that is not a parameter (written into the SQL's text, or dropped)
    if any(str(stand) in sql for stand, _where in where_of):
        return None
    return _Plan(template, compiler, sql, sources)


def _agrees(plan: _Plan, fresh: QuerySet, args: tuple[Any, ...]) -> bool:
    return statement_of(fresh) == (plan.sql, plan.params(args))


def statement_of(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters `queryset` runs (a prepared one's stored statement too); none for
    a list known to be empty."""
    try:
        _compiler, sql, params = _compiled(queryset)
    except (EmptyResultSet, FullResultSet):
        return "", ()
    return sql, params


def check_same_statement(rows: Any, expected: Any) -> None:
    """Under `PREPARED_CHECK` (the test suite), `rows` — a reader's prepared statement of a list's
    rows — must run the statement `expected`, the list's own, does."""
    if getattr(settings, "PREPARED_CHECK", False) and statement_of(rows) != statement_of(expected):
        raise AssertionError(f"A prepared reader differs from its list: {statement_of(rows)[0]}")


_KINDS: dict[type, type] = {}


def _read_only_kind(kind: type) -> type:
    """The queryset class `kind` with a repr that shows the rows (Django's slices the queryset,
    which a prepared one refuses): debug pages and logs print it."""
    if kind not in _KINDS:
        _KINDS[kind] = type(f"Prepared{kind.__name__}", (kind,), {"__repr__": _repr})
    return _KINDS[kind]


def _repr(queryset: Any) -> str:
    rows = list(queryset)
    shown = [*rows[:20], "...(remaining elements truncated)..."] if len(rows) > 20 else rows
    return f"<prepared {queryset.__class__.__bases__[0].__name__} {shown!r}>"


def first_of(queryset: Q) -> Q:
    """The one row `.first()` would read, as a statement a builder can return (`.first()` runs at
    once): in the list's order, or else by id."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def _read_only(*_args: Any, **_kwargs: Any) -> Any:
    raise PreparedQuerySetError("A prepared queryset is read as it is: build another statement in its builder.")


@overload
def prepared(build: Callable[P, Q]) -> Callable[P, Q]: ...


@overload
def prepared(*, shaped: tuple[str, ...]) -> Callable[[Callable[P, Q]], Callable[P, Q]]: ...


def prepared(build: Any = None, *, shaped: tuple[str, ...] = ()) -> Any:
    """Build `build`'s statement once per shape of its arguments (see the module's docstring).
    `shaped` names the parameters that are part of the shape whatever their type: a slice's
    bounds (`[:limit]`), which Django writes into the SQL's text."""
    if build is None:
        return functools.partial(_prepared, shaped=shaped)
    return _prepared(build, shaped=shaped)


def _prepared(build: Callable[P, Q], *, shaped: tuple[str, ...]) -> Callable[P, Q]:
    names = list(inspect.signature(build).parameters)
    unknown = set(shaped) - set(names)
    if unknown:
        raise TypeError(f"{build.__name__} has no parameter {', '.join(sorted(unknown))}.")
    fixed = frozenset(names.index(name) for name in shaped)
    plans: dict[tuple[Any, ...], _Plan | None] = {}
    lock = threading.Lock()
    make: Callable[..., Q] = build  # called with the arguments as given (positional, checked)

    @functools.wraps(build)
    def call(*args: P.args, **kwargs: P.kwargs) -> Q:
        if kwargs:
            raise TypeError(f"{build.__name__}: a prepared builder takes positional arguments only.")
        check = getattr(settings, "PREPARED_CHECK", False)
        key = (connections[DEFAULT_DB_ALIAS].vendor, *_shape(args, fixed))
        plan = plans.get(key, _MISSING)  # one read: another thread may evict the key meanwhile
        if plan is _MISSING:
            fresh = make(*args)
            plan = _plan(make, args, fixed)
            if plan is not None and not _agrees(plan, fresh, args):
                if check:
                    raise AssertionError(f"{build.__name__}: the prepared statement differs from the built one.")
                plan = None
            with lock:  # writers one at a time, so the eviction's iteration meets no other write
                while len(plans) >= SHAPES_KEPT:  # lists of many lengths: the oldest shapes make room
                    plans.pop(next(iter(plans)))
                plans[key] = plan
            return fresh
        if plan is None:
            return make(*args)
        if check and not _agrees(plan, make(*args), args):
            raise AssertionError(f"{build.__name__}: the prepared statement differs from the built one.")
        return cast(Q, plan.queryset(args))

    return call


__all__ = ["PreparedQuerySetError", "check_same_statement", "first_of", "prepared", "statement_of"]
