"""The map editor (issue 3): a matrix of functions by layers of one product, edited a cell at a time.

Every cell carries the version it was drawn with and sends it back, so a change made by
someone else since is a conflict shown in place, never overwritten. The page and every
fragment read a constant number of queries whatever the organization's size: functions
are paged, and the page's cells come from one query.

Endpoints answer htmx with fragments (a cell, the body of the page, a history list) and
plain browsers with a redirect back to the map and a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.models import Function
from roles.permissions import OrgRequest, Perm, org_view
from roles.rowcounts import CountedPaginator
from roles.statecache import DAY
from wholeproduct.errors import Conflict, DomainError

from ..forms.map_editor import (
    REPLACE,
    UNDO_MAX,
    CellChoiceForm,
    CellForm,
    ContributionForm,
    UndoForm,
    first_error,
)
from ..models import Assignment, AssignmentChange, Layer, Product
from ..selectors import map_editor as map_selectors
from ..selectors import products as selectors
from ..selectors.history import cell_history
from ..selectors.layer_list import layers_in_ring_order
from ..selectors.suggestions import ProductSuggestions
from ..services import assignments as assignment_services
from ..services import mapping
from .map_shapes import (
    Cell,
    Filters,
    Toast,
    apply_notice,
    conflict_message,
    done_message,
    groups_of,
    hints_of_page,
    history_rows,
    panel_of,
)

PAGE_SIZE = 50  # rows per page: 1,000 functions render in pages, not one slow table (issue 9: a page
# of 200 took as long as 60 requests to a bare view; 50 rows still fill a screen or two)
HISTORY_SHOWN = 50


# ---------------------------------------------------------------- reads


def _product(request: OrgRequest, slug: str) -> Product:
    product = selectors.product_for(request.ctx, slug)
    if product is None:
        raise Http404("No such product.")
    return product


def _function(product: Product, function_id: int) -> Function:
    function = map_selectors.function_of(product, function_id)
    if function is None:
        raise Http404("No such function.")
    return function


def _layer(key: str) -> Layer:
    layer = map_selectors.layer_of(key)
    if layer is None:
        raise Http404("No such layer.")
    return layer


def _map_url(request: OrgRequest, product: Product) -> str:
    return reverse("product-map", kwargs={"org": request.ctx.organization.slug, "product": product.slug})


def _cell_base(request: OrgRequest, product: Product) -> str:
    return _map_url(request, product) + "cell/"


def _body_context(request: OrgRequest, product: Product, filters: Filters) -> dict[str, Any]:
    """Everything the matrix and the panel draw, in a constant number of queries."""
    ctx = request.ctx
    layers = layers_in_ring_order()
    # Unfiltered, the functions are every one of the organization's: the kept row count (roles.rowcounts).
    # Unfiltered, a page is a prepared statement of the same list (shared.prepared).
    every = not filters.category and not filters.q
    organization_id = product.organization_id
    paginator = CountedPaginator(
        map_selectors.map_functions(product, category=filters.category, q=filters.q),
        PAGE_SIZE,
        rows=(lambda b, t, by_ids: map_selectors.map_functions_page(organization_id, b, t, by_ids)) if every else None,
    )
    page = paginator.get_page(filters.page)
    ids = [function.pk for function in page.object_list]
    cells = map_selectors.cells_of(product, ids)
    leads = map_selectors.layer_leads(product)
    panel = None
    hints: dict[int, list[str]] = {}
    if ctx.can_edit:
        reader = ProductSuggestions(product, go_to_market=ctx.organization.go_to_market, layers=layers)
        panel = panel_of(reader, filters)
        hints = hints_of_page(page.object_list)
    return {
        "product": product,
        "layers": [(layer, leads.get(layer.pk)) for layer in layers],
        "groups": groups_of(page, layers, cells, _cell_base(request, product), hints, leads),
        "page": page,
        "filters": filters,
        "previous_query": filters.query(page=page.previous_page_number()) if page.has_previous() else "",
        "next_query": filters.query(page=page.next_page_number()) if page.has_next() else "",
        "panel": panel,
        "can_edit": ctx.can_edit,
    }


def _category_counts(product: Product) -> list[tuple[str, str, int]]:
    counts = map_selectors.category_counts(product)
    return [(key, label, counts.get(key, 0)) for key, label in Function.Category.choices]


def _render_body(
    request: OrgRequest, product: Product, filters: Filters, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _body_context(request, product, filters) | extra
    return render(request, "layers/_partials/map_body.html", context, status=status)


def _back_to_map(product: Product, request: OrgRequest, anchor: str = "") -> HttpResponse:
    url = _map_url(request, product)
    query = Filters.from_query(request.POST).query()
    return redirect(f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}")


# ---------------------------------------------------------------- pages


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def product_map(request: OrgRequest, product: str) -> HttpResponse:
    item = _product(request, product)
    filters = Filters.from_query(request.GET)
    if request.htmx and request.htmx.target == "map-body":
        return _render_body(request, item, filters)
    context = _body_context(request, item, filters) | {"categories": _category_counts(item)}
    return render(request, "layers/map_editor.html", context)


# ---------------------------------------------------------------- cells


def _cell(request: OrgRequest, product: Product, function: Function, layer: Layer, **extra: Any) -> Cell:
    current = map_selectors.assignment_at(product, function, layer)
    return Cell(function, layer, current, _cell_base(request, product), **extra)


def _render_cell(
    request: OrgRequest, product: Product, cell: Cell, status: int = 200, toast: Toast | None = None
) -> HttpResponse:
    cell.lead = map_selectors.layer_lead(product, cell.layer)
    context = {
        "cell": cell,
        "product": product,
        "can_edit": request.ctx.can_edit,
        # The column's header names the layer's lead: it is redrawn with the cell (out of band).
        "header_layer": cell.layer,
        "header_lead": cell.lead,
        "toast": toast,
    }
    return render(request, "layers/_partials/map_cell_response.html", context, status=status)


def _changes_since(product: Product, mark: int) -> list[AssignmentChange]:
    return map_selectors.changes_since(product, mark, limit=UNDO_MAX)


def _change_mark(product: Product) -> int:
    return map_selectors.change_mark(product)


def _current_filters(request: HttpRequest) -> Filters:
    """The filters of the page the request came from (htmx sends its address)."""
    current = request.headers.get("HX-Current-URL", "")
    return Filters.from_query(QueryDict(urlparse(current).query))


def _render_body_retargeted(request: OrgRequest, product: Product, toast: Toast | None, **extra: Any) -> HttpResponse:
    """Redraw the whole matrix (a change touched more than one cell), with the toast out of band."""
    response = _render_body(request, product, _current_filters(request), toast=toast, toast_oob=True, **extra)
    response["HX-Retarget"] = "#map-body"
    response["HX-Reswap"] = "innerHTML"
    return response


@org_view(Perm.VIEW)
@require_http_methods(["GET", "POST"])
def map_cell(request: OrgRequest, product: str, function: int, layer: str) -> HttpResponse:
    """GET draws one cell; POST sets it to `emphasis` (none, contributor, lead) from `version`."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    if request.method == "GET":
        return _render_cell(request, item, _cell(request, item, fn, lay))
    request.ctx.require(Perm.EDIT)
    form = CellForm(request.POST)
    if not form.is_valid():
        return _refuse(request, item, fn, lay, first_error(form), status=400)
    target, version = form.cleaned_data["emphasis"], form.cleaned_data["version"]
    mark, replaced = _change_mark(item), None
    try:
        if target == "none":
            assignment_services.assignment_clear(
                product=item, function=fn, layer=lay, by=request.user, expected_version=version
            )
        elif target == REPLACE:
            _, demoted = assignment_services.assignment_replace_lead(
                product=item, function=fn, layer=lay, by=request.user, expected_version=version
            )
            replaced = demoted.function if demoted else None
        else:
            assignment_services.assignment_set(
                product=item, function=fn, layer=lay, emphasis=target, by=request.user, expected_version=version
            )
    except Conflict as error:
        current = error.current if isinstance(error.current, Assignment) else None
        cell = Cell(fn, lay, current, _cell_base(request, item))
        return _conflict(request, item, cell, conflict_message(error, item, fn, lay))
    except DomainError as error:
        return _refuse(request, item, fn, lay, error.detail, status=error.status)
    message = done_message(fn, lay, target, replaced)
    if not request.htmx:
        messages.success(request, message)
        return _back_to_map(item, request, f"fn-{fn.pk}")
    changes = _changes_since(item, mark)
    toast = Toast(message, changes) if changes else None
    if replaced is not None:
        return _render_body_retargeted(request, item, toast)
    return _render_cell(request, item, _cell(request, item, fn, lay), toast=toast)


