"""Access rules of DESIGN §5, in one place.

Every page and API view resolves the `<org>` of its URL through the requester's
membership. A user with no membership in that organization gets 404 (never 403:
the organization's existence must not leak); a member whose access does not
allow the action gets 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any, Concatenate, ParamSpec, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from shared.prepared import first_of, prepared

from . import statecache
from .backends import preloaded_user
from .models import Membership, Organization, Stakeholder
from .statecache import State


class Perm(enum.Enum):
    VIEW = "view"  # dashboards, map, reports (stakeholders: own products only)
    EDIT = "edit"  # functions, people, products, assignments, partnerships
    REVIEW = "review"  # review an assignment (stakeholders: own function only)
    RESOLVE = "resolve"  # resolve disputes, run review campaigns
    ADMIN = "admin"  # export reports, manage members and invites


GRANTS: dict[str, frozenset[Perm]] = {
    Membership.Access.ADMIN: frozenset(Perm),
    Membership.Access.LEADER: frozenset({Perm.VIEW, Perm.EDIT, Perm.REVIEW, Perm.RESOLVE}),
    Membership.Access.STAKEHOLDER: frozenset({Perm.VIEW, Perm.REVIEW}),
}


@prepared
def _person_of(organization_id: int, user_id: int) -> QuerySet[Stakeholder]:
    """A user's person record in an organization (`.first()`'s row, in the people's order)."""
    return first_of(
        Stakeholder.objects.select_related("function").filter(organization_id=organization_id, user_id=user_id)
    )


@dataclass
class OrgContext:
    """The requester inside one organization: what every view works from."""

    organization: Organization
    membership: Membership
    # Where the organization's data stands (roles.statecache), read with the membership; None
    # where writes are not counted (SQLite) or the context was built by hand.
    state: State | None = None
    # The function of the user's person here, as `org_context` read it: (id or None,); None when
    # the context was built another way (then `stakeholder` is asked).
    known_person_function: tuple[int | None] | None = None

    @property
    def access(self) -> str:
        return self.membership.access

    def can(self, perm: Perm) -> bool:
        return perm in GRANTS[self.membership.access]

    @property
    def can_edit(self) -> bool:
        return self.can(Perm.EDIT)

    @property
    def can_resolve(self) -> bool:
        return self.can(Perm.RESOLVE)

    @property
    def is_admin(self) -> bool:
        return self.can(Perm.ADMIN)

    @property
    def is_stakeholder_only(self) -> bool:
        return self.membership.access == Membership.Access.STAKEHOLDER

    @property
    def has_person(self) -> bool:
        """Whether a person record is linked to this user here (known without a query)."""
        if hasattr(self.membership, "person_id"):  # annotated by org_context
            return self.membership.person_id is not None
        return self.stakeholder is not None

    @property
    def person_function_id(self) -> int | None:
        """The function of the person linked to this user here, if any (known without a query
        when `org_context` read it: a page that highlights "your function" needs no more)."""
        if self.known_person_function is not None:
            return self.known_person_function[0]
        person = self.stakeholder
        return person.function_id if person is not None else None

    @cached_property
    def stakeholder(self) -> Stakeholder | None:
        """The person record linked to this user in this organization, if any: the context's
        second query, made only by the views that need the person itself."""
        if hasattr(self.membership, "person_id") and self.membership.person_id is None:
            return None
        return next(iter(_person_of(self.organization.pk, self.membership.user_id)), None)

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise PermissionDenied(self.refusal)

    @property
    def refusal(self) -> str:
        """Why a member is refused, in plain words (pages and the API say the same)."""
        label = str(Membership.Access(self.access).label).lower()
        return f"With {label} access to this organization you can't do this."


def org_context(user: Any, org_slug: str, *, row: tuple[Any, ...] | None = None) -> OrgContext:
    """Resolve an organization through the user's membership, or 404.

    One query: the membership, its organization, and the id of the user's person in that
    organization (the navigation needs to know whether there is one on every page). The
    membership's user is the requester already loaded by the session, not a second copy. `row`
    is that query's row when it was read already, with the session's user (`read_ahead`).

    Every signed-in page pays for this, so the query is written once as SQL (`_CONTEXT_SQL`)
    instead of being built by the ORM on each request: building and compiling the annotated
    queryset cost ~1 ms, running it ~0.1 ms (issue 13 item 8). The rows become model
    instances exactly as the ORM would make them (`Model.from_db`).
    """
    if not user.is_authenticated:
        raise Http404("No such organization.")
    if row is None:
        with connections[Membership.objects.db].cursor() as cursor:
            cursor.execute(_CONTEXT_SQL, [org_slug, user.pk])
            row = cursor.fetchone()
    if row is None or row[0] is None:  # no such membership (read ahead, its columns are empty)
        raise Http404("No such organization.")
    db = Membership.objects.db
    n = len(_ORGANIZATION_FIELDS)
    organization = Organization.from_db(db, _ORGANIZATION_FIELDS, row[:n])
    membership = Membership.from_db(db, _MEMBERSHIP_FIELDS, row[n : n + len(_MEMBERSHIP_FIELDS)])
    membership.person_id = row[n + len(_MEMBERSHIP_FIELDS)]
    person_function = (row[n + len(_MEMBERSHIP_FIELDS) + 1],)
    membership.organization = organization
    membership.user = user
    state = statecache.state_of(organization.pk, row[-5:])
    return OrgContext(
        organization=organization, membership=membership, state=state, known_person_function=person_function
    )


