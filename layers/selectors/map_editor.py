"""The map editor's reads (issue 17: the view holds no ORM calls): the functions of one page, the
cells and leads they show, the counts per category, one cell, and the product's change marks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from roles.models import Function, category_rank
from roles.rowcounts import page_of
from roles.selectors.functions import category_totals_of
from shared.prepared import prepared

from ..models import Assignment, AssignmentChange, Layer, Product


def function_of(product: Product, function_id: int) -> Function | None:
    return Function.objects.filter(organization_id=product.organization_id, pk=function_id).first()


def layer_of(key: str) -> Layer | None:
    return Layer.objects.filter(key=key).first()


def map_functions(product: Product, *, category: str = "", q: str = "") -> QuerySet[Function]:
    """The organization's functions the map lists, by category, then name: the functions page's
    order, which an index holds (`roles.models.category_rank`)."""
    return _map_functions(product.organization_id, category=category, q=q)


@prepared(shaped=("bottom", "top", "by_ids"))
def map_functions_page(organization_id: int, bottom: int, top: int, by_ids: bool) -> QuerySet[Function]:
    """A page of every function the map lists (`map_functions` unfiltered), as
    `CountedPaginator` reads it (`rows`)."""
    return page_of(_map_functions(organization_id), bottom, top, by_ids)


def _map_functions(organization_id: int, *, category: str = "", q: str = "") -> QuerySet[Function]:
    functions = Function.objects.filter(organization_id=organization_id)
    if category:
        functions = functions.filter(category=category)
    if q:
        functions = functions.filter(name__icontains=q)
    return functions.order_by(category_rank(), Lower("name"), "pk")


def cells_of(product: Product, function_ids: list[int]) -> dict[tuple[int, int], Assignment]:
    """{(function id, layer id): assignment} for the functions of one page."""
    return {(a.function_id, a.layer_id): a for a in _cells(product.pk, function_ids)}


@prepared
def _cells(product_id: int, function_ids: list[int]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(product_id=product_id, function_id__in=function_ids)


def layer_leads(product: Product) -> dict[int, Function]:
    """{layer id: the function leading it}."""
    return {a.layer_id: a.function for a in _leads(product.pk)}


@prepared
def _leads(product_id: int) -> QuerySet[Assignment]:
    return Assignment.objects.filter(product_id=product_id, emphasis=Assignment.Emphasis.LEAD).select_related(
        "function"
    )


def category_counts(product: Product) -> dict[str, int]:
    """{category: how many of the organization's functions are in it} (the functions page's totals)."""
    return dict(category_totals_of(product.organization_id))


def assignment_at(product: Product, function: Function, layer: Layer) -> Assignment | None:
    return Assignment.objects.filter(product=product, function=function, layer=layer).first()


def layer_lead(product: Product, layer: Layer) -> Function | None:
    lead = (
        Assignment.objects.filter(product=product, layer=layer, emphasis=Assignment.Emphasis.LEAD)
        .select_related("function")
        .first()
    )
    return lead.function if lead else None


def changes_since(product: Product, mark: int, *, limit: int) -> list[AssignmentChange]:
    """The product's changes after `mark`, oldest first, at most `limit`."""
    return list(AssignmentChange.objects.filter(product=product, pk__gt=mark).order_by("id")[:limit])


def change_mark(product: Product) -> int:
    """The id of the product's latest change (0 when none): what a later undo goes back to."""
    return AssignmentChange.objects.filter(product=product).order_by("-id").values_list("id", flat=True).first() or 0
