"""People pages: a searchable, paginated table of stakeholders; add, edit and delete a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from wholeproduct.errors import DomainError

from ..deletion_impact import person_deletion_impact
from ..forms.functions import PeopleFilterForm, PersonForm, add_domain_error
from ..models import Stakeholder
from ..permissions import OrgRequest, Perm, org_view
from ..pickers import SUGGESTIONS
from ..rowcounts import CountedPaginator
from ..selectors import functions as selectors
from ..services import people as services
from ..services.invites import INVITE_STATE_LABELS, InviteState, invite_states
from ..statecache import DAY

PAGE_SIZE = 50


def _is_partial(request: OrgRequest) -> bool:
    # A history restore (back button after a live search) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def people_list(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    filter_form = PeopleFilterForm(request.GET, organization=organization)
    filters = filter_form.filters()
    people = selectors.people_for_list(organization, **filters)
    # Unfiltered, a page is a prepared statement (shared.prepared) of the same list.
    rows = None if filters["query"].strip() or filters["function_id"] is not None else _every_person(organization.pk)
    page = CountedPaginator(people, PAGE_SIZE, rows=rows).get_page(request.GET.get("page"))
    states = invite_states(organization, page.object_list)
    for person in page.object_list:
        person.invite_state = states.get(person.pk, InviteState.NOT_INVITED.value)
        person.invite_label = INVITE_STATE_LABELS[person.invite_state]
    active = {
        key: value for key, value in (("q", filters["query"].strip()), ("function", filters["function_id"])) if value
    }
    context: dict[str, Any] = {
        "filter_form": filter_form,
        "page": page,
        "filtered": bool(active),
        "query": filters["query"].strip(),
        "base_query": urlencode(active),
    }
    context["partial"] = _is_partial(request)
    template = "roles/_partials/people_rows.html" if context["partial"] else "roles/people_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the same URL answers a fragment or a page
    return response


def _every_person(organization_id: int) -> Callable[[int, int, bool], Any]:
    return lambda bottom, top, by_ids: selectors.people_page(organization_id, bottom, top, by_ids)


def _person_or_404(request: OrgRequest, pk: int) -> Stakeholder:
    person = selectors.person_of(request.ctx.organization, pk)
    if person is None:
        raise Http404("No such person.")
    return person


def _to_list(person: Stakeholder) -> HttpResponse:
    url = reverse("people-list", kwargs={"org": person.organization.slug})
    return redirect(f"{url}?{urlencode({'q': person.email})}")


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def person_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    # ?function=<id> (from a function's row) preselects that function.
    initial = {"function": request.GET.get("function")} if request.GET.get("function", "").isdigit() else {}
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, organization=organization, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            person = services.stakeholder_create(organization=organization, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Added {person.full_name} to {person.function.name}.")
            return _to_list(person)
    return render(request, "roles/person_form.html", {"form": form, "person": None})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def person_edit(request: OrgRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, organization=person.organization, instance=person)
    if form.is_bound and form.is_valid():
        try:
            services.stakeholder_update(stakeholder=person, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            person.refresh_from_db()
        else:
            messages.success(request, f"Saved {person.full_name}.")
            return _to_list(person)
    return render(request, "roles/person_form.html", {"form": form, "person": person})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def person_delete(request: OrgRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a person with `stakeholder_delete`: their reviews go with them and the
    read model recounts their function's pairs in the same transaction."""
    person = _person_or_404(request, pk)
    if request.method == "POST":
        impact = person_deletion_impact(person)
        services.stakeholder_delete(stakeholder=person)
        removed = f" and {_reviews_phrase(impact.reviews)}" if impact.reviews else ""
        messages.success(request, f"Deleted {person.full_name}{removed}.")
        return redirect("people-list", org=request.ctx.organization.slug)
    context = {"person": person, "impact": person_deletion_impact(person)}
    return render(request, "roles/person_confirm_delete.html", context)


def _reviews_phrase(count: int) -> str:
    return f"their {count} review" + ("" if count == 1 else "s")


@org_view(Perm.EDIT)
@require_GET
def person_search(request: OrgRequest) -> HttpResponse:
    """The options of a person picker (static/js/combobox.js): the first matches of `q`."""
    query = request.GET.get("q", "").strip()[:120]
    people = selectors.people_for_list(request.ctx.organization, query=query)[:SUGGESTIONS] if query else []
    return render(request, "roles/_partials/person_options.html", {"people": people, "query": query})