# The membership of user %s in the organization of slug %s, with the id of the user's person
# there (the first by name, as `Stakeholder`'s ordering gives it), then where the organization's
# data stands (roles.statecache: the database's epoch, the organization's summed weights and row
# count, then those of the rows no organization owns). Only columns that need no
# converter are read (no dates, which SQLite returns as text); any other field (`created_at`, a
# field added later) loads on first use, as with `.only()`. tests/roles/test_request_cost.py checks it.
_ORGANIZATION_FIELDS = ["id", "slug", "name", "go_to_market"]
_MEMBERSHIP_FIELDS = ["id", "user_id", "organization_id", "access"]
CONTEXT_COLUMNS = """o.id, o.slug, o.name, o.go_to_market,
       m.id, m.user_id, m.organization_id, m.access,
       (SELECT p.id FROM roles_stakeholder p
         WHERE p.organization_id = o.id AND p.user_id = m.user_id
         ORDER BY p.full_name, p.id LIMIT 1),
       (SELECT p.function_id FROM roles_stakeholder p
         WHERE p.organization_id = o.id AND p.user_id = m.user_id
         ORDER BY p.full_name, p.id LIMIT 1),
       (SELECT e.token FROM wp_state_epoch e LIMIT 1),
       (SELECT CAST(COALESCE(SUM(c.weight), 0) AS bigint) FROM wp_state_change c WHERE c.organization_id = o.id),
       (SELECT COUNT(*) FROM wp_state_change c WHERE c.organization_id = o.id),
       (SELECT CAST(COALESCE(SUM(g.weight), 0) AS bigint) FROM wp_state_change g WHERE g.organization_id IS NULL),
       (SELECT COUNT(*) FROM wp_state_change g WHERE g.organization_id IS NULL)"""
_CONTEXT_SQL = f"""
SELECT {CONTEXT_COLUMNS}
  FROM roles_membership m JOIN roles_organization o ON o.id = m.organization_id
 WHERE o.slug = %s AND m.user_id = %s
"""  # noqa: S608 (constants; values are parameters)

# `_CONTEXT_SQL`'s membership and organization for the user `u` and the organization of slug %s,
# joined so that a user who is no member of it still has a row (its context columns empty).
CONTEXT_JOINS = """LEFT JOIN roles_membership m
    ON m.user_id = u.id AND m.organization_id = (SELECT id FROM roles_organization WHERE slug = %s)
  LEFT JOIN roles_organization o ON o.id = m.organization_id"""


