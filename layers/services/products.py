"""Writes of products: create and edit (name, address slug, description, head)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from layers.readmodel import hooks as readmodel
from roles.models import Organization, Stakeholder
from wholeproduct.errors import DomainError, field_error, save_or_explain

from ..models import Product
from ..selectors import products as selectors

SLUG_MAX = Product._meta.get_field("slug").max_length


def _duplicate_slug(existing: Product) -> DomainError:
    return field_error("slug", f"The address '{existing.slug}' is already used by {existing.name}. Choose another one.")


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise field_error("name", "Give the product a name.")
    return name


def _clean_slug(organization: Organization, slug: str, name: str, *, exclude_pk: int | None) -> str:
    # A blank slug is made from the name; a typed one is normalized the same way.
    slug = slugify(slug.strip() or name)[:SLUG_MAX].strip("-")
    if not slug:
        raise field_error("slug", "Give the product an address made of letters, numbers or hyphens.")
    existing = selectors.slug_taken(organization.pk, slug, exclude_pk=exclude_pk)
    if existing is not None:
        raise _duplicate_slug(existing)
    return slug


def _check_head(organization: Organization, head: Stakeholder | None) -> None:
    if head is not None and head.organization_id != organization.pk:
        raise field_error("head", "Choose a person of this organization.")


def _save(product: Product) -> Product:
    def explain() -> DomainError | None:
        existing = selectors.slug_taken(product.organization_id, product.slug, exclude_pk=product.pk)
        return None if existing is None else _duplicate_slug(existing)

    return save_or_explain(product, explain)


@transaction.atomic
def product_create(
    *,
    organization: Organization,
    name: str,
    slug: str = "",
    description: str = "",
    head: Stakeholder | None = None,
    by: Any = None,
) -> Product:
    name = _clean_name(name)
    _check_head(organization, head)
    product = Product(
        organization=organization,
        name=name,
        slug=_clean_slug(organization, slug, name, exclude_pk=None),
        description=description.strip(),
        head=head,
        created_by=by if getattr(by, "pk", None) else None,
    )
    product = _save(product)
    readmodel.product_created(organization_id=organization.pk, product_id=product.pk)
    return product


@transaction.atomic
def product_update(*, product: Product, name: str, slug: str, description: str, head: Stakeholder | None) -> Product:
    organization = product.organization
    product.name = _clean_name(name)
    _check_head(organization, head)
    product.slug = _clean_slug(organization, slug, product.name, exclude_pk=product.pk)
    product.description = description.strip()
    product.head = head
    return _save(product)
