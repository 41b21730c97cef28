"""Functions pages: the list grouped by category, create, edit and delete."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from wholeproduct.errors import DomainError

from ..forms.functions import FunctionDeleteForm, FunctionForm, add_domain_error
from ..models import Function
from ..permissions import OrgRequest, Perm, org_view
from ..rowcounts import read_page
from ..selectors import functions as selectors
from ..services import functions as services
from ..statecache import DAY
from .people import PAGE_SIZE, _is_partial


def _function_or_404(request: OrgRequest, pk: int) -> Function:
    function = selectors.function_of(request.ctx.organization, pk)
    if function is None:
        raise Http404("No such function.")
    return function


def _to_row(function: Function) -> HttpResponse:
    url = reverse("function-list", kwargs={"org": function.organization.slug})
    return redirect(f"{url}#function-{function.pk}")


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def function_list(request: OrgRequest) -> HttpResponse:
    """A page of functions, grouped by category, with a live search (htmx swaps the results)."""
    organization = request.ctx.organization
    query = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "")
    category = category if category in dict(selectors.CATEGORY_ORDER) else ""
    functions = selectors.functions_for_list(organization, query=query, category=category)
    every = not query and not category  # every function: prepared statements of the same reads
    totals = dict(selectors.category_totals_of(organization.pk)) if every else selectors.category_totals(functions)
    paginator = Paginator(functions, PAGE_SIZE)
    paginator.count = sum(totals.values())  # known from the totals: no second count
    page = paginator.get_page(request.GET.get("page"))
    if every:
        read_page(page, lambda bottom, top: selectors.functions_page(organization.pk, bottom, top))
    rows = list(page.object_list)
    selectors.count_people(rows)
    groups = selectors.group_by_category(rows)
    before = 0
    for group in groups:
        group.total, group.first_page = totals.get(group.key, 0), before // PAGE_SIZE + 1
        before += group.total
    active = {key: value for key, value in (("q", query), ("category", category)) if value}
    context = {
        "groups": groups,
        "page": page,
        "total": paginator.count,
        "query": query,
        "category": category,
        "categories": selectors.CATEGORY_ORDER,
        "filtered": bool(active),
        "base_query": urlencode(active),
        "partial": _is_partial(request),
    }
    template = "roles/_partials/function_results.html" if context["partial"] else "roles/function_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the same URL answers a fragment or a page
    return response


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def function_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    form = FunctionForm(request.POST if request.method == "POST" else None, organization=organization)
    if form.is_bound and form.is_valid():
        try:
            function = services.function_create(organization=organization, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Added {function.name}.")
            return _to_row(function)
    return render(request, "roles/function_form.html", {"form": form, "function": None})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def function_edit(request: OrgRequest, pk: int) -> HttpResponse:
    function = _function_or_404(request, pk)
    data = request.POST if request.method == "POST" else None
    form = FunctionForm(data, organization=function.organization, instance=function)
    if form.is_bound and form.is_valid():
        try:
            services.function_update(function=function, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            function.refresh_from_db()  # the page title shows the saved name, not the refused one
        else:
            messages.success(request, f"Saved {function.name}.")
            return _to_row(function)
    return render(request, "roles/function_form.html", {"form": form, "function": function})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def function_delete(request: OrgRequest, pk: int) -> HttpResponse:
    function = _function_or_404(request, pk)
    impact = selectors.function_deletion_impact(function)
    data = request.POST if request.method == "POST" else None
    form = FunctionDeleteForm(data, function=function, people_count=impact.people_count)
    error_message = ""
    if form.is_bound and form.is_valid():
        try:
            result = services.function_delete(
                function=function,
                move_people_to=form.cleaned_data["move_to"],
                delete_people=form.cleaned_data["delete_people"],
                people_confirmed=form.cleaned_data["people_count"],
            )
        except DomainError as error:
            # The people changed since the page was drawn: show the new numbers, ask again.
            error_message = error.detail
            impact = selectors.function_deletion_impact(function)
            form = FunctionDeleteForm(function=function, people_count=impact.people_count)
        else:
            messages.success(request, _deleted_message(result))
            return redirect("function-list", org=request.ctx.organization.slug)
    context = {"function": function, "impact": impact, "form": form, "error_message": error_message}
    return render(request, "roles/function_confirm_delete.html", context)


def _deleted_message(result: services.DeletedFunction) -> str:
    parts = [f"Deleted {result.name}"]
    if result.people_moved:
        parts.append(f"moved {services.people_phrase(result.people_moved)}")
    if result.people_deleted:
        parts.append(f"deleted {services.people_phrase(result.people_deleted)}")
    if result.assignments_deleted:
        noun = "assignment" if result.assignments_deleted == 1 else "assignments"
        parts.append(f"removed {result.assignments_deleted} {noun}")
    return ", ".join(parts) + "."


SUGGESTIONS = 10  # functions listed under a picker at most


@org_view(Perm.VIEW)
@require_GET
def function_search(request: OrgRequest) -> HttpResponse:
    """The options of a function picker (static/js/combobox.js): the first matches of `q` by name,
    for whoever may read the functions page."""
    query = request.GET.get("q", "").strip()[:120]
    matches = selectors.functions_of(request.ctx.organization).filter(name__icontains=query)
    functions = list(matches.order_by(Lower("name"), "pk")[:SUGGESTIONS]) if query else []
    return render(request, "roles/_partials/function_options.html", {"functions": functions, "query": query})
