"""The map editor (issue 3): a matrix of functions by layers of one product, edited a cell at a time.

Every cell carries the version it was drawn with and sends it back, so a change made by
someone else since is a conflict shown in place, never overwritten. The page and every
fragment read a constant number of queries whatever the organization's size: functions
are paged, and the page's cells come from one query.

Endpoints answer htmx with fragments (a cell, the body of the page, a history list) and
plain browsers with a redirect back to the map and a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlparse

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.models import Function, Organization
from roles.permissions import Perm, org_view
from wholeproduct.errors import Conflict, DomainError

from ..models import Assignment, AssignmentChange, Layer, Product
from ..selectors import products as selectors
from ..selectors.history import cell_history
from ..services import assignments as assignment_services
from ..services import mapping
from ..templatetags.plain_words import ago

PAGE_SIZE = 50  # rows per page: 1,000 functions render in pages, not one slow table (issue 9: a page
# of 200 took as long as 60 requests to a bare view; 50 rows still fill a screen or two)
SUGGESTIONS_SHOWN = 60  # the panel lists this many; "accept all" still applies every one
HISTORY_SHOWN = 50
CATEGORY_ORDER = Case(
    *(When(category=key, then=Value(i)) for i, key in enumerate(Function.Category.values)),
    default=Value(99),
    output_field=IntegerField(),
)
STATE_LABEL = {"none": "Not assigned", **dict(Assignment.Emphasis.choices)}
REPLACE = "replace"  # "make lead, replacing the current lead", who stays on as a contributor
UNDO_MAX = 10  # change ids one undo may carry (a lead swap makes two)
STATUS_LABEL = {
    mapping.NEW: "New",
    mapping.DIFFERS: "Differs",
    mapping.LEAD_TAKEN: "Lead taken",
    mapping.MANUAL: "Kept manual",
    mapping.DISMISSED: "Dismissed",
    mapping.APPLIED: "Applied",
}
STATUS_ORDER = {status: i for i, status in enumerate(STATUS_LABEL)}


# ---------------------------------------------------------------- forms


class CellForm(forms.Form):
    emphasis = forms.ChoiceField(choices=[(key, key) for key in [*STATE_LABEL, REPLACE]])
    version = forms.IntegerField(min_value=0)


class UndoForm(forms.Form):
    changes = forms.RegexField(regex=rf"^\d{{1,12}}(,\d{{1,12}}){{0,{UNDO_MAX - 1}}}$", max_length=200)

    def change_ids(self) -> list[int]:
        return [int(part) for part in self.cleaned_data["changes"].split(",")]


class ContributionForm(forms.Form):
    contribution = forms.CharField(
        required=False,
        max_length=assignment_services.CONTRIBUTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=True,
    )
    version = forms.IntegerField(min_value=0)


class CellChoiceForm(forms.Form):
    """One suggestion cell: a function of the organization on a layer."""

    function = forms.IntegerField(min_value=1)
    layer = forms.ChoiceField(choices=Layer.Key.choices)


def first_error(form: forms.Form) -> str:
    for field_name, errors in form.errors.items():
        label = "" if field_name == "__all__" else f"{field_name.capitalize()}: "
        return f"{label}{errors[0]}"
    return "Check the form."


# ---------------------------------------------------------------- view models


@dataclass(frozen=True)
class CellOption:
    value: str
    label: str
    current: bool


@dataclass
class Cell:
    function: Function
    layer: Layer
    assignment: Assignment | None
    base_url: str
    error: str = ""
    conflict: str = ""
    lead: Function | None = None  # the layer's lead, whoever it is

    @property
    def replaces(self) -> Function | None:
        """The other function leading this layer, which "make lead" would replace."""
        return self.lead if self.lead is not None and self.lead.pk != self.function.pk else None

    @property
    def options(self) -> list[CellOption]:
        """What the cell's menu offers: not assigned, contributor, and lead (or "lead, replacing X")."""
        options = [CellOption(key, STATE_LABEL[key], self.state == key) for key in ("none", "contributor")]
        if self.replaces is not None:
            options.append(CellOption(REPLACE, f"Make lead, replacing {self.replaces.name}", False))
        else:
            options.append(CellOption("lead", "Lead", self.state == "lead"))
        return options

    @property
    def state(self) -> str:
        return self.assignment.emphasis if self.assignment else "none"

    @property
    def version(self) -> int:
        return self.assignment.version if self.assignment else 0

    @property
    def label(self) -> str:
        return STATE_LABEL[self.state]

    @property
    def url(self) -> str:
        # Built from one reversed prefix: reversing per cell would cost ~4,000 reverse() calls a page.
        return f"{self.base_url}{self.function.pk}/{self.layer.key}/"