@org_view(Perm.EDIT)
@require_POST
def map_undo(request: OrgRequest, product: str) -> HttpResponse:
    """Undo the changes of the last action (one cell, or both cells of a lead swap); the history keeps both."""
    item = _product(request, product)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _undo_refused(request, item, "There is nothing to undo.")
    try:
        changes = assignment_services.undo_changes(product=item, change_ids=form.change_ids(), by=request.user)
    except DomainError as error:
        return _undo_refused(request, item, error.detail, status=error.status)
    redo = request.POST.get("redo") == "1"
    message = "Redone." if redo else "Undone: the map is back as it was."
    if not request.htmx:
        messages.success(request, message)
        return _back_to_map(item, request)
    toast = Toast(message, changes, action="Undo" if redo else "Redo") if changes else None
    return _render_body_retargeted(request, item, toast)


def _undo_refused(request: OrgRequest, product: Product, message: str, *, status: int = 400) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return _back_to_map(product, request)
    return _render_body_retargeted(request, product, None, error=message, status=status)


def _conflict(request: OrgRequest, product: Product, cell: Cell, message: str) -> HttpResponse:
    """Someone else changed the cell first: nothing was written; show who, what, and the cell as it is."""
    if not request.htmx:
        messages.error(request, f"{cell.function.name} · {cell.layer.name}: {message}")
        return _back_to_map(product, request, f"fn-{cell.function.pk}")
    cell.conflict = message
    return _render_cell(request, product, cell, status=409)