def columns_of(model: Any, alias: str) -> str:
    """Every column of `model` as `alias`'s, in the order `instance_of` takes them."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance_of(model: Any, values: Sequence[Any], connection: Any) -> Any:
    """The instance the ORM makes of a row of `columns_of(model, …)`: each value through the
    converters its compiler applies (SQLite's dates and booleans), then `Model.from_db`."""
    fields = model._meta.concrete_fields
    converted = [_converted(model, field, value, connection) for field, value in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


# The session's user (every column, as the ORM reads them) and `_CONTEXT_SQL`'s row for the
# organization of slug %s, empty when the user is no member of it: `read_ahead`'s one statement.
_USER_COLUMNS = len(User._meta.concrete_fields)
_USER_AND_CONTEXT_SQL = f"""
SELECT {columns_of(User, "u")},
       {CONTEXT_COLUMNS}
  FROM {User._meta.db_table} u
  {CONTEXT_JOINS}
 WHERE u.id = %s
"""  # noqa: S608 (constants; values are parameters)


@dataclass(frozen=True)
class ReadAhead:
    """A requester's user and their organization context row, read in one statement."""

    user: User
    org_slug: str
    row: tuple[Any, ...]

    def row_for(self, user: Any, org_slug: str) -> tuple[Any, ...] | None:
        """The context row, if it is this user's in this organization (`org_context(row=…)`)."""
        if self.org_slug == org_slug and user.is_authenticated and self.user.pk == user.pk:
            return self.row
        return None


def keep_read_ahead(request: Any, ahead: ReadAhead) -> None:
    """Leave what was read ahead on the request (a page's, or the API's DRF request) for
    `context_of` to take."""
    request._read_ahead = ahead


def context_of(request: Any, org_slug: str) -> OrgContext:
    """`org_context` of the request's user, from the row read ahead with that user when there is
    one (`keep_read_ahead`), else read now."""
    user = request.user
    ahead: ReadAhead | None = getattr(request, "_read_ahead", None)
    return org_context(user, org_slug, row=ahead.row_for(user, org_slug) if ahead is not None else None)


def read_ahead(request: HttpRequest, org_slug: str) -> ReadAhead | None:
    """The session's user and `_CONTEXT_SQL`'s row in one statement, before anything asked who
    the requester is (None when something did, or the session names no user, or no such user):
    every signed-in page read the user, then the context, two round trips where one does. The user
    is only a candidate: Django's `get_user` still decides who signs in (the backend's checks,
    the session's hash of the password), taking it from `roles.backends.preloaded_user` instead
    of a query of its own (`org_view`). The API's token authentication does the same with the
    token (`roles.api.authentication`)."""
    if hasattr(request, "_cached_user"):  # Django's auth middleware read the user already
        return None
    try:
        user_id = User._meta.pk.to_python(request.session.get(SESSION_KEY))
    except ValidationError:
        return None
    if not isinstance(user_id, int):
        return None
    connection = connections[User.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_USER_AND_CONTEXT_SQL, [org_slug, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user = instance_of(User, row[:_USER_COLUMNS], connection)
    return ReadAhead(user=user, org_slug=org_slug, row=tuple(row[_USER_COLUMNS:]))


def _converted(model: Any, field: Any, value: Any, connection: Any) -> Any:
    """`value` of `field` as the ORM's compiler gives it (SQLite's dates and booleans)."""
    col = field.get_col(model._meta.db_table)
    for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
        value = converter(value, col, connection)
    return value


class OrgRequest(HttpRequest):
    """The request a view inside an organization receives: signed in, with its `ctx`.

    Never built: `org_view` (pages) and `roles.api.permissions.OrgPermission` (the API) attach `ctx`
    to the request they are given, and views declare `request: OrgRequest` so that
    `request.ctx`, `request.user` and `request.htmx` (django-htmx's middleware) are typed.
    """

    ctx: OrgContext
    user: User
    htmx: HtmxDetails


def with_context(request: HttpRequest, ctx: OrgContext) -> OrgRequest:
    """Attach the organization context to a signed-in request: the one place it is set."""
    org_request = cast(OrgRequest, request)
    org_request.ctx = ctx
    return org_request


Params = ParamSpec("Params")
OrgPage = Callable[Concatenate[OrgRequest, Params], HttpResponse]
# What the URL resolver calls: the request, then `org` and the page's own URL arguments.
Page = Callable[..., HttpResponse]


def org_view(
    perm: Perm = Perm.VIEW, *, cached: str | None = None, drawn_with: tuple[str, ...] = ()
) -> Callable[[OrgPage[Params]], Page]:
    """Decorate a page view taking `org` from its URL.

    Anonymous users go to login; non-members get 404; members lacking `perm` get
    403. The view receives an `OrgRequest` (`request.ctx`) and keeps its kwargs.

    `cached` ("day" or "minute", what the page's words about time are precise to) answers a
    GET the view answered before, for the same member at the same state of the organization's
    data, from the cache (roles.statecache): only for a page drawn from the database alone.
    A request carrying one of the query parameters `drawn_with` (one that shows something kept
    elsewhere, a job's progress) is always drawn.
    """

    def decorator(view: OrgPage[Params]) -> Page:
        @login_required
        @wraps(view)
        def signed_in(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            ctx = context_of(request, org)
            org_request = with_context(request, ctx)
            ctx.require(perm)
            if cached and not any(name in request.GET for name in drawn_with):
                return statecache.serve(
                    org_request, ctx.state, lambda: view(org_request, *args, **kwargs), fresh=cached
                )
            return view(org_request, *args, **kwargs)

        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            # The user and the context in one statement; Django's `get_user` (asked here, as
            # `login_required` would ask it) decides from it whether the requester is signed in.
            ahead = read_ahead(request, org)
            if ahead is not None:
                with preloaded_user(ahead.user):
                    request.user.is_authenticated  # noqa: B018 (reads the session's user now)
                keep_read_ahead(request, ahead)
            return signed_in(request, org, *args, **kwargs)

        return wrapper

    return decorator