@dataclass
class Row:
    function: Function
    cells: list[Cell]
    hints: list[str] | None = None  # set when the playbook knows no such function

    @property
    def unmatched(self) -> bool:
        return self.hints is not None


@dataclass
class Group:
    category: str
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Filters:
    category: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, data: QueryDict) -> Filters:
        category = data.get("category", "")
        if category not in Function.Category.values:
            category = ""
        try:
            page = max(int(data.get("page", "1")), 1)
        except ValueError:
            page = 1
        return cls(category=category, q=data.get("q", "").strip()[:100], page=page)

    def query(self, **changes: Any) -> str:
        values = {"category": self.category, "q": self.q, "page": self.page} | changes
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})

    def keeps(self, category: str, name: str) -> bool:
        """The same filter, in Python, for the suggestions panel."""
        return (not self.category or category == self.category) and self.q.casefold() in name.casefold()


# ---------------------------------------------------------------- reads


def _product(request: HttpRequest, slug: str) -> Product:
    product = selectors.product_for(request.ctx, slug)  # type: ignore[attr-defined]
    if product is None:
        raise Http404("No such product.")
    return product


def _function(product: Product, function_id: int) -> Function:
    function = Function.objects.filter(organization_id=product.organization_id, pk=function_id).first()
    if function is None:
        raise Http404("No such function.")
    return function


def _layer(key: str) -> Layer:
    layer = Layer.objects.filter(key=key).first()
    if layer is None:
        raise Http404("No such layer.")
    return layer


def _map_url(request: HttpRequest, product: Product) -> str:
    return reverse("product-map", kwargs={"org": request.ctx.organization.slug, "product": product.slug})  # type: ignore[attr-defined]


def _cell_base(request: HttpRequest, product: Product) -> str:
    return _map_url(request, product) + "cell/"


def _functions(product: Product, filters: Filters) -> QuerySet[Function]:
    functions = Function.objects.filter(organization_id=product.organization_id)
    if filters.category:
        functions = functions.filter(category=filters.category)
    if filters.q:
        functions = functions.filter(name__icontains=filters.q)
    return functions.order_by(CATEGORY_ORDER, Lower("name"), "pk")


def _groups(
    page: Page,
    layers: list[Layer],
    cells: dict[tuple[int, int], Assignment],
    base: str,
    hints: dict[int, list[str]],
    leads: dict[int, Function],
) -> list[Group]:
    groups: dict[str, Group] = {}
    labels = dict(Function.Category.choices)
    for function in page.object_list:
        group = groups.setdefault(function.category, Group(function.category, labels.get(function.category, "")))
        row_cells = [
            Cell(function, layer, cells.get((function.pk, layer.pk)), base, lead=leads.get(layer.pk))
            for layer in layers
        ]
        group.rows.append(Row(function, row_cells, hints.get(function.pk)))
    return list(groups.values())


@dataclass(frozen=True)
class PanelItem:
    suggestion: mapping.Suggestion
    layer_name: str
    status_label: str

    @property
    def dismissable(self) -> bool:
        return self.suggestion.status in (mapping.NEW, mapping.DIFFERS, mapping.LEAD_TAKEN)


@dataclass
class Panel:
    """The suggestions panel: what the playbook proposes for the filtered functions."""

    shown: list[PanelItem]
    hidden: int
    applied: list[PanelItem]
    dismissed: list[PanelItem]
    actionable: int
    unmatched: list[mapping.Unmatched]
    market: str


def _panel(suggestion_set: mapping.SuggestionSet, filters: Filters, layer_names: dict[str, str]) -> Panel:
    kept = [s for s in suggestion_set.suggestions if filters.keeps(s.category, s.function_name)]
    items = [PanelItem(s, layer_names.get(s.layer_key, s.layer_key), STATUS_LABEL[s.status]) for s in kept]
    settled = (mapping.APPLIED, mapping.DISMISSED)
    pending = sorted(
        (i for i in items if i.suggestion.status not in settled), key=lambda i: STATUS_ORDER[i.suggestion.status]
    )
    markets = dict(Organization.GoToMarket.choices)
    return Panel(
        shown=pending[:SUGGESTIONS_SHOWN],
        hidden=max(len(pending) - SUGGESTIONS_SHOWN, 0),
        applied=[i for i in items if i.suggestion.status == mapping.APPLIED],
        dismissed=[i for i in items if i.suggestion.status == mapping.DISMISSED],
        actionable=sum(1 for s in suggestion_set.suggestions if s.actionable),
        unmatched=[u for u in suggestion_set.unmatched if filters.q.casefold() in u.function_name.casefold()],
        market=markets.get(suggestion_set.go_to_market, "hybrid").lower(),
    )