def _refuse(
    request: OrgRequest, product: Product, function: Function, layer: Layer, message: str, *, status: int
) -> HttpResponse:
    """Nothing was written: say why, in the cell as it is now."""
    if not request.htmx:
        messages.error(request, f"{function.name} · {layer.name}: {message}")
        return _back_to_map(product, request, f"fn-{function.pk}")
    return _render_cell(request, product, _cell(request, product, function, layer, error=message), status=status)


@org_view(Perm.VIEW)
@require_http_methods(["GET", "POST"])
def map_contribution(request: OrgRequest, product: str, function: int, layer: str) -> HttpResponse:
    """GET: the small form editing the cell's contribution sentence; POST: save it."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    request.ctx.require(Perm.EDIT)
    cell = _cell(request, item, fn, lay)
    if cell.assignment is None:
        if request.POST.get("version", "0") not in ("", "0"):  # it was there when the form opened
            removed = Conflict("The assignment was removed after you opened it.")
            return _conflict(request, item, cell, conflict_message(removed, item, fn, lay))
        return _refuse(request, item, fn, lay, "Assign the function to this layer first.", status=400)
    if request.method == "GET":
        form = ContributionForm(initial={"contribution": cell.assignment.contribution, "version": cell.version})
        return _render_contribution(request, item, cell, form)
    form = ContributionForm(request.POST)
    if not form.is_valid():
        return _render_contribution(request, item, cell, form, status=400)
    try:
        assignment_services.assignment_set(
            product=item,
            function=fn,
            layer=lay,
            emphasis=cell.assignment.emphasis,
            contribution=form.cleaned_data["contribution"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except Conflict as error:
        current = error.current if isinstance(error.current, Assignment) else None
        cell = Cell(fn, lay, current, cell.base_url)
        return _conflict(request, item, cell, conflict_message(error, item, fn, lay))
    except DomainError as error:
        form.add_error(None, error.detail)
        return _render_contribution(request, item, cell, form, status=error.status)
    if not request.htmx:
        messages.success(request, f"Saved how {fn.name} contributes to the {lay.name}.")
        return _back_to_map(item, request, f"fn-{fn.pk}")
    return _render_cell(request, item, _cell(request, item, fn, lay))


def _render_contribution(
    request: HttpRequest, product: Product, cell: Cell, form: ContributionForm, status: int = 200
) -> HttpResponse:
    context = {"cell": cell, "product": product, "form": form}
    return render(request, "layers/_partials/map_contribution_form.html", context, status=status)


@org_view(Perm.VIEW)
@require_GET
def map_history(request: OrgRequest, product: str, function: int, layer: str) -> HttpResponse:
    """Who changed the cell, when, from what to what: newest first."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    changes = list(cell_history(product=item, function=fn, layer=lay)[:HISTORY_SHOWN])
    context = {"product": item, "function": fn, "layer": lay, "changes": history_rows(changes)}
    return render(request, "layers/_partials/map_history.html", context)


