"""Reads of the organization side (STYLE: selectors).

Every function takes the organization and returns rows of that organization only,
already joined for the page that shows them, so a page's query count does not
grow with the organization's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from shared.prepared import prepared

from ..models import Function, Organization, Stakeholder, category_rank
from ..rowcounts import page_of

# The order of DESIGN §2: the builders first, partners last.
CATEGORY_ORDER: list[tuple[str, str]] = list(Function.Category.choices)


def functions_of(organization: Organization | int) -> QuerySet[Function]:
    return Function.objects.filter(organization=organization)


def function_of(organization: Organization, pk: int) -> Function | None:
    return functions_of(organization).select_related("parent").filter(pk=pk).first()


# What a row of the functions page shows of a function and its parent (`function_row`): their whole
# rows (the playbook match and its decoded hints, the creator, the dates) were read.
FUNCTION_LISTED = (
    *("id", "organization_id", "name", "category", "is_external", "description", "parent_id"),
    *("parent__id", "parent__name"),
)


def functions_for_list(organization: Organization | int, *, query: str = "", category: str = "") -> QuerySet[Function]:
    """The functions page's rows in page order: by category (DESIGN order), then by name, as the
    index `function_page_order` holds them; the search matches the name, anywhere in it. Page it,
    then `count_people` on the page."""
    functions = functions_of(organization).select_related("parent").only(*FUNCTION_LISTED)
    functions = functions.annotate(category_rank=category_rank())
    if query:
        functions = functions.filter(name__icontains=query)
    if category:
        functions = functions.filter(category=category)
    return functions.order_by("category_rank", Lower("name"), "pk")


@prepared(shaped=("bottom", "top"))
def functions_page(organization_id: int, bottom: int, top: int) -> QuerySet[Function]:
    """Rows `bottom` to `top` of `functions_for_list` unsearched (every function, page order)."""
    return functions_for_list(organization_id)[bottom:top]


@prepared
def category_totals_of(organization_id: int) -> QuerySet[Any]:
    """`category_totals_query` of every function of the organization (as the functions page lists them)."""
    return category_totals_query(functions_for_list(organization_id))


def category_totals(functions: QuerySet[Function]) -> dict[str, int]:
    """How many of `functions` each category holds (one query)."""
    return dict(category_totals_query(functions))


def category_totals_query(functions: QuerySet[Function]) -> QuerySet[Any]:
    """(category, how many) of `functions`. `COUNT(*)` needs no column beyond the category, so the
    organization's (organization, category) index answers it alone."""
    return functions.order_by().values_list("category").annotate(n=Count("*"))


def count_people(functions: list[Function]) -> None:
    """Set `people_count` on each function of a page (one query, whatever the organization's size).

    Counted from the people's (organization, function) index alone: `COUNT(*)`, which needs no
    column the index lacks (counting ids read each person's row: 3.4 ms for a page at 5,000
    functions and 100,000 people, 0.5 ms from the index)."""
    if not functions:
        return
    counts = dict(_people_counts(functions[0].organization_id, [f.pk for f in functions]))
    for function in functions:
        function.people_count = counts.get(function.pk, 0)


@dataclass
class FunctionRow:
    function: Function
    depth: int  # how many levels inside another function of the same category


@dataclass
class CategoryGroup:
    key: str
    label: str
    rows: list[FunctionRow] = field(default_factory=list)
    total: int | None = None  # in the whole (searched) list, when it is paged
    first_page: int = 1  # the page where the category starts


def group_by_category(functions: Iterable[Function]) -> list[CategoryGroup]:
    """Five groups in DESIGN order; inside each, a function follows its parent.

    A child whose parent sits in another category stays at the top of its own
    group (the page shows which function it belongs to).
    """
    groups = {key: CategoryGroup(key, label) for key, label in CATEGORY_ORDER}
    by_category: dict[str, list[Function]] = defaultdict(list)
    for function in functions:
        by_category[function.category].append(function)
    for key, members in by_category.items():
        groups[key].rows = _tree_rows(members)
    return list(groups.values())


