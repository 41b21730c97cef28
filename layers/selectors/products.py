"""Reads of the product side (STYLE: selectors), scoped to the requester's organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from roles import rowcounts
from roles.models import Function, Stakeholder
from roles.permissions import OrgContext
from shared.prepared import first_of, prepared

from ..models import Assignment, Product


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
    return _own_products(ctx.organization.pk, person.pk, person.function_id)


def _own_products(organization_id: int, person_id: int, function_id: int) -> QuerySet[Product]:
    """A stakeholder's own products: those their function has a cell on, or that they head."""
    own_function = Assignment.objects.filter(product=OuterRef("pk"), function_id=function_id)
    return products_of(organization_id).filter(Q(Exists(own_function)) | Q(head_id=person_id))


def products_for_list(ctx: OrgContext) -> QuerySet[Product]:
    """Visible products with their head and how many functions are mapped on each.

    The count is the read model's (`ProductCounts.mapped_functions`, the product's counter row
    joined one to one): the same at 10 functions or 5,000, where counting the distinct functions of
    every product's thousands of assignments grew with the map."""
    return _as_listed(visible_products(ctx))


def every_product_for_list(organization_id: int) -> QuerySet[Product]:
    """`products_for_list` of one who sees every product."""
    return _as_listed(products_of(organization_id))


def _as_listed(products: QuerySet[Product]) -> QuerySet[Product]:
    return (
        products.select_related("head", "head__function")
        .annotate(function_count=Coalesce(F("counts__mapped_functions"), 0))
        .order_by("name")
    )


def listed_products(ctx: OrgContext) -> list[Product]:
    """`products_for_list`, read by a prepared statement: the products page's only statement,
    which took longer to build and compile than to run."""
    if not ctx.is_stakeholder_only:
        return list(_listed(ctx.organization.pk, None))
    person = ctx.stakeholder
    return list(_listed(ctx.organization.pk, person.pk, person.function_id)) if person is not None else []


@prepared
def _listed(organization_id: int, person_id: int | None, function_id: int = 0) -> QuerySet[Product]:
    """Every product of the organization (`person_id` None), or the person's own (`_own_products`)."""
    if person_id is None:
        return every_product_for_list(organization_id)
    return _as_listed(_own_products(organization_id, person_id, function_id))


def products_by_name(organization_id: int) -> list[Product]:
    """Every product of the organization, by name (a prepared statement)."""
    return list(_by_name(organization_id))


@prepared
def _by_name(organization_id: int) -> QuerySet[Product]:
    return products_of(organization_id).order_by("name")


@prepared
def product_options(organization_id: int) -> QuerySet[Any]:
    """(slug, name) of every product of the organization, by name: a filter's options."""
    return products_of(organization_id).order_by("name").values_list("slug", "name")


def products_with_counts(ctx: OrgContext) -> list[Product]:
    """`products_for_list`, each with its counter row (the read model's totals, joined one to
    one): the dashboard's. Those who see every product read a prepared statement."""
    if ctx.is_stakeholder_only:
        return list(products_for_list(ctx).select_related("counts"))
    return list(_every_product_with_counts(ctx.organization.pk))


@prepared
def _every_product_with_counts(organization_id: int) -> QuerySet[Product]:
    return (
        products_of(organization_id)
        .select_related("head", "head__function", "counts")
        .annotate(function_count=Coalesce(F("counts__mapped_functions"), 0))
        .order_by("name")
    )


def product_for(ctx: OrgContext, slug: str) -> Product | None:
    """One visible product by slug; None answers 404 (another's product does not leak). Every
    page and API read under a product's address starts with it: a prepared statement."""
    if not ctx.is_stakeholder_only:
        found = _product_by_slug(ctx.organization.pk, slug)
    elif ctx.stakeholder is None:
        return None
    else:
        person = ctx.stakeholder
        found = _own_product_by_slug(ctx.organization.pk, person.function_id, person.pk, slug)
    return next(iter(found), None)


@prepared
def _product_by_slug(organization_id: int, slug: str) -> QuerySet[Product]:
    return first_of(products_of(organization_id).select_related("head", "head__function").filter(slug=slug))


@prepared
def _own_product_by_slug(organization_id: int, function_id: int, person_id: int, slug: str) -> QuerySet[Product]:
    """`visible_products` of a stakeholder (their function's products, and those they head)."""
    products = _own_products(organization_id, person_id, function_id)
    return first_of(products.select_related("head", "head__function").filter(slug=slug))


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


def organization_counts(ctx: OrgContext, *, products: int) -> OrganizationCounts:
    """The organization's functions and people (both kept counts, in one statement: `rowcounts.counts`)
    and `products`, how many the requester sees (the caller has listed them: counting them again
    was a query)."""
    org_id = ctx.organization.pk
    functions, people = rowcounts.counts(
        Function.objects.filter(organization_id=org_id), Stakeholder.objects.filter(organization_id=org_id)
    )
    return OrganizationCounts(functions=functions, people=people, products=products)