def _body_context(request: HttpRequest, product: Product, filters: Filters) -> dict[str, Any]:
    """Everything the matrix and the panel draw, in a constant number of queries."""
    ctx = request.ctx  # type: ignore[attr-defined]
    layers = list(Layer.objects.order_by("ring"))
    paginator = Paginator(_functions(product, filters), PAGE_SIZE)
    page = paginator.get_page(filters.page)
    ids = [function.pk for function in page.object_list]
    cells = {(a.function_id, a.layer_id): a for a in Assignment.objects.filter(product=product, function_id__in=ids)}
    lead_rows = Assignment.objects.filter(product=product, emphasis=Assignment.Emphasis.LEAD).select_related("function")
    leads = {a.layer_id: a.function for a in lead_rows}
    panel = None
    hints: dict[int, list[str]] = {}
    if ctx.can_edit:
        suggestion_set = mapping.suggest(product=product)
        panel = _panel(suggestion_set, filters, {layer.key: layer.name for layer in layers})
        hints = {u.function_id: u.hints for u in suggestion_set.unmatched}
    return {
        "product": product,
        "layers": [(layer, leads.get(layer.pk)) for layer in layers],
        "groups": _groups(page, layers, cells, _cell_base(request, product), hints, leads),
        "page": page,
        "filters": filters,
        "previous_query": filters.query(page=page.previous_page_number()) if page.has_previous() else "",
        "next_query": filters.query(page=page.next_page_number()) if page.has_next() else "",
        "panel": panel,
        "can_edit": ctx.can_edit,
    }