def _tree_rows(members: list[Function]) -> list[FunctionRow]:
    ids = {f.pk for f in members}
    children: dict[int | None, list[Function]] = defaultdict(list)
    for f in members:
        children[f.parent_id if f.parent_id in ids else None].append(f)
    rows: list[FunctionRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for f in sorted(children.get(parent_id, []), key=lambda f: f.name.lower()):
            rows.append(FunctionRow(f, depth))
            walk(f.pk, depth + 1)

    walk(None, 0)
    return rows


def descendant_ids(function: Function) -> set[int]:
    """Ids of every function inside `function`, at any depth (one query)."""
    pairs = Function.objects.filter(organization_id=function.organization_id).values_list("pk", "parent_id")
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in pairs:
        if parent_id is not None:
            children[parent_id].append(pk)
    found: set[int] = set()
    stack = [function.pk]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:  # guards against a cycle written outside the services
                found.add(child)
                stack.append(child)
    return found


def parent_choices(organization: Organization, function: Function | None = None) -> QuerySet[Function]:
    """Functions that may contain `function`: same organization, not itself nor inside it."""
    qs = functions_of(organization).order_by("name")
    if function is not None and function.pk:
        qs = qs.exclude(pk__in={function.pk, *descendant_ids(function)})
    return qs


def function_name_taken(organization: Organization, name: str, *, exclude_pk: int | None = None) -> Function | None:
    """The function already using `name` (ignoring case), if any."""
    qs = functions_of(organization).filter(name__iexact=name.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def people_of(organization: Organization | int) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(organization=organization)


def person_of(organization: Organization, pk: int) -> Stakeholder | None:
    return people_of(organization).select_related("function").filter(pk=pk).first()


# A person's columns the people list and the person picker show (`person_row`, `person_options.html`);
# any other loads on first use.
PERSON_LISTED = (
    "id",
    "organization_id",
    "function_id",
    "full_name",
    "title",
    "email",
    "user_id",
    "manager_id",
    "function__id",
    "function__name",
    "function__category",
    "manager__id",
    "manager__full_name",
)


def people_for_list(
    organization: Organization | int, *, query: str = "", function_id: int | None = None
) -> QuerySet[Stakeholder]:
    """People of the organization matching a search on name, email, title or function, with
    what a row of the list and a picker's option show (`PERSON_LISTED`): a page of 50 people read
    every column of each person, function (its playbook hints decoded) and manager."""
    qs = people_of(organization).select_related("function", "manager").only(*PERSON_LISTED)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(title__icontains=query)
            | Q(function__name__icontains=query)
        )
    if function_id is not None:
        qs = qs.filter(function_id=function_id)
    return qs.order_by("full_name", "pk")


@prepared
def _people_counts(organization_id: int, function_ids: list[int]) -> QuerySet[Any]:
    return (
        Stakeholder.objects.filter(organization_id=organization_id, function__in=function_ids)
        .order_by()
        .values_list("function")
        .annotate(n=Count("*"))
    )


@prepared(shaped=("bottom", "top", "by_ids"))
def people_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Stakeholder]:
    """A page of `people_for_list` unfiltered (every person of the organization), as
    `CountedPaginator` reads it (`rows`)."""
    return page_of(people_for_list(organization_id), bottom, top, by_ids)


@prepared(shaped=("limit",))
def function_choices(organization_id: int, limit: int) -> QuerySet[Any]:
    """(id, name) of the organization's first `limit` functions by name: a filter's options."""
    return Function.objects.filter(organization_id=organization_id).order_by("name").values_list("pk", "name")[:limit]


def email_taken(organization: Organization, email: str, *, exclude_pk: int | None = None) -> Stakeholder | None:
    """The person already using `email` (compared lowercased), if any."""
    qs = people_of(organization).filter(email__iexact=email.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


@dataclass(frozen=True)
class FunctionDeletion:
    """What deleting a function takes with it, shown before the leader confirms."""

    people: list[Stakeholder]
    people_count: int
    assignment_count: int
    product_count: int
    children_count: int


def function_deletion_impact(function: Function) -> FunctionDeletion:
    people = list(function.stakeholders.order_by("full_name")[:10])
    assignments = function.assignments.aggregate(n=Count("pk"), products=Count("product", distinct=True))
    return FunctionDeletion(
        people=people,
        people_count=function.stakeholders.count(),
        assignment_count=assignments["n"],
        product_count=assignments["products"],
        children_count=function.children.count(),
    )
