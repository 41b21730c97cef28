"""Reads of the product side (STYLE: selectors), scoped to the requester's organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from roles.models import Function, Organization, Stakeholder
from roles.permissions import OrgContext

from ..models import Assignment, Product
from ..readmodel import headcount


def products_of(organization_id: int) -> QuerySet[Product]:
    return Product.objects.filter(organization_id=organization_id)


def visible_products(ctx: OrgContext) -> QuerySet[Product]:
    """The products the requester may see (DESIGN §5).

    Leaders and admins see every product of the organization. A stakeholder sees
    "their own product(s)": those where their function has at least one
    assignment, or that they head. A stakeholder member with no person record
    sees none.
    """
    products = products_of(ctx.organization.pk)
    if not ctx.is_stakeholder_only:
        return products
    person = ctx.stakeholder
    if person is None:
        return products.none()
    own_function = Assignment.objects.filter(product=OuterRef("pk"), function_id=person.function_id)
    return products.filter(Q(Exists(own_function)) | Q(head=person))


def products_for_list(ctx: OrgContext) -> QuerySet[Product]:
    """Visible products with their head and how many functions are mapped on each.

    The count is the read model's (`ProductCounts.mapped_functions`, the product's counter row
    joined one to one): the same at 10 functions or 5,000, where counting the distinct functions of
    every product's thousands of assignments grew with the map."""
    return (
        visible_products(ctx)
        .select_related("head", "head__function")
        .annotate(function_count=Coalesce(F("counts__mapped_functions"), 0))
        .order_by("name")
    )


def product_for(ctx: OrgContext, slug: str) -> Product | None:
    """One visible product by slug; None answers 404 (another's product does not leak)."""
    return visible_products(ctx).select_related("head", "head__function").filter(slug=slug).first()


def product_to_edit(ctx: OrgContext, slug: str) -> Product | None:
    return products_of(ctx.organization.pk).select_related("head").filter(slug=slug).first()


def slug_taken(organization_id: int, slug: str, *, exclude_pk: int | None = None) -> Product | None:
    qs = products_of(organization_id).filter(slug=slug)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


@dataclass(frozen=True)
class OrganizationCounts:
    functions: int
    people: int
    products: int


def organization_counts(ctx: OrgContext) -> OrganizationCounts:
    """The dashboard's three figures in one query. The head count comes from the cache when it
    holds it (`readmodel.headcount`: counting 100,000 people on each view read them all)."""
    organization = ctx.organization
    key = headcount.key_of(organization)
    known = headcount.cached(key)
    functions = Function.objects.filter(organization_id=organization.pk).order_by().values("organization_id")
    people = Stakeholder.objects.filter(organization_id=organization.pk).order_by().values("organization_id")
    products = visible_products(ctx).order_by().values("organization_id")
    row = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            n_functions=_count(functions),
            n_people=Value(known) if known is not None else _count(people),
            n_products=_count(products),
        )
        .values_list("n_functions", "n_people", "n_products")
        .get()
    )
    if known is None:
        headcount.remember(key, row[1])
    return OrganizationCounts(functions=row[0], people=row[1], products=row[2])


def _count(rows: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of `rows` (grouped by their organization, so one row) as a subquery."""
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)