def _category_counts(product: Product) -> list[tuple[str, str, int]]:
    counts = dict(
        Function.objects.filter(organization_id=product.organization_id)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [(key, label, counts.get(key, 0)) for key, label in Function.Category.choices]


def _render_body(
    request: HttpRequest, product: Product, filters: Filters, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _body_context(request, product, filters) | extra
    return render(request, "layers/_partials/map_body.html", context, status=status)


def _back_to_map(product: Product, request: HttpRequest, anchor: str = "") -> HttpResponse:
    url = _map_url(request, product)
    query = Filters.from_query(request.POST).query()
    return redirect(f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}")


# ---------------------------------------------------------------- pages


@org_view(Perm.VIEW)
@require_GET
def product_map(request: HttpRequest, product: str) -> HttpResponse:
    item = _product(request, product)
    filters = Filters.from_query(request.GET)
    if request.htmx and request.htmx.target == "map-body":  # type: ignore[attr-defined]
        return _render_body(request, item, filters)
    context = _body_context(request, item, filters) | {"categories": _category_counts(item)}
    return render(request, "layers/map_editor.html", context)


# ---------------------------------------------------------------- cells


def _cell(request: HttpRequest, product: Product, function: Function, layer: Layer, **extra: Any) -> Cell:
    current = Assignment.objects.filter(product=product, function=function, layer=layer).first()
    return Cell(function, layer, current, _cell_base(request, product), **extra)


def _layer_lead(product: Product, layer: Layer) -> Function | None:
    lead = (
        Assignment.objects.filter(product=product, layer=layer, emphasis=Assignment.Emphasis.LEAD)
        .select_related("function")
        .first()
    )
    return lead.function if lead else None


def _render_cell(
    request: HttpRequest, product: Product, cell: Cell, status: int = 200, toast: Toast | None = None
) -> HttpResponse:
    cell.lead = _layer_lead(product, cell.layer)
    context = {
        "cell": cell,
        "product": product,
        "can_edit": request.ctx.can_edit,  # type: ignore[attr-defined]
        # The column's header names the layer's lead: it is redrawn with the cell (out of band).
        "header_layer": cell.layer,
        "header_lead": cell.lead,
        "toast": toast,
    }
    return render(request, "layers/_partials/map_cell_response.html", context, status=status)


@dataclass(frozen=True)
class Toast:
    """The note after a change, with the button that undoes it (or redoes an undo)."""

    message: str
    changes: list[AssignmentChange]
    action: str = "Undo"

    @property
    def change_ids(self) -> str:
        return ",".join(str(change.pk) for change in self.changes)


def _changes_since(product: Product, mark: int) -> list[AssignmentChange]:
    return list(AssignmentChange.objects.filter(product=product, pk__gt=mark).order_by("id")[:UNDO_MAX])


def _change_mark(product: Product) -> int:
    return AssignmentChange.objects.filter(product=product).order_by("-id").values_list("id", flat=True).first() or 0


def _done_message(function: Function, layer: Layer, target: str, replaced: Function | None) -> str:
    if target == REPLACE:
        if replaced is None:
            return f"{function.name} now leads the {layer.name}."
        return f"{function.name} now leads the {layer.name}; {replaced.name} stays on as a contributor."
    if target == "none":
        return f"{function.name} is no longer on the {layer.name}."
    return f"{function.name} is now {'the lead' if target == 'lead' else 'a contributor'} on the {layer.name}."


def _current_filters(request: HttpRequest) -> Filters:
    """The filters of the page the request came from (htmx sends its address)."""
    current = request.headers.get("HX-Current-URL", "")
    return Filters.from_query(QueryDict(urlparse(current).query))


def _render_body_retargeted(request: HttpRequest, product: Product, toast: Toast | None, **extra: Any) -> HttpResponse:
    """Redraw the whole matrix (a change touched more than one cell), with the toast out of band."""
    response = _render_body(request, product, _current_filters(request), toast=toast, toast_oob=True, **extra)
    response["HX-Retarget"] = "#map-body"
    response["HX-Reswap"] = "innerHTML"
    return response


def describe(snapshot: dict[str, Any] | None) -> str:
    """A history snapshot in words: "lead", "contributor", or "not assigned"."""
    if not snapshot:
        return "not assigned"
    return STATE_LABEL.get(str(snapshot.get("emphasis")), "assigned").lower()


def person(user: Any) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email or user.get_username()


def what_changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """One change in words: "contributor → lead", "added as contributor", "removed (was lead)"."""
    if before is None:
        return f"added as {describe(after)}"
    if after is None:
        return f"removed (was {describe(before)})"
    if before.get("emphasis") != after.get("emphasis"):
        return f"{describe(before)} → {describe(after)}"
    return "contribution edited"


def _when(moment: Any) -> str:
    return ago(moment)


def conflict_message(error: Conflict, product: Product, function: Function, layer: Layer) -> str:
    """Who changed the cell, when, and what, from its latest recorded change."""
    last = cell_history(product=product, function=function, layer=layer).first()
    if last is None:
        return f"{error.detail} Your change was not saved."
    return (
        f"{person(last.by)} changed this cell {_when(last.at)}: {what_changed(last.before, last.after)}. "
        "Your change was not saved."
    )


@org_view(Perm.VIEW)
@require_http_methods(["GET", "POST"])
def map_cell(request: HttpRequest, product: str, function: int, layer: str) -> HttpResponse:
    """GET draws one cell; POST sets it to `emphasis` (none, contributor, lead) from `version`."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    if request.method == "GET":
        return _render_cell(request, item, _cell(request, item, fn, lay))
    request.ctx.require(Perm.EDIT)  # type: ignore[attr-defined]
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
    message = _done_message(fn, lay, target, replaced)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, message)
        return _back_to_map(item, request, f"fn-{fn.pk}")
    changes = _changes_since(item, mark)
    toast = Toast(message, changes) if changes else None
    if replaced is not None:
        return _render_body_retargeted(request, item, toast)
    return _render_cell(request, item, _cell(request, item, fn, lay), toast=toast)


@org_view(Perm.EDIT)
@require_POST
def map_undo(request: HttpRequest, product: str) -> HttpResponse:
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
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, message)
        return _back_to_map(item, request)
    toast = Toast(message, changes, action="Undo" if redo else "Redo") if changes else None
    return _render_body_retargeted(request, item, toast)


def _undo_refused(request: HttpRequest, product: Product, message: str, *, status: int = 400) -> HttpResponse:
    if not request.htmx:  # type: ignore[attr-defined]
        messages.error(request, message)
        return _back_to_map(product, request)
    return _render_body_retargeted(request, product, None, error=message, status=status)


def _conflict(request: HttpRequest, product: Product, cell: Cell, message: str) -> HttpResponse:
    """Someone else changed the cell first: nothing was written; show who, what, and the cell as it is."""
    if not request.htmx:  # type: ignore[attr-defined]
        messages.error(request, f"{cell.function.name} · {cell.layer.name}: {message}")
        return _back_to_map(product, request, f"fn-{cell.function.pk}")
    cell.conflict = message
    return _render_cell(request, product, cell, status=409)


def _refuse(
    request: HttpRequest, product: Product, function: Function, layer: Layer, message: str, *, status: int
) -> HttpResponse:
    """Nothing was written: say why, in the cell as it is now."""
    if not request.htmx:  # type: ignore[attr-defined]
        messages.error(request, f"{function.name} · {layer.name}: {message}")
        return _back_to_map(product, request, f"fn-{function.pk}")
    return _render_cell(request, product, _cell(request, product, function, layer, error=message), status=status)


@org_view(Perm.VIEW)
@require_http_methods(["GET", "POST"])
def map_contribution(request: HttpRequest, product: str, function: int, layer: str) -> HttpResponse:
    """GET: the small form editing the cell's contribution sentence; POST: save it."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    request.ctx.require(Perm.EDIT)  # type: ignore[attr-defined]
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
    if not request.htmx:  # type: ignore[attr-defined]
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
def map_history(request: HttpRequest, product: str, function: int, layer: str) -> HttpResponse:
    """Who changed the cell, when, from what to what: newest first."""
    item = _product(request, product)
    fn, lay = _function(item, function), _layer(layer)
    changes = list(cell_history(product=item, function=fn, layer=lay)[:HISTORY_SHOWN])
    context = {"product": item, "function": fn, "layer": lay, "changes": _history_rows(changes)}
    return render(request, "layers/_partials/map_history.html", context)


@dataclass(frozen=True)
class HistoryRow:
    change: AssignmentChange
    who: str
    before: str
    after: str
    before_text: str
    after_text: str
    what: str
    when: str


def _history_rows(changes: Iterable[AssignmentChange]) -> list[HistoryRow]:
    def text(snapshot: dict[str, Any] | None) -> str:
        return str((snapshot or {}).get("contribution", ""))

    return [
        HistoryRow(
            c,
            person(c.by),
            describe(c.before),
            describe(c.after),
            text(c.before),
            text(c.after),
            what_changed(c.before, c.after),
            _when(c.at),
        )
        for c in changes
    ]


# ---------------------------------------------------------------- suggestions


@org_view(Perm.EDIT)
@require_POST
def map_apply(request: HttpRequest, product: str) -> HttpResponse:
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
    notice = _apply_notice(result, one=only is not None)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, notice)
        for conflict in result.conflicts:
            messages.warning(request, conflict)
        return _back_to_map(item, request)
    return _render_body(request, item, filters, notice=notice, warnings=result.conflicts)


def _apply_notice(result: mapping.ApplyResult, *, one: bool) -> str:
    if one:
        written = result.created + result.updated
        return "Accepted the suggestion." if written else "Nothing to change: the suggestion was not applied."
    parts = [f"{result.created} created", f"{result.updated} updated", f"{result.unchanged} already as suggested"]
    if result.skipped_manual:
        parts.append(f"{result.skipped_manual} kept as mapped by hand")
    if result.skipped_dismissed:
        parts.append(f"{result.skipped_dismissed} dismissed")
    return "Accepted all suggestions: " + ", ".join(parts) + "."


@org_view(Perm.EDIT)
@require_POST
def map_dismiss(request: HttpRequest, product: str) -> HttpResponse:
    """Say "no" to one suggestion: the playbook stops offering it for this product."""
    return _one_suggestion(request, product, mapping.dismiss, "Dismissed the suggestion for {name}.")


@org_view(Perm.EDIT)
@require_POST
def map_restore(request: HttpRequest, product: str) -> HttpResponse:
    """Bring a dismissed suggestion back: the playbook offers it again."""
    return _one_suggestion(request, product, mapping.undismiss, "The suggestion for {name} is back in the list.")


def _one_suggestion(request: HttpRequest, product: str, service: Callable[..., Any], done: str) -> HttpResponse:
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
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, notice)
        return _back_to_map(item, request)
    return _render_body(request, item, filters, notice=notice)


def _suggestion_refused(
    request: HttpRequest, product: Product, filters: Filters, message: str, *, status: int = 400
) -> HttpResponse:
    if not request.htmx:  # type: ignore[attr-defined]
        messages.error(request, message)
        return _back_to_map(product, request)
    return _render_body(request, product, filters, error=message, status=status)