# ---------------------------------------------------------------- suggestions


@org_view(Perm.EDIT)
@require_POST
def map_apply(request: OrgRequest, product: str) -> HttpResponse:
    """Accept one suggestion (`function` and `layer` given) or all of them (neither given)."""
    item = _product(request, product)
    filters = Filters.from_query(request.POST)
    only = None
    if request.POST.get("function") or request.POST.get("layer"):
        form = CellChoiceForm(request.POST)
        if not form.is_valid():
            return _suggestion_refused(request, item, filters, first_error(form))
        fn = _function(item, form.cleaned_data["function"])
        only = [(fn.pk, form.cleaned_data["layer"])]
    try:
        result = mapping.apply(product=item, by=request.user, only=only)
    except DomainError as error:
        return _suggestion_refused(request, item, filters, error.detail, status=error.status)
    notice = apply_notice(result, one=only is not None)
    if not request.htmx:
        messages.success(request, notice)
        for conflict in result.conflicts:
            messages.warning(request, conflict)
        return _back_to_map(item, request)
    return _render_body(request, item, filters, notice=notice, warnings=result.conflicts)


@org_view(Perm.EDIT)
@require_POST
def map_dismiss(request: OrgRequest, product: str) -> HttpResponse:
    """Say "no" to one suggestion: the playbook stops offering it for this product."""
    return _one_suggestion(request, product, mapping.dismiss, "Dismissed the suggestion for {name}.")


@org_view(Perm.EDIT)
@require_POST
def map_restore(request: OrgRequest, product: str) -> HttpResponse:
    """Bring a dismissed suggestion back: the playbook offers it again."""
    return _one_suggestion(request, product, mapping.undismiss, "The suggestion for {name} is back in the list.")


def _one_suggestion(request: OrgRequest, product: str, service: Callable[..., Any], done: str) -> HttpResponse:
    """Dismiss or restore the suggestion for one (function, layer) cell, then redraw the map."""
    item = _product(request, product)
    filters = Filters.from_query(request.POST)
    form = CellChoiceForm(request.POST)
    if not form.is_valid():
        return _suggestion_refused(request, item, filters, first_error(form))
    fn = _function(item, form.cleaned_data["function"])
    try:
        service(product=item, function=fn, layer=form.cleaned_data["layer"], by=request.user)
    except DomainError as error:
        return _suggestion_refused(request, item, filters, error.detail, status=error.status)
    notice = done.format(name=fn.name)
    if not request.htmx:
        messages.success(request, notice)
        return _back_to_map(item, request)
    return _render_body(request, item, filters, notice=notice)


def _suggestion_refused(
    request: OrgRequest, product: Product, filters: Filters, message: str, *, status: int = 400
) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return _back_to_map(product, request)
    return _render_body(request, product, filters, error=message, status=status)
